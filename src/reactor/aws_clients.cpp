// File: src/reactor/aws_clients.cpp — AWS clients from the config.
#include "reactor/aws_clients.hpp"

#include <stdexcept>

namespace berth::reactor {

namespace {

aws::ServiceConfig ecs_config(const config::Config& cfg) {
  auto c = aws::ecs::make_ecs_config(cfg.aws.region, cfg.aws.endpoint.value_or(""));
  if (!c) throw std::runtime_error("invalid ECS endpoint: " + c.error().message());
  // ECS's documented per-account throttles, mirrored client-side (modify: burst 100, 40/s; read: burst 100, 20/s).
  c->throttle = aws::ThrottleOptions{100, 20, 100, 40};
  return std::move(*c);
}

aws::ServiceConfig sqs_config(const config::Config& cfg) {
  auto c = aws::sqs::make_sqs_config(cfg.aws.region, cfg.aws.endpoint.value_or(""));
  if (!c) throw std::runtime_error("invalid SQS endpoint: " + c.error().message());
  return std::move(*c);
}

aws::HttpOptions http_options(bool allow_plain_http) {
  aws::HttpOptions o;
  o.allow_plain_http = allow_plain_http;  // only an explicit endpoint override (berth-sim) may be plain http
  return o;
}

aws::CredentialsChainOptions credentials_options(const config::Config& cfg) {
  aws::CredentialsChainOptions o;
  const auto& c = cfg.aws.credentials;
  if (c.source == config::CredentialsSource::static_keys) {
    o.access_key_id = c.access_key_id;
    o.secret_access_key = c.secret_access_key;
    o.session_token = c.session_token;
  }
  // env/profile/container/imds: the chain tries them in the SDK order; a named profile is passed on.
  if (!c.profile.empty()) o.profile = c.profile;
  return o;
}

}  // namespace

AwsClients::AwsClients(boost::asio::any_io_executor executor, const config::Config& cfg, metrics::Registry& registry) {
  const auto ecs = ecs_config(cfg);
  http_ = std::make_unique<aws::HttpClient>(executor, http_options(!ecs.endpoint.tls));
  metadata_http_ = std::make_unique<aws::HttpClient>(executor, http_options(true));
  credentials_ = std::make_unique<aws::CredentialsChain>(executor, *metadata_http_, credentials_options(cfg));
  ecs_client_ = std::make_unique<aws::ecs::EcsClient>(executor, *http_, *credentials_, ecs);
  sqs_ = std::make_unique<aws::sqs::SqsClient>(executor, *http_, *credentials_, sqs_config(cfg));
  ecs_ = std::make_unique<EcsApiAdapter>(*ecs_client_, registry);
  // The JSON protocol client (src/aws) keeps its own counters; the registry reads them on demand, so each number
  // still has one home.
  using Stats = aws::AwsJsonClient::Stats;
  const auto protocol = [&registry, this](const char* name, const char* help, std::uint64_t Stats::*field) {
    metrics::must(registry.counter_fn(name, help, {},
                                      [this, field] { return ecs_client_->protocol().stats().*field; }),
                  name);
  };
  protocol("berth_ecs_protocol_calls_total", "ECS protocol calls (one per client call).", &Stats::calls);
  protocol("berth_ecs_protocol_attempts_total", "ECS HTTP attempts (calls + retries).", &Stats::attempts);
  protocol("berth_ecs_protocol_retries_total", "ECS retries after throttling or transient errors.", &Stats::retries);
  protocol("berth_ecs_protocol_throttled_responses_total", "ECS throttling responses received.",
           &Stats::throttled_responses);
  protocol("berth_ecs_protocol_client_throttle_waits_total", "Calls that waited for the client-side token bucket.",
           &Stats::client_throttle_waits);
  protocol("berth_ecs_protocol_budget_exhausted_total", "Retries refused because the retry budget was empty.",
           &Stats::budget_exhausted);
}

AwsClients::~AwsClients() = default;

}  // namespace berth::reactor
