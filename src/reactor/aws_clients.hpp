// File: src/reactor/aws_clients.hpp — the AWS client factory: everything berth talks to AWS through, built
// once from the config's [aws] table, in dependency order (transports, credentials, ECS and SQS clients, the
// reactor's EcsApi adapter). The scheduler owns one; tests build their own clients against berth-sim.
//
// ECS's documented per-account throttles are mirrored client-side (token buckets per category: modify burst
// 100 at 40/s, read burst 100 at 20/s), so berth waits locally instead of collecting ThrottlingExceptions.
// Region, endpoint and credentials apply at startup only (a reload logs that they need a restart).
#pragma once

#include "aws/credentials.hpp"
#include "aws/ecs_client.hpp"
#include "aws/http_client.hpp"
#include "aws/sqs_client.hpp"
#include "config/config.hpp"
#include "metrics/registry.hpp"
#include "reactor/ecs_api_adapter.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <memory>

namespace berth::reactor {

class AwsClients {
 public:
  // Throws std::runtime_error on an unusable endpoint (the process refuses to start).
  // The adapter's and the ECS protocol client's counters go into `registry`, which must outlive this.
  AwsClients(boost::asio::any_io_executor executor, const config::Config& cfg, metrics::Registry& registry);
  ~AwsClients();
  AwsClients(const AwsClients&) = delete;
  AwsClients& operator=(const AwsClients&) = delete;

  aws::ecs::EcsClient& ecs_client() { return *ecs_client_; }
  const aws::ecs::EcsClient& ecs_client() const { return *ecs_client_; }
  aws::sqs::SqsClient& sqs() { return *sqs_; }
  // The reactor's view of ECS (error kinds, per-operation call counters).
  EcsApiAdapter& ecs() { return *ecs_; }
  const EcsApiAdapter& ecs() const { return *ecs_; }

 private:
  std::unique_ptr<aws::HttpClient> http_;           // ECS and SQS (TLS unless the endpoint is a plain override)
  std::unique_ptr<aws::HttpClient> metadata_http_;  // instance/container metadata endpoints (plain http)
  std::unique_ptr<aws::CredentialsChain> credentials_;
  std::unique_ptr<aws::ecs::EcsClient> ecs_client_;
  std::unique_ptr<aws::sqs::SqsClient> sqs_;
  std::unique_ptr<EcsApiAdapter> ecs_;
};

}  // namespace berth::reactor
