// File: tests/sim/sim_process.hpp — test support: runs build/berth-sim as a child process and talks to it (blocking).
#pragma once
#include "http_call.hpp"  // tests/support: the child-process and HTTP helpers this builds on

#include <boost/json/value.hpp>

#include <sys/types.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace berth::sim {

using HttpResult = testing::HttpResult;

// Starts berth-sim with `args` (adds "--listen 127.0.0.1:0" unless given), waits for its ready
// line and kills it (SIGTERM, then SIGKILL) on destruction. Throws std::runtime_error when the
// child does not become ready in time. Not copyable; one object per child.
class SimProcess {
public:
  explicit SimProcess(std::vector<std::string> args = {}, std::string binary = default_binary(),
                      std::chrono::milliseconds ready_timeout = std::chrono::seconds(20));
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  static std::string default_binary();  // the berth-sim built alongside this library

  const std::string& endpoint() const { return endpoint_; }    // "http://127.0.0.1:PORT"
  const std::string& queue_url() const { return queue_url_; }
  unsigned short port() const { return port_; }
  const boost::json::value& ready() const { return ready_; }  // the whole ready line
  pid_t pid() const { return pid_; }

  // Raw HTTP/1.1 request to the sim (30 s timeout). Throws on connection failure.
  HttpResult request(const std::string& method, const std::string& target, const std::string& body = {},
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) const;
  // Control API: GET/POST "/_sim/..." returning the JSON body; throws on a non-2xx status.
  boost::json::value get(const std::string& path) const;
  boost::json::value post(const std::string& path, const boost::json::value& body) const;
  boost::json::value state() const { return get("/_sim/state"); }
  boost::json::value stats() const { return get("/_sim/stats"); }
  // Unsigned ECS / SQS JSON calls (for a sim started with --no-auth).
  HttpResult ecs(const std::string& op, const boost::json::value& body) const;
  HttpResult sqs(const std::string& op, const boost::json::value& body) const;

private:
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  std::string endpoint_, queue_url_;
  boost::json::value ready_;
};

}  // namespace berth::sim
