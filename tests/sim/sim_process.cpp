// File: tests/sim/sim_process.cpp — fork/exec of berth-sim, ready-line handshake and a blocking HTTP client.
#include "sim_process.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <strings.h>

namespace berth::sim {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

std::string HttpResult::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  return {};
}

json::value HttpResult::json() const { return json::parse(body); }

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
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  std::vector<char*> argv;
  argv.push_back(binary.data());
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // The sim must not outlive a crashed test process.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + ready_timeout;
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fds[0], POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[4096];
    auto n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  if (line.find('\n') == std::string::npos) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    throw std::runtime_error("berth-sim did not become ready: " + binary);
  }
  line.resize(line.find('\n'));
  ready_ = json::parse(line);
  endpoint_ = std::string(ready_.at("endpoint").as_string());
  queue_url_ = std::string(ready_.at("queue_url").as_string());
  port_ = static_cast<unsigned short>(std::stoi(endpoint_.substr(endpoint_.rfind(':') + 1)));
}

SimProcess::~SimProcess() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    usleep(20000);
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

HttpResult SimProcess::request(const std::string& method, const std::string& target, const std::string& body,
                               const std::vector<std::pair<std::string, std::string>>& headers) const {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(stream, buffer, parser);
  auto res = parser.release();
  HttpResult out;
  out.status = res.result_int();
  out.body = std::move(res.body());
  for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  return out;
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
