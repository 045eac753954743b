// File: tests/foundation/process_test.cpp — runs build/berth as a child: CLI exit codes, the stdout address line,
// /healthz, SIGHUP with a bad then a good config, sd_notify datagrams on a socket the test owns, SIGTERM/SIGINT.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include <boost/json.hpp>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A child berth process with stdout on a pipe and stderr in a file.
class Child {
 public:
  Child(std::vector<std::string> args, const fs::path& stderr_file, std::vector<std::string> extra_env = {}) {
    int out[2];
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string_view v(*e);
      if (!v.starts_with("NOTIFY_SOCKET=") && !v.starts_with("WATCHDOG_")) env.emplace_back(v);
    }
    for (auto& e : extra_env) env.push_back(e);
    args.insert(args.begin(), BERTH_BINARY);
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, BERTH_BINARY, &actions, nullptr, argv.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    stdout_fd_ = out[0];
  }
  ~Child() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(stdout_fd_);
  }

  // The next stdout line, or "" after `timeout`.
  std::string read_line(std::chrono::milliseconds timeout = 10s) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left <= 0ms) return "";
      pollfd p{stdout_fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return "";
      char buf[1024];
      ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
      if (n <= 0) return "";
      buffer_.append(buf, static_cast<std::size_t>(n));
    }
  }

  // Exit code, or -1 if still running after `timeout` (then the child is killed), or 128+signal.
  int wait(std::chrono::milliseconds timeout = 20s) {
    auto until = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > until) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        exited_ = true;
        return -1;
      }
      std::this_thread::sleep_for(10ms);
    }
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  bool running() { return ::waitpid(pid_, nullptr, WNOHANG) == 0; }
  void signal(int signo) { ::kill(pid_, signo); }
  // Everything up to EOF (the child exiting), or what arrived within `timeout`.
  std::string rest_of_stdout(std::chrono::milliseconds timeout = 10s) {
    auto until = std::chrono::steady_clock::now() + timeout;
    std::string all = std::move(buffer_);
    buffer_.clear();
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      pollfd p{stdout_fd_, POLLIN, 0};
      if (left <= 0ms || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return all;
      char buf[1024];
      ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
      if (n <= 0) return all;
      all.append(buf, static_cast<std::size_t>(n));
    }
  }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  bool exited_ = false;
  std::string buffer_;
};

// The systemd side of NOTIFY_SOCKET.
class NotifySocket {
 public:
  explicit NotifySocket(fs::path path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
  }
  ~NotifySocket() {
    ::close(fd_);
    fs::remove(path_);
  }
  // Waits for a datagram starting with `prefix`, skipping WATCHDOG=1 pings (counted) and recording the rest.
  std::string expect(std::string_view prefix, std::chrono::milliseconds timeout = 10s) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left <= 0ms) return "<timeout waiting for " + std::string(prefix) + ">";
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) continue;
      std::string msg(buf, static_cast<std::size_t>(n));
      if (msg == "WATCHDOG=1") {
        ++watchdog_pings;
        if (prefix != "WATCHDOG=1") continue;
      }
      if (msg.starts_with(prefix)) return msg;
      skipped.push_back(msg);
    }
  }
  std::string path() const { return path_.string(); }
  int watchdog_pings = 0;
  std::vector<std::string> skipped;

 private:
  fs::path path_;
  int fd_ = -1;
};

// A blocking HTTP/1.1 GET over a plain socket: returns the status code (0 on failure).
int http_get(const std::string& address, const std::string& path, std::string* body = nullptr) {
  auto colon = address.rfind(':');
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1))));
  ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &sa.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return 0;
  }
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  (void)::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string reply;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) reply.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  if (!reply.starts_with("HTTP/1.1 ")) return 0;
  if (body) *body = reply.substr(reply.find("\r\n\r\n") + 4);
  return std::stoi(reply.substr(9, 3));
}

class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("berth-process-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) {
    auto p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }
  static std::string config(const std::string& extra = "") {
    return "[server]\nlisten = \"127.0.0.1:0\"\nshutdown_timeout = \"5s\"\n[aws]\nregion = \"us-east-1\"\n"
           "endpoint = \"http://127.0.0.1:1\"\n[store]\npath = \"berth.db\"\n" +
           extra;
  }
  // Runs berth to completion: exit code, with stdout/stderr in out/err.
  int run(std::vector<std::string> args, std::string* out = nullptr, std::string* err = nullptr) {
    Child c(std::move(args), dir_ / "stderr.txt");
    std::string o = c.rest_of_stdout();
    int code = c.wait();
    if (out) *out = o;
    if (err) *err = read_file(dir_ / "stderr.txt");
    return code;
  }
  // Reads the {"listen":"IP:PORT"} line.
  static std::string listen_address(Child& c) {
    std::string line = c.read_line();
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    if (ec || !v.is_object() || !v.as_object().contains("listen")) return "";
    return std::string(v.at("listen").as_string());
  }

  fs::path dir_;
};

TEST_F(ProcessTest, CommandLineExitCodes) {
  std::string out, err;
  EXPECT_EQ(run({"--version"}, &out), 0);
  EXPECT_EQ(out, "berth 0.1.0\n");
  EXPECT_EQ(run({"--help"}, &out), 0);
  EXPECT_NE(out.find("check-config"), std::string::npos);
  EXPECT_EQ(run({}, &out, &err), 2);
  EXPECT_NE(err.find("usage:"), std::string::npos);
  EXPECT_EQ(run({"frobnicate"}, &out, &err), 2);
  EXPECT_NE(err.find("unknown command \"frobnicate\""), std::string::npos);
  EXPECT_NE(err.find("usage:"), std::string::npos);
  EXPECT_EQ(run({"serve"}, &out, &err), 2);
  EXPECT_NE(err.find("missing -c FILE"), std::string::npos);

  auto good = write("good.toml", config());
  EXPECT_EQ(run({"check-config", "-c", good.string()}, &out), 0);
  EXPECT_EQ(out, "config OK: " + good.string() + "\n");
  auto good_json = write("good.json", R"({"aws":{"region":"us-east-1"}})");
  EXPECT_EQ(run({"check-config", "--config=" + good_json.string()}), 0);

  auto bad = write("bad.toml", config("[[clusters]]\nname = \"a\"\nqueue_url = 42\n"));
  EXPECT_EQ(run({"check-config", "--config", bad.string()}, &out, &err), 2);
  EXPECT_NE(err.find("clusters[0].queue_url: expected a string URL, got 42"), std::string::npos) << err;
  EXPECT_EQ(run({"serve", "-c", bad.string()}, &out, &err), 2);
  EXPECT_EQ(out, "");  // never announced
}

TEST_F(ProcessTest, ServeReloadAndStopWithSystemdNotifications) {
  auto cfg = write("berth.toml", config());
  NotifySocket notify(dir_ / "notify.sock");
  Child berth({"serve", "-c", cfg.string()}, dir_ / "stderr.txt",
              {"NOTIFY_SOCKET=" + notify.path(), "WATCHDOG_USEC=100000"});

  const std::string address = listen_address(berth);
  ASSERT_FALSE(address.empty()) << read_file(dir_ / "stderr.txt");
  EXPECT_EQ(address.rfind("127.0.0.1:", 0), 0u);
  EXPECT_EQ(notify.expect("READY=1"), "READY=1\nSTATUS=serving on " + address);
  EXPECT_EQ(notify.expect("WATCHDOG=1"), "WATCHDOG=1");
  std::string body;
  EXPECT_EQ(http_get(address, "/healthz", &body), 200);
  EXPECT_EQ(body, R"({"status":"ok"})");
  EXPECT_EQ(http_get(address, "/v1/nothing"), 404);

  // A bad config is refused: berth keeps running on the old one and says so to systemd.
  write("berth.toml", config("[log]\nlevel = \"loud\"\n"));
  berth.signal(SIGHUP);
  EXPECT_EQ(notify.expect("RELOADING=1").rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u);
  std::string after_bad = notify.expect("READY=1");
  EXPECT_NE(after_bad.find("STATUS=reload failed: log.level: expected one of"), std::string::npos) << after_bad;
  EXPECT_TRUE(berth.running());
  EXPECT_EQ(http_get(address, "/v1/nothing"), 404);

  // A good config applies in place: with a token set, unauthenticated requests are now refused.
  write("berth.toml", config("[log]\nlevel = \"debug\"\n[api]\nauth_token = \"0123456789abcdef\"\n"));
  berth.signal(SIGHUP);
  notify.expect("RELOADING=1");
  EXPECT_EQ(notify.expect("READY=1"), "READY=1\nSTATUS=serving on " + address);
  EXPECT_EQ(http_get(address, "/v1/nothing"), 401);
  EXPECT_EQ(http_get(address, "/healthz"), 200);

  berth.signal(SIGTERM);
  EXPECT_EQ(notify.expect("STOPPING=1"), "STOPPING=1");
  EXPECT_EQ(berth.wait(), 0);
  EXPECT_GE(notify.watchdog_pings, 1);

  const std::string log = read_file(dir_ / "stderr.txt");
  EXPECT_NE(log.find("reload refused, keeping the current config"), std::string::npos) << log;
  EXPECT_NE(log.find("config changed key=log.level change=\"info -> debug\""), std::string::npos) << log;
  EXPECT_NE(log.find("config changed key=api.auth_token change=\"set\""), std::string::npos) << log;
  EXPECT_EQ(log.find("0123456789abcdef"), std::string::npos) << "token leaked into the log";
}

TEST_F(ProcessTest, SigintStopsCleanlyAndJsonLogsAreJson) {
  auto cfg = write("berth.json", R"({"server":{"listen":"127.0.0.1:0"},"log":{"format":"json"},
                                     "aws":{"region":"us-east-1"},"store":{"path":"berth.db"}})");
  Child berth({"serve", "-c", cfg.string()}, dir_ / "stderr.txt");
  const std::string address = listen_address(berth);
  ASSERT_FALSE(address.empty()) << read_file(dir_ / "stderr.txt");
  EXPECT_EQ(http_get(address, "/healthz"), 200);
  berth.signal(SIGINT);
  EXPECT_EQ(berth.wait(), 0);
  std::istringstream log(read_file(dir_ / "stderr.txt"));
  std::string line;
  int lines = 0;
  while (std::getline(log, line)) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    EXPECT_FALSE(ec) << line;
    if (!ec) {
      EXPECT_TRUE(v.as_object().contains("msg")) << line;
    }
    ++lines;
  }
  EXPECT_GE(lines, 2);  // "serving" and "stopped"
}

TEST_F(ProcessTest, ListenFailureExitsWithOne) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  const int port = ntohs(sa.sin_port);
  auto cfg = write("busy.toml",
                   "[server]\nlisten = \"127.0.0.1:" + std::to_string(port) + "\"\n[aws]\nregion = \"us-east-1\"\n");
  std::string out, err;
  EXPECT_EQ(run({"serve", "-c", cfg.string()}, &out, &err), 1);
  EXPECT_EQ(out, "");
  EXPECT_NE(err.find("cannot listen"), std::string::npos) << err;
  ::close(fd);
}

}  // namespace
