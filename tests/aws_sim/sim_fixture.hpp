// File: tests/aws_sim/sim_fixture.hpp — the real ECS/SQS clients (SigV4 on) wired to a berth-sim child process.
#pragma once

#include "aws/ecs_client.hpp"
#include "aws/ecs_json.hpp"
#include "aws/http_client.hpp"
#include "aws/sqs_client.hpp"
#include "sim_process.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace berth::aws::simtest {

namespace json = boost::json;
using namespace std::chrono_literals;

inline constexpr const char* access_key = "AKIDEXAMPLE";
inline constexpr const char* secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// Runs `coro` to completion on `io` and returns its result (rethrows its exception).
template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> coro) {
  std::optional<T> out;
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(coro), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) out.emplace(std::move(value));
  });
  io.restart();
  io.run();  // returns when the coroutine is done: nothing else keeps the context busy
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

inline std::vector<std::string> sim_args(std::vector<std::string> extra = {}) {
  // SigV4 stays on (no --no-auth): every call below is verified by the sim.
  std::vector<std::string> a{"--task-start-ms", "50", "--task-stop-ms", "20", "--seed", "11"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

// One sim, one io_context, one HttpClient shared by an EcsClient and an SqsClient.
struct SimClients {
  sim::SimProcess sim;
  boost::asio::io_context io;
  HttpClient http{io.get_executor(), [] {
                    HttpOptions o;
                    o.allow_plain_http = true;  // the sim is an explicit http:// override
                    o.connect_timeout = 5000ms;
                    return o;
                  }()};
  StaticCredentialsProvider creds;
  ecs::EcsClient ecs;
  sqs::SqsClient sqs;

  static ServiceConfig tune(ServiceConfig c) {
    c.timeout = 10000ms;
    c.retry.base_delay = 5ms;
    c.retry.throttle_base_delay = 50ms;
    c.retry.max_delay = 400ms;
    return c;
  }
  explicit SimClients(std::vector<std::string> extra_args = {}, std::string secret = secret_key,
                      std::function<void(ServiceConfig&)> adjust = {})
      : sim(sim_args(std::move(extra_args))),
        creds(AwsCredentials{{access_key, std::move(secret), ""}, std::nullopt, "static"}),
        ecs(io.get_executor(), http, creds, config(*ecs::make_ecs_config("us-east-1", sim.endpoint()), adjust)),
        sqs(io.get_executor(), http, creds, config(*sqs::make_sqs_config("us-east-1", sim.endpoint()), adjust)) {}

  static ServiceConfig config(ServiceConfig c, const std::function<void(ServiceConfig&)>& adjust) {
    c = tune(std::move(c));
    if (adjust) adjust(c);
    return c;
  }

  template <class T>
  T await(boost::asio::awaitable<T> coro) {
    return run(io, std::move(coro));
  }

  // Registers `family` (one container with cpu/memory) through the client; returns its ARN.
  std::string register_family(const std::string& family, int cpu, int memory) {
    json::object c{{"name", family}, {"image", "busybox"}, {"cpu", cpu}, {"memory", memory}};
    auto td = await(ecs.register_task_definition(
        json::object{{"family", family}, {"containerDefinitions", json::array{c}}}));
    EXPECT_TRUE(td) << (td ? "" : td.error().describe());
    return td ? td->task_definition_arn : std::string();
  }

  std::vector<std::string> instances(const std::string& cluster = "default") {
    ecs::ListContainerInstancesRequest r;
    r.cluster = cluster;
    auto all = await(ecs.list_all_container_instances(r));
    EXPECT_TRUE(all) << (all ? "" : all.error().describe());
    return all ? *all : std::vector<std::string>{};
  }

  std::int64_t sim_stat(std::string_view key) const { return sim.stats().at(key).to_number<std::int64_t>(); }
  std::int64_t sim_stat(std::string_view group, std::string_view key) const {
    const auto stats = sim.stats();
    const auto* g = stats.at(group).as_object().if_contains(key);
    return g ? g->to_number<std::int64_t>() : 0;
  }
};

}  // namespace berth::aws::simtest
