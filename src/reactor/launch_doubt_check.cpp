// File: src/reactor/launch_doubt_check.cpp — ListTasks/DescribeTasks per instance in doubt.
#include "reactor/launch_doubt_check.hpp"

#include "reactor/ecs_paging.hpp"

#include "common/logger.hpp"

#include <spdlog/spdlog.h>

namespace berth::reactor {

namespace asio = boost::asio;

namespace {
std::shared_ptr<spdlog::logger> logger() {
  static auto log = logging::get("reactor");
  return log;
}
}  // namespace

asio::awaitable<DoubtCheckResult> async_check_launch_doubts(EcsApi& ecs, ClusterModel& model, std::string started_by,
                                                            std::function<SystemTime()> clock,
                                                            LaunchDoubtSettings settings) {
  DoubtCheckResult result;
  const std::string cluster = model.cluster_name();
  for (const auto& instance : model.doubts_due(started_by, clock())) {
    ++result.checked;
    auto arns = co_await list_all(
        [&](std::string token) { return ecs.list_tasks(cluster, instance, std::move(token)); }, result.ecs_calls);
    EcsResult<std::vector<aws::ecs::Task>> tasks = std::vector<aws::ecs::Task>{};
    if (arns) {
      std::erase_if(*arns, [&](const std::string& arn) { return model.has_task(arn); });
      tasks = co_await describe_all<aws::ecs::Task>(
          *arns, [&](std::vector<std::string> batch) { return ecs.describe_tasks(cluster, std::move(batch)); },
          result.ecs_calls);
    }
    const auto now = clock();
    if (!arns || !tasks) {
      const auto& err = arns ? tasks.error() : arns.error();
      ++result.failed;
      model.postpone_doubt_check(instance, started_by, now + settings.check_after);
      logger()->warn("launch doubt check failed cluster={} instance={} started_by={} code={} message=\"{}\"", cluster,
                     instance, started_by, err.code, err.message);
      continue;
    }
    // A task of ours replaces the doubt as it is applied (apply_task clears the instance's doubt).
    for (const auto& t : *tasks) model.apply_task(t, now);
    if (!model.in_doubt(instance, started_by)) {
      ++result.found;
      logger()->info("launch in doubt did happen cluster={} instance={} started_by={}", cluster, instance, started_by);
      continue;
    }
    model.clear_doubt(instance, started_by);
    ++result.cleared;
    logger()->info("launch in doubt did not happen cluster={} instance={} started_by={}", cluster, instance,
                   started_by);
  }
  co_return result;
}

}  // namespace berth::reactor
