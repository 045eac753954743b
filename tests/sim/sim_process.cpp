// File: tests/sim/sim_process.cpp — berth-sim as a child process: its ready line, control API and raw calls.
#include "sim_process.hpp"

#include "child_process.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <stdexcept>

namespace berth::sim {
namespace json = boost::json;

std::string SimProcess::default_binary() {
#ifdef BERTH_SIM_BINARY
  return BERTH_SIM_BINARY;
#else
  return "berth-sim";
#endif
}

SimProcess::SimProcess(std::vector<std::string> args, std::string binary, std::chrono::milliseconds ready_timeout) {
  bool has_listen = false;
  for (const auto& a : args) has_listen = has_listen || a == "--listen";
  if (!has_listen) args.insert(args.begin(), {"--listen", "127.0.0.1:0"});
  args.insert(args.begin(), std::move(binary));
  auto child = testing::spawn_announcing(args, {}, ready_timeout);  // the sim's stderr stays the test's
  pid_ = child.pid;
  ready_ = json::parse(child.first_line);
  endpoint_ = std::string(ready_.at("endpoint").as_string());
  queue_url_ = std::string(ready_.at("queue_url").as_string());
  port_ = static_cast<unsigned short>(std::stoi(endpoint_.substr(endpoint_.rfind(':') + 1)));
}

SimProcess::~SimProcess() { testing::terminate_child(pid_, std::chrono::seconds(2)); }

HttpResult SimProcess::request(const std::string& method, const std::string& target, const std::string& body,
                               const std::vector<std::pair<std::string, std::string>>& headers) const {
  return testing::http_call(port_, method, target, body, headers, std::chrono::seconds(30));
}

json::value SimProcess::get(const std::string& path) const {
  auto r = request("GET", path);
  if (r.status / 100 != 2) throw std::runtime_error("GET " + path + " -> " + std::to_string(r.status) + " " + r.body);
  return r.json();
}

json::value SimProcess::post(const std::string& path, const json::value& body) const {
  auto r = request("POST", path, json::serialize(body), {{"Content-Type", "application/json"}});
  if (r.status / 100 != 2) throw std::runtime_error("POST " + path + " -> " + std::to_string(r.status) + " " + r.body);
  return r.json();
}

HttpResult SimProcess::ecs(const std::string& op, const json::value& body) const {
  return request("POST", "/", json::serialize(body),
                 {{"Content-Type", "application/x-amz-json-1.1"},
                  {"X-Amz-Target", "AmazonEC2ContainerServiceV20141113." + op}});
}

HttpResult SimProcess::sqs(const std::string& op, const json::value& body) const {
  return request("POST", "/", json::serialize(body),
                 {{"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", "AmazonSQS." + op}});
}

}  // namespace berth::sim
