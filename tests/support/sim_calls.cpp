// File: tests/support/sim_calls.cpp — SigV4-signed calls to berth-sim with the SigV4 primitives of src/aws.
#include "sim_calls.hpp"

#include "aws/sigv4.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

namespace berth::testing {
namespace json = boost::json;

namespace {

sim::HttpResult signed_call(const sim::SimProcess& sim, const std::string& service, const std::string& content_type,
                            const std::string& target, const json::value& body) {
  aws::sigv4::Request req;
  req.method = "POST";
  req.path = "/";
  req.body = json::serialize(body);
  req.headers = {{"Host", "127.0.0.1:" + std::to_string(sim.port())},
                 {"Content-Type", content_type},
                 {"X-Amz-Target", target}};
  aws::sigv4::SigningParams params;
  params.region = "us-east-1";
  params.service = service;
  params.time = std::chrono::system_clock::now();
  aws::sigv4::sign_request(req, {sim_access_key, sim_secret_key, ""}, params);
  // SimProcess::request sets Host itself (the same value that was signed).
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& h : req.headers)
    if (h.name != "Host") headers.emplace_back(h.name, h.value);
  return sim.request("POST", "/", req.body, headers);
}

}  // namespace

sim::HttpResult ecs_call(const sim::SimProcess& sim, const std::string& op, const json::value& body) {
  return signed_call(sim, "ecs", "application/x-amz-json-1.1", "AmazonEC2ContainerServiceV20141113." + op, body);
}

sim::HttpResult sqs_call(const sim::SimProcess& sim, const std::string& op, const json::value& body) {
  return signed_call(sim, "sqs", "application/x-amz-json-1.0", "AmazonSQS." + op, body);
}

std::string register_task_definition(const sim::SimProcess& sim, const std::string& family, int cpu, int memory,
                                     bool health_check) {
  json::object container{{"name", "app"}, {"image", "public.ecr.aws/docker/library/busybox:latest"},
                         {"cpu", cpu}, {"memory", memory}, {"essential", true}};
  if (health_check)
    container["healthCheck"] = json::object{{"command", json::array{"CMD-SHELL", "true"}}, {"interval", 5},
                                            {"timeout", 2}, {"retries", 3}};
  auto r = ecs_call(sim, "RegisterTaskDefinition",
                    json::object{{"family", family}, {"containerDefinitions", json::array{container}}});
  if (r.status != 200) throw std::runtime_error("RegisterTaskDefinition " + family + ": " + r.body);
  auto td = r.json().at("taskDefinition").as_object();
  return family + ":" + std::to_string(td.at("revision").to_number<std::int64_t>());
}

}  // namespace berth::testing
