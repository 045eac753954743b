// File: src/reactor/cluster_refresh.cpp — paginated List + batched Describe into the cluster model.
#include "reactor/cluster_refresh.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace berth::reactor {

namespace asio = boost::asio;

namespace {

// Guards against a server that never ends pagination.
constexpr std::size_t max_pages = 100000;

template <class ListFn>
asio::awaitable<EcsResult<std::vector<std::string>>> list_all(ListFn list, std::size_t& calls) {
  std::vector<std::string> arns;
  std::string token;
  for (std::size_t page = 0; page < max_pages; ++page) {
    ++calls;
    auto r = co_await list(token);
    if (!r) co_return r.error();
    arns.insert(arns.end(), r->arns.begin(), r->arns.end());
    if (r->next_token.empty()) co_return arns;
    if (r->next_token == token) co_return EcsError{EcsError::Kind::unknown, "PaginationLoop", "nextToken repeated"};
    token = r->next_token;
  }
  co_return EcsError{EcsError::Kind::unknown, "PaginationLimit", "too many pages"};
}

template <class T, class DescribeFn>
asio::awaitable<EcsResult<std::vector<T>>> describe_all(const std::vector<std::string>& arns, DescribeFn describe,
                                                        std::size_t& calls) {
  std::vector<T> out;
  out.reserve(arns.size());
  for (std::size_t i = 0; i < arns.size(); i += max_describe_batch) {
    std::vector<std::string> batch(arns.begin() + static_cast<std::ptrdiff_t>(i),
                                   arns.begin() + static_cast<std::ptrdiff_t>(std::min(arns.size(), i + max_describe_batch)));
    ++calls;
    auto r = co_await describe(std::move(batch));
    if (!r) co_return r.error();
    // Failures (MISSING) are items that vanished between List and Describe: absent is right.
    for (auto& item : r->items) out.push_back(std::move(item));
  }
  co_return out;
}

}  // namespace

asio::awaitable<EcsResult<RefreshResult>> async_refresh_cluster(EcsApi& ecs, ClusterModel& model,
                                                                std::function<SystemTime()> clock) {
  RefreshResult result;
  const std::string cluster = model.cluster_name();
  const SystemTime listed_at = clock();

  auto instance_arns = co_await list_all(
      [&](std::string token) { return ecs.list_container_instances(cluster, std::move(token)); }, result.ecs_calls);
  if (!instance_arns) co_return instance_arns.error();
  auto instances = co_await describe_all<aws::ecs::ContainerInstance>(
      *instance_arns,
      [&](std::vector<std::string> batch) { return ecs.describe_container_instances(cluster, std::move(batch)); },
      result.ecs_calls);
  if (!instances) co_return instances.error();

  auto task_arns = co_await list_all(
      [&](std::string token) { return ecs.list_tasks(cluster, "", std::move(token)); }, result.ecs_calls);
  if (!task_arns) co_return task_arns.error();
  auto tasks = co_await describe_all<aws::ecs::Task>(
      *task_arns, [&](std::vector<std::string> batch) { return ecs.describe_tasks(cluster, std::move(batch)); },
      result.ecs_calls);
  if (!tasks) co_return tasks.error();

  auto now = clock();
  result.instances = model.reconcile_instances(*instances, listed_at, now);
  result.tasks = model.reconcile_tasks(*tasks, listed_at, now);
  co_return result;
}

asio::awaitable<void> async_audit_loop(EcsApi& ecs, ClusterModel& model, std::function<SystemTime()> clock,
                                       std::chrono::steady_clock::duration interval,
                                       std::function<void(const EcsResult<RefreshResult>&)> on_result) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(interval);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;  // cancelled: shutting down
    model.expire(clock());
    auto r = co_await async_refresh_cluster(ecs, model, clock);
    if (on_result) on_result(r);
  }
}

}  // namespace berth::reactor
