// File: src/reactor/executor.cpp — ECS write actions and what they mean for the model.
#include "reactor/executor.hpp"

#include "common/logger.hpp"
#include "policy/task_definition.hpp"

#include <spdlog/spdlog.h>

#include <charconv>

namespace berth::reactor {

ExecutorStats::ExecutorStats(metrics::Registry& r)
    : start_calls(metrics::must_counter(r, "berth_executor_start_calls_total", "StartTask calls.")),
      run_calls(metrics::must_counter(r, "berth_executor_run_calls_total", "RunTask calls.")),
      stop_calls(metrics::must_counter(r, "berth_executor_stop_calls_total", "StopTask calls.")),
      tasks_started(metrics::must_counter(r, "berth_executor_tasks_started_total", "Tasks ECS reported started.")),
      start_failures(metrics::must_counter(r, "berth_executor_start_failures_total",
                                           "Instances or tasks ECS reported as failed launches.")),
      ecs_errors(metrics::must_counter(r, "berth_executor_ecs_errors_total", "Write calls that ended in an error.")),
      launches_in_doubt(metrics::must_counter(r, "berth_executor_launches_in_doubt_total",
                                              "Launches whose outcome was unknown (become launch doubts).")) {}

namespace {
std::shared_ptr<spdlog::logger> logger() {
  static auto log = logging::get("reactor");
  return log;
}

void add_wake(Execution& out, SystemTime t) {
  if (!out.wake_at || t < *out.wake_at) out.wake_at = t;
}

// ECS's task-level "256"; 0 when absent or not a number.
std::int32_t task_level(std::string_view s) {
  std::int32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size() && v > 0 ? v : 0;
}
}  // namespace

boost::asio::awaitable<void> Executor::expect_resources(ClusterModel& model, const std::vector<aws::ecs::Task>& tasks) {
  if (tasks.empty()) co_return;
  std::optional<TaskDefinitionInfo> info;
  if (definitions_ != nullptr) {
    // Usually cached already (the reconciler ensured it before planning); else described now.
    auto described = co_await definitions_->ensure(tasks.front().task_definition_arn);
    if (described) info = std::move(*described);
  }
  const auto now = clock_();
  for (const auto& t : tasks) {
    policy::CpuMemory reserved{task_level(t.cpu), task_level(t.memory)};
    std::span<const std::uint16_t> tcp, udp;
    if (info && policy::task_definition_name(info->arn) == policy::task_definition_name(t.task_definition_arn)) {
      if (reserved.cpu == 0) reserved.cpu = info->cpu;
      if (reserved.memory == 0) reserved.memory = info->memory;
      tcp = info->host_tcp_ports;
      udp = info->host_udp_ports;
    }
    model.expect_resources(t, reserved, tcp, udp, now);
  }
}

boost::asio::awaitable<void> Executor::stop(ClusterModel& model, const std::string& cluster,
                                            const std::vector<policy::StopOrder>& stops, Execution& out) {
  for (const auto& s : stops) {
    ++stats_.stop_calls;
    auto r = co_await ecs_.stop_task(cluster, s.task_arn, s.reason);
    if (!r) {
      ++stats_.ecs_errors;
      out.success = false;
      out.error = "StopTask " + s.task_arn + ": " + r.error().code + " " + r.error().message;
      logger()->warn("stop failed cluster={} task={} code={} message=\"{}\"", cluster, s.task_arn, r.error().code,
                     r.error().message);
      continue;
    }
    model.apply_task(*r, clock_());  // the response carries the new version (desired STOPPED)
    model.mark_stop_requested(s.task_arn);
    ++out.stopped;
    logger()->info("stopped cluster={} task={} instance={} cause={}", cluster, s.task_arn, s.instance_arn,
                   policy::to_string(s.cause));
  }
}

boost::asio::awaitable<void> Executor::start(ClusterModel& model, const std::string& cluster,
                                             const std::vector<policy::StartBatch>& starts,
                                             policy::InstanceBackoff& backoff, const LaunchDoubtSettings& doubt,
                                             Execution& out) {
  for (const auto& b : starts) {
    ++stats_.start_calls;
    StartTaskRequest req{cluster, b.task_definition, b.instance_arns, b.started_by, b.group};
    auto r = co_await ecs_.start_task(req);
    auto now = clock_();
    if (!r) {
      ++stats_.ecs_errors;
      out.success = false;
      out.error = "StartTask: " + r.error().code + " " + r.error().message;
      if (r.error().kind == EcsError::Kind::unknown) {
        // The tasks may exist: the instances count as occupied until an event or the doubt check tells.
        for (const auto& i : b.instance_arns)
          model.expect_launch_in_doubt(i, b.started_by, b.task_definition, now + doubt.check_after,
                                       now + doubt.expire_after);
        stats_.launches_in_doubt += b.instance_arns.size();
        out.in_doubt += b.instance_arns.size();
        add_wake(out, now + doubt.check_after);  // to have the doubt checked with ECS
      }
      logger()->warn("start failed cluster={} task_definition={} instances={} code={} message=\"{}\"", cluster,
                     b.task_definition, b.instance_arns.size(), r.error().code, r.error().message);
      continue;
    }
    for (const auto& t : r->tasks) {
      model.expect_task(t, now);
      ++out.started;
      ++stats_.tasks_started;
    }
    co_await expect_resources(model, r->tasks);
    for (const auto& f : r->failures) {
      // E.g. RESOURCE:MEMORY or AGENT: back off on that instance rather than retrying at once.
      backoff.record_failure(f.arn, now);
      ++out.start_failures;
      ++stats_.start_failures;
      logger()->info("start refused cluster={} instance={} reason={} detail=\"{}\"", cluster, f.arn, f.reason,
                     f.detail);
    }
  }
}

boost::asio::awaitable<std::vector<aws::ecs::Task>> Executor::run(ClusterModel& model, RunTaskRequest request,
                                                                  Execution& out) {
  ++stats_.run_calls;
  const std::string cluster = request.cluster;
  const std::string token = request.client_token;
  const auto count = static_cast<std::size_t>(request.count > 0 ? request.count : 0);
  auto r = co_await ecs_.run_task(std::move(request));
  const auto now = clock_();
  if (!r) {
    ++stats_.ecs_errors;
    out.success = false;
    out.error = "RunTask: " + r.error().code + " " + r.error().message;
    out.rejected = out.rejected || r.error().kind == EcsError::Kind::rejected;
    if (r.error().kind == EcsError::Kind::unknown) {
      // Nothing to hold in the model (ECS picks the instance): the caller retries with the same token.
      stats_.launches_in_doubt += count;
      out.in_doubt += count;
    }
    logger()->warn("run failed cluster={} client_token={} code={} message=\"{}\"", cluster, token, r.error().code,
                   r.error().message);
    co_return std::vector<aws::ecs::Task>{};
  }
  for (const auto& t : r->tasks) {
    model.expect_task(t, now);
    ++out.started;
    ++stats_.tasks_started;
  }
  co_await expect_resources(model, r->tasks);
  for (const auto& f : r->failures) {
    ++out.start_failures;
    ++stats_.start_failures;
    logger()->info("run refused cluster={} client_token={} reason={} detail=\"{}\"", cluster, token, f.reason,
                   f.detail);
  }
  co_return std::move(r->tasks);
}

}  // namespace berth::reactor
