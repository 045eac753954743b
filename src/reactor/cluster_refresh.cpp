// File: src/reactor/cluster_refresh.cpp — paginated List + batched Describe into the cluster model.
#include "reactor/cluster_refresh.hpp"

#include "reactor/ecs_paging.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace berth::reactor {

namespace asio = boost::asio;


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

}  // namespace berth::reactor
