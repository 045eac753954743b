// File: src/reactor/ecs_api_adapter.hpp — EcsApi over the real aws::ecs::EcsClient: error mapping to
// EcsError kinds and per-operation call counters (what GET /v1/stats reports as "ecs").
#pragma once

#include "aws/ecs_client.hpp"
#include "metrics/registry.hpp"
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

inline constexpr std::string_view ecs_calls_metric = "berth_ecs_calls_total";

// Series of the metrics registry: berth_ecs_calls_total{operation} (one per adapter call, retries not counted;
// an operation's series appears with its first call), berth_ecs_{errors,throttled,in_doubt}_total.
struct EcsCallStats {
  explicit EcsCallStats(metrics::Registry& registry);
  // The operation's counter, registered on its first call.
  metrics::Counter& call(std::string_view operation);

  class Calls {
   public:
    std::uint64_t at(std::string_view operation) const;  // throws std::out_of_range if never called (as map::at)
    std::map<std::string, metrics::Counter*, std::less<>> by_operation;
  };
  metrics::Registry& registry;
  Calls calls;
  metrics::Counter& errors;
  metrics::Counter& throttled;  // calls that ended throttled
  metrics::Counter& in_doubt;   // calls that ended with an unknown outcome
  std::uint64_t total() const;
};

class EcsApiAdapter final : public EcsApi {
 public:
  // `client` must outlive the adapter.
  // `client` and `registry` must outlive the adapter.
  EcsApiAdapter(aws::ecs::EcsClient& client, metrics::Registry& registry) : client_(client), stats_(registry) {}

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
  void count(const char* op) { ++stats_.call(op); }
  EcsError fail(const aws::AwsError& e);

  aws::ecs::EcsClient& client_;
  EcsCallStats stats_;
};

}  // namespace berth::reactor
