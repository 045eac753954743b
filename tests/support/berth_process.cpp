// File: tests/support/berth_process.cpp — fork/exec of build/berth with a generated config, listen-line
// handshake, blocking HTTP helpers and signed ECS calls for tests.
#include "berth_process.hpp"

#include "aws/credentials_provider.hpp"
#include "aws/ecs_client.hpp"
#include "aws/http_client.hpp"
#include "aws/json_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace berth::testing {
namespace json = boost::json;
namespace asio = boost::asio;

namespace {

std::filesystem::path make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "berth-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

// TOML basic strings: escape backslashes and quotes.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

int wait_status_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string tail(const std::string& s, std::size_t n) { return s.size() <= n ? s : s.substr(s.size() - n); }

}  // namespace

BerthOptions BerthOptions::for_sim(const sim::SimProcess& sim) {
  BerthOptions o;
  o.endpoint = sim.endpoint();
  o.queue_url = sim.queue_url();
  if (const auto* clusters = sim.ready().as_object().if_contains("clusters");
      clusters != nullptr && clusters->is_array() && !clusters->as_array().empty())
    o.cluster = std::string(clusters->as_array().front().as_string());
  return o;
}

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

BerthProcess::BerthProcess(BerthOptions options) : options_(std::move(options)) {
  if (options_.binary.empty()) options_.binary = default_binary();
  if (options_.dir.empty()) {
    dir_ = make_temp_dir();
    own_dir_ = true;
  } else {
    dir_ = options_.dir;
    std::filesystem::create_directories(dir_);
  }
  std::ofstream(config_path()) << make_config_toml(options_, store_path());
  try {
    start();
  } catch (...) {
    if (own_dir_) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
    throw;
  }
}

BerthProcess::~BerthProcess() {
  if (pid_ > 0) stop();
  if (own_dir_) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

void BerthProcess::start() {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  int log_fd = ::open(log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open " + log_path().string());
  std::string binary = options_.binary;
  std::string config = config_path().string();
  std::vector<char*> argv{binary.data(), const_cast<char*>("serve"), const_cast<char*>("-c"), config.data(), nullptr};
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive a crashed test
    dup2(fds[1], STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    close(log_fd);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  close(log_fd);
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + options_.ready_timeout;
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fds[0], POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[1024];
    auto n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);  // berth writes nothing else to stdout
  if (line.find('\n') == std::string::npos) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    throw std::runtime_error("berth did not announce its address; log:\n" + tail(log(), 4000));
  }
  line.resize(line.find('\n'));
  listen_ = std::string(json::parse(line).at("listen").as_string());
  port_ = static_cast<unsigned short>(std::stoi(listen_.substr(listen_.rfind(':') + 1)));
}

std::string BerthProcess::log() const {
  std::ifstream in(log_path());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int BerthProcess::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return wait_status_code(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return wait_status_code(status);
}

void BerthProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void BerthProcess::reload() const {
  if (pid_ > 0) ::kill(pid_, SIGHUP);
}

void BerthProcess::restart() {
  if (pid_ > 0) stop();
  start();
}

sim::HttpResult BerthProcess::request(const std::string& method, const std::string& target, const std::string& body,
                                      const std::vector<std::pair<std::string, std::string>>& headers) const {
  namespace beast = boost::beast;
  namespace http = beast::http;
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, listen_);
  if (!options_.api_token.empty()) req.set(http::field::authorization, "Bearer " + options_.api_token);
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  beast::error_code ec;
  // Async ops run for at most 30 s: tcp_stream's timeout only applies to them.
  stream.expires_after(std::chrono::seconds(30));
  stream.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_),
                       [&](beast::error_code e) {
                         if (e) {
                           ec = e;
                           return;
                         }
                         http::async_write(stream, req, [&](beast::error_code e2, std::size_t) {
                           if (e2) {
                             ec = e2;
                             return;
                           }
                           http::async_read(stream, buffer, parser, [&](beast::error_code e3, std::size_t) { ec = e3; });
                         });
                       });
  ioc.run();
  if (ec) throw std::runtime_error(method + " " + target + ": " + ec.message());
  auto res = parser.release();
  sim::HttpResult out;
  out.status = res.result_int();
  out.body = std::move(res.body());
  for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  return out;
}

json::value BerthProcess::get(const std::string& target) const {
  auto r = request("GET", target);
  if (r.status / 100 != 2) throw std::runtime_error("GET " + target + " -> " + std::to_string(r.status) + " " + r.body);
  return r.json();
}

json::value BerthProcess::post(const std::string& target, const json::value& body) const {
  auto r = request("POST", target, json::serialize(body), {{"Content-Type", "application/json"}});
  if (r.status / 100 != 2)
    throw std::runtime_error("POST " + target + " -> " + std::to_string(r.status) + " " + r.body);
  return r.body.empty() ? json::value() : r.json();
}

json::value BerthProcess::put(const std::string& target, const json::value& body) const {
  auto r = request("PUT", target, json::serialize(body), {{"Content-Type", "application/json"}});
  if (r.status / 100 != 2) throw std::runtime_error("PUT " + target + " -> " + std::to_string(r.status) + " " + r.body);
  return r.body.empty() ? json::value() : r.json();
}

json::value BerthProcess::del(const std::string& target) const {
  auto r = request("DELETE", target);
  if (r.status / 100 != 2)
    throw std::runtime_error("DELETE " + target + " -> " + std::to_string(r.status) + " " + r.body);
  return r.body.empty() ? json::value() : r.json();
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    try {
      if (condition()) return true;
    } catch (const std::exception&) {
      // not yet (e.g. the process is still starting)
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

json::value signed_ecs_call(const std::string& endpoint, const std::string& operation, const json::object& body,
                            const std::string& region, const std::string& access_key, const std::string& secret_key) {
  asio::io_context io;
  auto cfg = aws::ecs::make_ecs_config(region, endpoint);
  if (!cfg) throw std::runtime_error("bad endpoint " + endpoint);
  aws::HttpOptions http_options;
  http_options.allow_plain_http = true;
  aws::HttpClient http(io.get_executor(), http_options);
  aws::StaticCredentialsProvider creds(aws::AwsCredentials{{access_key, secret_key, ""}, std::nullopt, "static"});
  aws::AwsJsonClient client(io.get_executor(), http, creds, *cfg);
  std::optional<aws::AwsResult<json::value>> out;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> { out = co_await client.call(operation, body, aws::ThrottleCategory::none,
                                                        aws::ecs::operation_idempotency(operation, body));
      },
      asio::detached);
  io.run_for(std::chrono::seconds(30));
  if (!out) throw std::runtime_error(operation + ": no answer");
  if (!*out) throw std::runtime_error(operation + ": " + out->error().describe());
  return std::move(**out);
}

std::string register_task_definition(const std::string& endpoint, const std::string& family, int cpu, int memory,
                                     bool health_check) {
  json::object container{{"name", family}, {"image", "public.ecr.aws/nginx/nginx:latest"}, {"cpu", cpu},
                         {"memory", memory}, {"essential", true}};
  if (health_check)
    container["healthCheck"] = json::object{{"command", json::array{"CMD-SHELL", "true"}}, {"interval", 5},
                                            {"timeout", 2}, {"retries", 3}};
  auto r = signed_ecs_call(endpoint, "RegisterTaskDefinition",
                           json::object{{"family", family}, {"containerDefinitions", json::array{container}}});
  const auto& td = r.at("taskDefinition").as_object();
  return family + ":" + std::to_string(td.at("revision").to_number<std::int64_t>());
}

std::vector<std::pair<std::string, int>> running_tasks_per_instance(const sim::SimProcess& sim,
                                                                    const std::string& cluster,
                                                                    const std::string& suffix) {
  auto state = sim.get("/_sim/state?tasks=1");
  std::vector<std::pair<std::string, int>> out;
  for (const auto& c : state.at("clusters").as_array()) {
    if (c.at("name").as_string() != cluster) continue;
    std::map<std::string, int> counts;
    for (const auto& i : c.at("instances").as_array()) {
      if (i.at("status").as_string() == "ACTIVE") counts[std::string(i.at("arn").as_string())] = 0;
    }
    for (const auto& t : c.at("tasks").as_array()) {
      if (t.at("last_status").as_string() != "RUNNING") continue;
      std::string td(t.at("task_definition").as_string());
      if (!suffix.empty() && (td.size() < suffix.size() || td.compare(td.size() - suffix.size(), suffix.size(), suffix) != 0))
        continue;
      ++counts[std::string(t.at("instance").as_string())];
    }
    out.assign(counts.begin(), counts.end());
  }
  return out;
}

}  // namespace berth::testing
