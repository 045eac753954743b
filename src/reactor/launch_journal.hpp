// File: src/reactor/launch_journal.hpp — "nothing launched twice" across a crash: an EcsApi decorator that
// commits a launch record to the store BEFORE each StartTask and deletes it once the response is in.
//
// Why it is needed although the bootstrap lists every task before the first plan: StartTask has no
// idempotency token, and ListTasks is eventually consistent, so a task started a moment before a SIGKILL
// may be missing from the restarted process's first listing. A surviving record says "a launch for these
// instances may exist": recover() turns it into launch doubts in the model (the instance counts as occupied
// by that environment until a task shows up or the launch doubt check asks ECS), then deletes it.
#pragma once

#include "reactor/cluster_model.hpp"
#include "reactor/ecs_api.hpp"
#include "reactor/launch_doubt_check.hpp"
#include "store/desired_state_store.hpp"

#include <chrono>
#include <cstdint>

namespace berth::reactor {

inline constexpr std::string_view launch_namespace = "launch";
// Records older than this are dropped at recovery instead of becoming doubts.
inline constexpr std::chrono::minutes max_record_age{10};

class LaunchJournal final : public EcsApi {
 public:
  // `inner` and `store` must outlive the journal.
  LaunchJournal(EcsApi& inner, store::DesiredStateStore& store) : inner_(inner), store_(store) {}

  // Records, calls, forgets (keeps the record when the outcome is unknown). A record that cannot be committed
  // refuses the launch (rejected, retried later).
  boost::asio::awaitable<EcsResult<StartTaskResult>> start_task(StartTaskRequest request) override;

  // Not journaled: a RunTask is made safe by its clientToken, which the caller derives from what it
  // launches (e.g. job and slot), so a restarted process retries with the same token and ECS answers
  // the first launch instead of starting a second one.
  boost::asio::awaitable<EcsResult<RunTaskResult>> run_task(RunTaskRequest request) override {
    return inner_.run_task(std::move(request));
  }
  boost::asio::awaitable<EcsResult<aws::ecs::Task>> stop_task(std::string cluster, std::string task_arn,
                                                              std::string reason) override {
    return inner_.stop_task(std::move(cluster), std::move(task_arn), std::move(reason));
  }
  boost::asio::awaitable<EcsResult<ArnPage>> list_container_instances(std::string cluster,
                                                                      std::string next_token) override {
    return inner_.list_container_instances(std::move(cluster), std::move(next_token));
  }
  boost::asio::awaitable<EcsResult<ArnPage>> list_tasks(std::string cluster, std::string container_instance,
                                                        std::string next_token) override {
    return inner_.list_tasks(std::move(cluster), std::move(container_instance), std::move(next_token));
  }
  boost::asio::awaitable<EcsResult<Described<aws::ecs::ContainerInstance>>> describe_container_instances(
      std::string cluster, std::vector<std::string> arns) override {
    return inner_.describe_container_instances(std::move(cluster), std::move(arns));
  }
  boost::asio::awaitable<EcsResult<Described<aws::ecs::Task>>> describe_tasks(std::string cluster,
                                                                             std::vector<std::string> arns) override {
    return inner_.describe_tasks(std::move(cluster), std::move(arns));
  }
  boost::asio::awaitable<EcsResult<TaskDefinitionInfo>> describe_task_definition(std::string task_definition) override {
    return inner_.describe_task_definition(std::move(task_definition));
  }

  // After the bootstrap of `model`'s cluster: records of an earlier process for this cluster become launch
  // doubts (only on instances without a live task of that owner), then are deleted. Returns the doubts added.
  boost::asio::awaitable<std::size_t> recover(ClusterModel& model, SystemTime now, const LaunchDoubtSettings& doubt);

  std::uint64_t records_written() const { return written_; }
  std::uint64_t records_recovered() const { return recovered_; }
  std::uint64_t records_kept() const { return kept_; }  // launches with an unknown outcome

 private:
  EcsApi& inner_;
  store::DesiredStateStore& store_;
  std::uint64_t sequence_ = 0;
  std::uint64_t written_ = 0, recovered_ = 0, kept_ = 0;
};

}  // namespace berth::reactor
