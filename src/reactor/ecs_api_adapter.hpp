// File: src/reactor/ecs_api_adapter.hpp — EcsApi over the real aws::ecs::EcsClient: error mapping to
// EcsError kinds and per-operation call counters (what GET /v1/stats reports as "ecs").
#pragma once

#include "aws/ecs_client.hpp"
#include "reactor/ecs_api.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace berth::reactor {

// rejected: the service answered with a client error (nothing happened);
// throttled: rate limited even after the client's retries (nothing happened);
// unknown: no answer, a timeout or a 5xx (the action may have happened).
EcsError to_ecs_error(const aws::AwsError& e);

struct EcsCallStats {
  std::map<std::string, std::uint64_t> calls;  // by ECS operation, one per adapter call (retries not counted)
  std::uint64_t errors = 0;
  std::uint64_t throttled = 0;  // calls that ended throttled
  std::uint64_t in_doubt = 0;   // calls that ended with an unknown outcome
  std::uint64_t total() const;
  boost::json::object to_json() const;
};

class EcsApiAdapter final : public EcsApi {
 public:
  // `client` must outlive the adapter.
  explicit EcsApiAdapter(aws::ecs::EcsClient& client) : client_(client) {}

  boost::asio::awaitable<EcsResult<StartTaskResult>> start_task(StartTaskRequest request) override;
  boost::asio::awaitable<EcsResult<RunTaskResult>> run_task(RunTaskRequest request) override;
  boost::asio::awaitable<EcsResult<aws::ecs::Task>> stop_task(std::string cluster, std::string task_arn,
                                                              std::string reason) override;
  boost::asio::awaitable<EcsResult<ArnPage>> list_container_instances(std::string cluster,
                                                                      std::string next_token) override;
  boost::asio::awaitable<EcsResult<ArnPage>> list_tasks(std::string cluster, std::string container_instance,
                                                        std::string next_token) override;
  boost::asio::awaitable<EcsResult<Described<aws::ecs::ContainerInstance>>> describe_container_instances(
      std::string cluster, std::vector<std::string> arns) override;
  boost::asio::awaitable<EcsResult<Described<aws::ecs::Task>>> describe_tasks(std::string cluster,
                                                                             std::vector<std::string> arns) override;
  boost::asio::awaitable<EcsResult<TaskDefinitionInfo>> describe_task_definition(std::string task_definition) override;

  const EcsCallStats& stats() const { return stats_; }

 private:
  void count(const char* op) { ++stats_.calls[op]; }
  EcsError fail(const aws::AwsError& e);

  aws::ecs::EcsClient& client_;
  EcsCallStats stats_;
};

}  // namespace berth::reactor
