// File: tests/sim/sim.hpp — berth-sim's composition root: config, ECS engine, SQS queues, faults, request dispatch.
#pragma once
#include "ecs_engine.hpp"
#include "faults.hpp"
#include "service_model.hpp"
#include "sqs_queues.hpp"
#include "throttle.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace berth::sim {

struct SimConfig {
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  std::vector<std::string> clusters;  // default: {"default"}
  int instances = 0;                  // per cluster, at start
  std::string queue = "berth-events";  // the event queue (clients may create more)
  std::uint64_t seed = 1;
  int task_start_ms = 1000;
  int task_stop_ms = 200;
  std::int64_t stopped_task_retention_ms = 3600000;  // STOPPED tasks are forgotten after this
  bool throttle = true;
  std::string models_dir;
  bool auth = true;
  std::string access_key = "AKIDEXAMPLE";
  std::string secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  std::string region = "us-east-1";
  Faults faults;
  InstanceSpec instance_spec;
};

struct HttpReply {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using Request = boost::beast::http::request<boost::beast::http::string_body>;

struct ApiStats {
  std::map<std::string, std::uint64_t> calls, throttled, errors;
  std::uint64_t throttled_total = 0, injected_errors = 0, injected_latency = 0, auth_failures = 0,
                validation_errors = 0, messages_received = 0, messages_deleted = 0, messages_sent = 0;
};

class Sim {
public:
  // `endpoint` is "http://127.0.0.1:PORT" (the port is known once the acceptor is bound).
  Sim(boost::asio::io_context& ioc, SimConfig config, std::string endpoint);

  std::string ready_line() const;
  boost::asio::awaitable<HttpReply> handle(const Request& req);

  EcsEngine& ecs() { return ecs_; }
  SqsQueue& queue() { return queues_.event_queue(); }

private:
  boost::asio::awaitable<HttpReply> ecs_call(const std::string& op, const Request& req);
  boost::asio::awaitable<HttpReply> sqs_call(const std::string& op, const Request& req);
  HttpReply control(const Request& req);
  // How one service words the rejections any call can get before it acts.
  struct Rejections {
    bool sqs;  // SigV4 service "sqs", else "ecs"
    const ServiceModel& model;
    const char* bad_body_type;
    const char* bad_body_message;
    const char* (*violation_type)(Violation::Kind);
  };
  // Counts the call, then checks in AWS's order: SigV4, a known operation, a JSON object body, the
  // model's input shape. The parsed body, or the error to answer (stats_.errors not yet counted).
  ApiOutcome admit(const std::string& op, const Request& req, const Rejections& rejections);
  // Empty when the request is signed by the configured key (or auth is off).
  std::optional<ApiError> verify_auth(const Request& req, bool sqs) const;
  HttpReply ecs_error(const ApiError& e) const;
  HttpReply sqs_error(const ApiError& e) const;
  boost::asio::awaitable<bool> inject_latency();
  boost::json::object stats_json() const;

  boost::asio::io_context& ioc_;
  SimConfig config_;
  std::string endpoint_;
  Random random_;
  Timers timers_;
  ServiceModel ecs_model_, sqs_model_;
  SqsQueues queues_;
  EventBus bus_;
  EcsEngine ecs_;
  Throttle throttle_;
  ApiStats stats_;
  std::uint64_t request_seq_ = 0;
};

}  // namespace berth::sim
