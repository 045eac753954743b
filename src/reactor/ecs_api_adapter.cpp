// File: src/reactor/ecs_api_adapter.cpp — EcsApi over aws::ecs::EcsClient.
#include "reactor/ecs_api_adapter.hpp"

#include "reactor/task_definition_cache.hpp"

#include <stdexcept>

namespace berth::reactor {

namespace asio = boost::asio;

EcsError to_ecs_error(const aws::AwsError& e) {
  EcsError out;
  out.code = e.type.empty() ? std::string("TransportError") : e.type;
  out.message = e.message.empty() ? e.describe() : e.message;
  // The client knows whether the request may have reached ECS (AwsError::outcome_unknown); only then
  // is a StartTask "in doubt". Everything else certainly did not execute and is safe to plan again.
  if (e.outcome_unknown()) {
    out.kind = EcsError::Kind::unknown;
  } else if (e.error_class == aws::ErrorClass::throttling) {
    out.kind = EcsError::Kind::throttled;
  } else {
    out.kind = EcsError::Kind::rejected;
  }
  return out;
}

EcsCallStats::EcsCallStats(metrics::Registry& r)
    : registry(r),
      errors(metrics::must_counter(r, "berth_ecs_errors_total", "ECS calls that ended in an error (after retries).")),
      throttled(metrics::must_counter(r, "berth_ecs_throttled_total", "ECS calls that ended throttled.")),
      in_doubt(metrics::must_counter(r, "berth_ecs_in_doubt_total", "ECS calls that ended with an unknown outcome.")) {}

metrics::Counter& EcsCallStats::call(std::string_view operation) {
  auto it = calls.by_operation.find(operation);
  if (it == calls.by_operation.end()) {
    auto& c = metrics::must_counter(registry, ecs_calls_metric, "ECS calls by operation (retries not counted).",
                                    {{"operation", std::string(operation)}});
    it = calls.by_operation.emplace(std::string(operation), &c).first;
  }
  return *it->second;
}

std::uint64_t EcsCallStats::Calls::at(std::string_view operation) const {
  auto it = by_operation.find(operation);
  if (it == by_operation.end()) throw std::out_of_range("no ECS calls of " + std::string(operation));
  return it->second->value();
}

std::uint64_t EcsCallStats::total() const {
  std::uint64_t n = 0;
  for (const auto& [op, c] : calls.by_operation) n += c->value();
  return n;
}

EcsError EcsApiAdapter::fail(const aws::AwsError& e) {
  auto err = to_ecs_error(e);
  ++stats_.errors;
  if (err.kind == EcsError::Kind::throttled) ++stats_.throttled;
  if (err.kind == EcsError::Kind::unknown) ++stats_.in_doubt;
  return err;
}

asio::awaitable<EcsResult<StartTaskResult>> EcsApiAdapter::start_task(StartTaskRequest request) {
  count("StartTask");
  aws::ecs::StartTaskRequest r;
  r.cluster = std::move(request.cluster);
  r.task_definition = std::move(request.task_definition);
  r.container_instances = std::move(request.container_instances);
  r.started_by = std::move(request.started_by);
  r.group = std::move(request.group);
  auto res = co_await client_.start_task(std::move(r));
  if (!res) co_return fail(res.error());
  co_return StartTaskResult{std::move(res->items), std::move(res->failures)};
}

asio::awaitable<EcsResult<RunTaskResult>> EcsApiAdapter::run_task(RunTaskRequest request) {
  count("RunTask");
  if (request.client_token.empty()) {
    // The client would make one up, which a caller that crashes cannot reuse: refuse, nothing sent.
    co_return EcsError{EcsError::Kind::rejected, "InvalidParameterException", "RunTask without a clientToken"};
  }
  aws::ecs::RunTaskRequest r;
  r.cluster = std::move(request.cluster);
  r.task_definition = std::move(request.task_definition);
  r.count = request.count;
  r.client_token = std::move(request.client_token);
  r.started_by = std::move(request.started_by);
  r.group = std::move(request.group);
  r.placement_constraints = std::move(request.placement_constraints);
  r.placement_strategy = std::move(request.placement_strategy);
  r.overrides = std::move(request.overrides);
  // The client retries an unanswered RunTask with the same token (safe: ECS launches it once).
  auto res = co_await client_.run_task(std::move(r));
  if (!res) co_return fail(res.error());
  co_return RunTaskResult{std::move(res->items), std::move(res->failures)};
}

asio::awaitable<EcsResult<aws::ecs::Task>> EcsApiAdapter::stop_task(std::string cluster, std::string task_arn,
                                                                    std::string reason) {
  count("StopTask");
  // ECS limits the reason to 255 characters.
  if (reason.size() > 255) reason.resize(255);
  // A named request: GCC 12 destroys brace-initialised temporaries in a co_await argument twice.
  aws::ecs::StopTaskRequest r{std::move(cluster), std::move(task_arn), std::move(reason)};
  auto res = co_await client_.stop_task(std::move(r));
  if (!res) co_return fail(res.error());
  co_return std::move(*res);
}

asio::awaitable<EcsResult<ArnPage>> EcsApiAdapter::list_container_instances(std::string cluster,
                                                                            std::string next_token) {
  count("ListContainerInstances");
  aws::ecs::ListContainerInstancesRequest r;
  r.cluster = std::move(cluster);
  r.next_token = std::move(next_token);
  r.max_results = aws::ecs::max_list_results;
  auto res = co_await client_.list_container_instances(std::move(r));
  if (!res) co_return fail(res.error());
  co_return ArnPage{std::move(res->arns), std::move(res->next_token)};
}

asio::awaitable<EcsResult<ArnPage>> EcsApiAdapter::list_tasks(std::string cluster, std::string container_instance,
                                                              std::string next_token) {
  count("ListTasks");
  aws::ecs::ListTasksRequest r;
  r.cluster = std::move(cluster);
  r.container_instance = std::move(container_instance);
  r.desired_status = "RUNNING";
  r.next_token = std::move(next_token);
  r.max_results = aws::ecs::max_list_results;
  auto res = co_await client_.list_tasks(std::move(r));
  if (!res) co_return fail(res.error());
  co_return ArnPage{std::move(res->arns), std::move(res->next_token)};
}

asio::awaitable<EcsResult<Described<aws::ecs::ContainerInstance>>> EcsApiAdapter::describe_container_instances(
    std::string cluster, std::vector<std::string> arns) {
  count("DescribeContainerInstances");
  auto res = co_await client_.describe_container_instances(std::move(cluster), std::move(arns));
  if (!res) co_return fail(res.error());
  co_return Described<aws::ecs::ContainerInstance>{std::move(res->items), std::move(res->failures)};
}

asio::awaitable<EcsResult<Described<aws::ecs::Task>>> EcsApiAdapter::describe_tasks(std::string cluster,
                                                                                   std::vector<std::string> arns) {
  count("DescribeTasks");
  auto res = co_await client_.describe_tasks(std::move(cluster), std::move(arns));
  if (!res) co_return fail(res.error());
  co_return Described<aws::ecs::Task>{std::move(res->items), std::move(res->failures)};
}

asio::awaitable<EcsResult<TaskDefinitionInfo>> EcsApiAdapter::describe_task_definition(std::string task_definition) {
  count("DescribeTaskDefinition");
  auto res = co_await client_.describe_task_definition(std::move(task_definition));
  if (!res) co_return fail(res.error());
  co_return task_definition_info(*res);
}

}  // namespace berth::reactor
