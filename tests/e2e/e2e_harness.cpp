// File: tests/e2e/e2e_harness.cpp — berth child process, signed sim calls and sim-state helpers for the e2e suite.
#include "e2e_harness.hpp"

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

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "aws/sigv4.hpp"

namespace berth::e2e {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// ---- TempDir ----

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::filesystem::path root = base && *base ? base : "/tmp";
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto p = root / ("berth-e2e-" + std::to_string(getpid()) + "-" + std::to_string(rd() % 1000000));
    std::error_code ec;
    if (std::filesystem::create_directory(p, ec)) {
      path_ = p;
      return;
    }
  }
  throw std::runtime_error("cannot create a temp dir under " + root.string());
}

TempDir::~TempDir() {
  if (std::getenv("BERTH_E2E_KEEP")) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

// ---- HTTP ----

HttpResult http_call(unsigned short port, const std::string& method, const std::string& target,
                     const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers,
                     std::chrono::seconds timeout) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(timeout);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  beast::error_code write_ec;
  http::write(stream, req, write_ec);
  // A server may answer (e.g. 413) and close before reading a large body: the answer still counts.
  beast::error_code read_ec;
  http::read(stream, buffer, parser, read_ec);
  if (read_ec) throw std::runtime_error(method + " " + target + ": " + (write_ec ? write_ec : read_ec).message());
  auto res = parser.release();
  HttpResult out;
  out.status = res.result_int();
  out.body = std::move(res.body());
  for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  return out;
}

// ---- BerthProcess ----

std::string BerthProcess::default_binary() {
#ifdef BERTH_BINARY
  return BERTH_BINARY;
#else
  return "berth";
#endif
}

BerthProcess::BerthProcess(const SimProcess& sim, std::filesystem::path dir, BerthOptions options)
    : sim_(sim), dir_(std::move(dir)), options_(std::move(options)) {
  config_path_ = dir_ / "berth.toml";
  log_path_ = dir_ / "berth.log";
  write_config();
  start();
}

void BerthProcess::write_config() const {
  std::ofstream cfg(config_path_);
  cfg << "[server]\nlisten = \"127.0.0.1:0\"\nshutdown_timeout = \"5s\"\n\n"
      << "[log]\nlevel = \"" << options_.log_level << "\"\n\n"
      << "[aws]\nregion = \"us-east-1\"\nendpoint = \"" << sim_.endpoint() << "\"\n\n"
      << "[aws.credentials]\nsource = \"static\"\naccess_key_id = \"AKIDEXAMPLE\"\n"
      << "secret_access_key = \"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\"\n\n"
      << "[[clusters]]\nname = \"" << options_.cluster << "\"\nqueue_url = \"" << sim_.queue_url() << "\"\n"
      << "audit_interval = \"" << options_.audit_interval << "\"\n\n"
      << "[store]\npath = \"" << (dir_ / "berth.db").string() << "\"\n\n"
      << options_.extra_toml << "\n";
  if (!cfg) throw std::runtime_error("cannot write " + config_path_.string());
}

void BerthProcess::reload(std::string extra_toml) {
  options_.extra_toml = std::move(extra_toml);
  write_config();
  if (pid_ <= 0 || ::kill(pid_, SIGHUP) != 0) throw std::runtime_error("cannot send SIGHUP to berth");
}

BerthProcess::~BerthProcess() {
  if (pid_ > 0) stop();
}

void BerthProcess::start() {
  if (pid_ > 0) throw std::runtime_error("berth already running");
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  int log_fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open " + log_path_.string());
  std::string binary = default_binary();
  std::vector<std::string> args{binary, "serve", "-c", config_path_.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
    dup2(fds[1], STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(log_fd);
  close(fds[1]);
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fds[0], POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[1024];
    auto n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);  // berth writes nothing else on stdout
  if (line.find('\n') == std::string::npos) {
    kill_hard();
    throw std::runtime_error("berth did not announce its address; log tail:\n" + log_tail());
  }
  line.resize(line.find('\n'));
  auto ready = json::parse(line);
  std::string listen(ready.at("listen").as_string());
  port_ = static_cast<unsigned short>(std::stoi(listen.substr(listen.rfind(':') + 1)));
}

void BerthProcess::kill_hard() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

int BerthProcess::stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 500; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    usleep(20000);
  }
  kill_hard();
  return -1;
}

bool BerthProcess::alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::string BerthProcess::log_tail(std::size_t bytes) const {
  std::ifstream in(log_path_, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

HttpResult BerthProcess::api(const std::string& method, const std::string& target, const std::string& body) const {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  return http_call(port_, method, target, body, headers);
}

json::value BerthProcess::get_json(const std::string& target) const {
  auto r = api("GET", target);
  if (r.status / 100 != 2) throw std::runtime_error("GET " + target + " -> " + std::to_string(r.status) + " " + r.body);
  return r.json();
}

json::value BerthProcess::post_json(const std::string& target, const json::value& body) const {
  auto r = api("POST", target, json::serialize(body));
  if (r.status / 100 != 2) throw std::runtime_error("POST " + target + " -> " + std::to_string(r.status) + " " + r.body);
  return r.json();
}

// ---- signed sim calls ----

namespace {

HttpResult signed_call(const SimProcess& sim, const std::string& service, const std::string& content_type,
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
  aws::sigv4::sign_request(req, {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""}, params);
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& h : req.headers)
    if (h.name != "Host") headers.emplace_back(h.name, h.value);
  return sim.request("POST", "/", req.body, headers);
}

std::string family_rev(std::string_view arn) {
  auto slash = arn.rfind('/');
  return std::string(slash == std::string_view::npos ? arn : arn.substr(slash + 1));
}

std::string str(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

double num(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_number() ? v->to_number<double>() : 0.0;
}

}  // namespace

HttpResult ecs_call(const SimProcess& sim, const std::string& op, const json::value& body) {
  return signed_call(sim, "ecs", "application/x-amz-json-1.1", "AmazonEC2ContainerServiceV20141113." + op, body);
}

HttpResult sqs_call(const SimProcess& sim, const std::string& op, const json::value& body) {
  return signed_call(sim, "sqs", "application/x-amz-json-1.0", "AmazonSQS." + op, body);
}

std::string register_task_definition(const SimProcess& sim, const std::string& family, int cpu, int memory) {
  json::object container{{"name", "app"}, {"image", "public.ecr.aws/docker/library/busybox:latest"},
                         {"cpu", cpu}, {"memory", memory}, {"essential", true}};
  auto r = ecs_call(sim, "RegisterTaskDefinition",
                    json::object{{"family", family}, {"containerDefinitions", json::array{container}}});
  if (r.status != 200) throw std::runtime_error("RegisterTaskDefinition " + family + ": " + r.body);
  auto td = r.json().at("taskDefinition").as_object();
  return family + ":" + std::to_string(td.at("revision").to_number<std::int64_t>());
}

// ---- sim state ----

std::set<std::string> SimView::instance_arns(const std::string& status) const {
  std::set<std::string> out;
  for (const auto& i : instances)
    if (status.empty() || i.status == status) out.insert(i.arn);
  return out;
}

std::map<std::string, std::vector<SimTask>> SimView::live_by_instance(const std::string& family) const {
  std::map<std::string, std::vector<SimTask>> out;
  for (const auto& t : tasks)
    if (t.live() && t.family() == family) out[t.instance].push_back(t);
  return out;
}

std::map<std::string, std::vector<SimTask>> SimView::all_by_instance(const std::string& family) const {
  std::map<std::string, std::vector<SimTask>> out;
  for (const auto& t : tasks)
    if (t.family() == family) out[t.instance].push_back(t);
  return out;
}

std::size_t SimView::without_healthy(const std::string& family, const std::set<std::string>& among) const {
  std::set<std::string> healthy;
  for (const auto& t : tasks)
    if (t.healthy() && t.family() == family) healthy.insert(t.instance);
  std::size_t n = 0;
  for (const auto& i : among) n += healthy.count(i) ? 0 : 1;
  return n;
}

SimView sim_view(const SimProcess& sim, const std::string& cluster) {
  auto state = sim.get("/_sim/state?tasks=1");
  SimView view;
  for (const auto& cv : state.at("clusters").as_array()) {
    const auto& c = cv.as_object();
    if (str(c, "name") != cluster) continue;
    if (auto* insts = c.if_contains("instances"))
      for (const auto& iv : insts->as_array()) {
        const auto& i = iv.as_object();
        SimInstance si{str(i, "arn"), str(i, "id"), str(i, "ec2_instance_id"), str(i, "status"), true};
        if (auto* a = i.if_contains("agent_connected"); a && a->is_bool()) si.agent_connected = a->as_bool();
        view.instances.push_back(std::move(si));
      }
    if (auto* tasks = c.if_contains("tasks"))
      for (const auto& tv : tasks->as_array()) {
        const auto& t = tv.as_object();
        view.tasks.push_back(SimTask{str(t, "arn"), str(t, "last_status"), str(t, "desired_status"),
                                     str(t, "instance"), family_rev(str(t, "task_definition"))});
      }
  }
  return view;
}

std::string check_one_per_instance(const SimView& view, const std::string& family, const std::set<std::string>& expected,
                                   const std::string& task_definition) {
  auto live = view.live_by_instance(family);
  std::size_t ok = 0;
  std::string first_problem;
  auto note = [&](const std::string& why) {
    if (first_problem.empty()) first_problem = why;
  };
  for (const auto& inst : expected) {
    auto it = live.find(inst);
    if (it == live.end()) {
      note("no task on " + inst);
      continue;
    }
    if (it->second.size() != 1) {
      note(std::to_string(it->second.size()) + " live tasks on " + inst);
      continue;
    }
    const auto& t = it->second.front();
    if (!t.healthy()) {
      note("task " + t.arn + " is " + t.last_status + "/" + t.desired_status);
      continue;
    }
    if (!task_definition.empty() && t.task_definition != task_definition) {
      note("task " + t.arn + " runs " + t.task_definition);
      continue;
    }
    ++ok;
  }
  for (const auto& [inst, ts] : live)
    if (!expected.count(inst)) note(std::to_string(ts.size()) + " live task(s) on unexpected instance " + inst);
  if (ok == expected.size() && first_problem.empty()) return {};
  return std::to_string(ok) + "/" + std::to_string(expected.size()) + " instances right; first problem: " +
         first_problem;
}

json::array describe_env_tasks(const SimProcess& sim, const std::string& cluster, const std::string& started_by) {
  std::vector<std::string> arns;
  for (const char* desired : {"RUNNING", "STOPPED"}) {
    std::string token;
    do {
      json::object req{{"cluster", cluster}, {"startedBy", started_by}, {"desiredStatus", desired}, {"maxResults", 100}};
      if (!token.empty()) req["nextToken"] = token;
      auto r = ecs_call(sim, "ListTasks", req);
      if (r.status != 200) throw std::runtime_error("ListTasks: " + r.body);
      auto parsed = r.json();
      const auto& body = parsed.as_object();
      for (const auto& a : body.at("taskArns").as_array()) arns.emplace_back(a.as_string());
      token = str(body, "nextToken");
    } while (!token.empty());
  }
  json::array out;
  for (std::size_t i = 0; i < arns.size(); i += 100) {
    json::array batch;
    for (std::size_t j = i; j < std::min(arns.size(), i + 100); ++j) batch.push_back(json::value(arns[j]));
    auto r = ecs_call(sim, "DescribeTasks", json::object{{"cluster", cluster}, {"tasks", batch}});
    if (r.status != 200) throw std::runtime_error("DescribeTasks: " + r.body);
    auto described = r.json();  // keep the document alive while iterating it
    for (auto& t : described.as_object().at("tasks").as_array()) out.push_back(t);
  }
  return out;
}

std::vector<std::string> overlapping_tasks(const SimProcess& sim, const std::string& cluster,
                                           const std::string& started_by) {
  struct Span {
    double created, stopped;  // stopped = +inf while not STOPPED
    std::string arn;
  };
  std::map<std::string, std::vector<Span>> by_instance;
  for (const auto& tv : describe_env_tasks(sim, cluster, started_by)) {
    const auto& t = tv.as_object();
    double stopped = str(t, "lastStatus") == "STOPPED" ? num(t, "stoppedAt") : 1e300;
    by_instance[str(t, "containerInstanceArn")].push_back(Span{num(t, "createdAt"), stopped, str(t, "taskArn")});
  }
  std::vector<std::string> out;
  for (auto& [inst, spans] : by_instance) {
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.created < b.created; });
    for (std::size_t i = 1; i < spans.size(); ++i)
      if (spans[i].created < spans[i - 1].stopped)
        out.push_back(inst + ": " + spans[i].arn + " created while " + spans[i - 1].arn + " was not stopped");
  }
  return out;
}

std::map<std::string, std::int64_t> ecs_call_counts(const SimProcess& sim) {
  static const std::set<std::string> sqs_ops{"ReceiveMessage", "DeleteMessage", "DeleteMessageBatch", "SendMessage",
                                             "SendMessageBatch", "ChangeMessageVisibility",
                                             "ChangeMessageVisibilityBatch", "GetQueueAttributes", "GetQueueUrl",
                                             "PurgeQueue", "ListQueues", "CreateQueue"};
  std::map<std::string, std::int64_t> out;
  auto stats = sim.stats();
  for (const auto& [op, n] : stats.at("api_calls").as_object())
    if (!sqs_ops.count(std::string(op))) out[std::string(op)] = n.to_number<std::int64_t>();
  return out;
}

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout, std::chrono::milliseconds every) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

json::object environment_body(const std::string& name, const std::string& task_definition, const std::string& cluster) {
  return json::object{{"name", name},
                      {"instanceGroup", json::object{{"cluster", cluster}, {"attributes", json::array()}}},
                      {"taskDefinition", task_definition}};
}

std::string deployment_status(const BerthProcess& berth, const std::string& env, const std::string& id) {
  try {
    auto r = berth.api("GET", "/v1/environments/" + env + "/deployments/" + id);
    if (r.status != 200) return {};
    return str(r.json().as_object(), "status");
  } catch (const std::exception&) {
    return {};
  }
}

std::string wait_deployment_final(BerthProcess& berth, const std::string& env, const std::string& id,
                                  std::chrono::milliseconds timeout) {
  std::string status;
  wait_until(
      [&] {
        if (!berth.alive()) return true;
        status = deployment_status(berth, env, id);
        return status == "completed" || status == "failed" || status == "rolled_back";
      },
      timeout, 250ms);
  return status;
}

}  // namespace berth::e2e
