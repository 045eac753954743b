// File: tests/support/berth_process.cpp — build/berth as a child process: generated config, listen-line handshake,
// restarts and reloads, and blocking calls to its API.
#include "berth_process.hpp"

#include "child_process.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <signal.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace berth::testing {
namespace json = boost::json;

namespace {

// TOML basic strings: escape backslashes and quotes.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

BerthOptions with_sim(const sim::SimProcess& sim, BerthOptions o) {
  if (o.endpoint.empty()) o.endpoint = sim.endpoint();
  if (o.queue_url.empty()) o.queue_url = sim.queue_url();
  return o;
}

}  // namespace

std::string make_config_toml(const BerthOptions& o, const std::filesystem::path& store_path) {
  std::ostringstream t;
  t << "[server]\nlisten = \"127.0.0.1:0\"\nshutdown_timeout = " << quoted(o.shutdown_timeout) << "\n\n"
    << "[log]\nlevel = " << quoted(o.log_level) << "\n\n"
    << "[aws]\nregion = " << quoted(o.region) << "\nendpoint = " << quoted(o.endpoint) << "\n\n"
    << "[aws.credentials]\nsource = \"static\"\naccess_key_id = " << quoted(o.access_key)
    << "\nsecret_access_key = " << quoted(o.secret_key) << "\n\n"
    << "[[clusters]]\nname = " << quoted(o.cluster) << "\nqueue_url = " << quoted(o.queue_url)
    << "\naudit_interval = " << quoted(o.audit_interval) << "\n\n"
    << "[store]\npath = " << quoted(store_path.string()) << "\n\n";
  if (!o.api_token.empty()) t << "[api]\nauth_token = " << quoted(o.api_token) << "\n\n";
  t << o.extra_toml << "\n";
  return t.str();
}

std::string BerthProcess::default_binary() {
#ifdef BERTH_BINARY
  return BERTH_BINARY;
#else
  return "berth";
#endif
}

BerthProcess::BerthProcess(const sim::SimProcess& sim, BerthOptions options)
    : BerthProcess(with_sim(sim, std::move(options))) {}

BerthProcess::BerthProcess(BerthOptions options) : options_(std::move(options)) {
  if (options_.binary.empty()) options_.binary = default_binary();
  if (options_.dir.empty()) {
    own_dir_.emplace("berth-test");
    dir_ = own_dir_->path();
  } else {
    dir_ = options_.dir;
    std::filesystem::create_directories(dir_);
  }
  write_config();
  start();
}

BerthProcess::~BerthProcess() { stop(); }

void BerthProcess::write_config() const {
  std::ofstream cfg(config_path());
  cfg << make_config_toml(options_, store_path());
  if (!cfg) throw std::runtime_error("cannot write " + config_path().string());
}

void BerthProcess::start() {
  if (pid_ > 0) throw std::runtime_error("berth already running");
  SpawnedChild child;
  try {
    child = spawn_announcing({options_.binary, "serve", "-c", config_path().string()}, log_path(),
                             options_.ready_timeout);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + "; log tail:\n" + log_tail(4000));
  }
  pid_ = child.pid;
  try {
    listen_ = std::string(json::parse(child.first_line).at("listen").as_string());
    port_ = static_cast<unsigned short>(std::stoi(listen_.substr(listen_.rfind(':') + 1)));
  } catch (const std::exception& e) {
    kill_hard();
    throw std::runtime_error("berth announced '" + child.first_line + "' (" + e.what() + ")");
  }
}

void BerthProcess::kill_hard() {
  kill_child(pid_);
  pid_ = -1;
}

int BerthProcess::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  int code = terminate_child(pid_, timeout);
  pid_ = -1;
  return code;
}

bool BerthProcess::alive() {
  if (pid_ <= 0) return false;
  if (!child_exited(pid_)) return true;
  pid_ = -1;
  return false;
}

void BerthProcess::reload(std::string extra_toml) {
  options_.extra_toml = std::move(extra_toml);
  write_config();
  if (pid_ <= 0 || ::kill(pid_, SIGHUP) != 0) throw std::runtime_error("cannot send SIGHUP to berth");
}

std::string BerthProcess::log_tail(std::size_t bytes) const {
  std::ifstream in(log_path(), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

sim::HttpResult BerthProcess::request(const std::string& method, const std::string& target, const std::string& body,
                                      const HttpHeaders& headers) const {
  HttpHeaders all = headers;
  if (!options_.api_token.empty()) all.emplace_back("Authorization", "Bearer " + options_.api_token);
  return http_call(port_, method, target, body, all);
}

sim::HttpResult BerthProcess::api(const std::string& method, const std::string& target, const std::string& body) const {
  HttpHeaders headers;
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  return request(method, target, body, headers);
}

json::value BerthProcess::json_call(const std::string& method, const std::string& target,
                                    const std::string& body) const {
  auto r = api(method, target, body);
  if (r.status / 100 != 2)
    throw std::runtime_error(method + " " + target + " -> " + std::to_string(r.status) + " " + r.body);
  return r.body.empty() ? json::value() : r.json();
}

json::value BerthProcess::get_json(const std::string& target) const { return json_call("GET", target, {}); }

json::value BerthProcess::post_json(const std::string& target, const json::value& body) const {
  return json_call("POST", target, json::serialize(body));
}

json::value BerthProcess::put_json(const std::string& target, const json::value& body) const {
  return json_call("PUT", target, json::serialize(body));
}

json::value BerthProcess::delete_json(const std::string& target) const { return json_call("DELETE", target, {}); }

}  // namespace berth::testing
