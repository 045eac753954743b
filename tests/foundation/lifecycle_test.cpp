// File: tests/foundation/lifecycle_test.cpp — the Process lifecycle in-process: components start, receive reloads, stop in
// order, and are cancelled at the shutdown deadline when they ignore stop().
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "process/process.hpp"

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace berth;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Waits on a timer until stop() cancels it; records what happened to it.
class PoliteComponent : public process::Component {
 public:
  explicit PoliteComponent(asio::io_context& io) : timer_(io) {}
  std::string_view name() const override { return "polite"; }
  asio::awaitable<void> run() override {
    started = true;
    while (!stop_requested) {
      timer_.expires_after(1h);
      co_await timer_.async_wait(use_tuple);
    }
    finished = true;
  }
  void apply_config(const config::Config& cfg, const std::vector<config::Change>& changes) override {
    applied_level = cfg.log.level;
    for (const auto& c : changes) applied_keys.push_back(c.key);
  }
  void stop() override {
    stop_requested = true;
    timer_.cancel();
  }

  bool started = false, stop_requested = false, finished = false;
  std::optional<config::LogLevel> applied_level;
  std::vector<std::string> applied_keys;

 private:
  asio::steady_timer timer_;
};

// Ignores stop(); only the terminal cancellation at the deadline ends it.
class StubbornComponent : public process::Component {
 public:
  std::string_view name() const override { return "stubborn"; }
  asio::awaitable<void> run() override {
    asio::steady_timer t(co_await asio::this_coro::executor, 1h);
    auto [ec] = co_await t.async_wait(use_tuple);
    cancelled = ec == asio::error::operation_aborted;
  }
  bool cancelled = false;
};

class ProcessLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("berth-process-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write_config(const std::string& extra) {
    auto p = dir_ / "berth.toml";
    std::ofstream(p) << "[server]\nlisten = \"127.0.0.1:0\"\nshutdown_timeout = \"200ms\"\n"
                        "[aws]\nregion = \"us-east-1\"\n[store]\npath = \"x.db\"\n"
                     << extra;
    return p;
  }
  // Runs `script` on the process's loop once it serves; returns run()'s exit code.
  template <class Script>
  int run_process(process::Process& d, Script script) {
    asio::co_spawn(
        d.io(),
        [&d, script]() -> asio::awaitable<void> {
          co_await script();
          d.request_stop();
        },
        asio::detached);
    return d.run();
  }
  // Lets everything already queued on the loop run first (the loop is FIFO): no sleeps, no timing guesses.
  static asio::awaitable<void> settle() {
    for (int i = 0; i < 3; ++i) co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  }

  fs::path dir_;
};

TEST_F(ProcessLifecycleTest, ComponentsRunReceiveReloadsAndStop) {
  auto path = write_config("");
  auto cfg = config::load_file(path);
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  process::ProcessOptions options;
  options.config_path = path;
  options.handle_signals = false;
  process::Process d(*cfg, options);
  auto polite = std::make_shared<PoliteComponent>(d.io());
  d.add_component(polite);

  int code = run_process(d, [&]() -> asio::awaitable<void> {
    co_await settle();
    EXPECT_TRUE(polite->started);
    EXPECT_FALSE(d.listen_address().empty());
    // A bad file: nothing reaches the component and the old config stays.
    write_config("[log]\nlevel = 7\n");
    d.request_reload();
    co_await settle();
    EXPECT_FALSE(polite->applied_level);
    EXPECT_EQ(d.config().log.level, config::LogLevel::info);
    // A good one: applied, with the diff; listen stays what is bound (it needs a restart).
    std::ofstream(path) << "[server]\nlisten = \"127.0.0.1:9\"\nshutdown_timeout = \"200ms\"\n"
                           "[log]\nlevel = \"warn\"\n[aws]\nregion = \"us-east-1\"\n[store]\npath = \"x.db\"\n";
    d.request_reload();
    co_await settle();
    EXPECT_EQ(polite->applied_level, config::LogLevel::warn);
    EXPECT_EQ(polite->applied_keys, (std::vector<std::string>{"server.listen", "log.level"}));
    EXPECT_EQ(d.config().log.level, config::LogLevel::warn);
    EXPECT_EQ(d.config().server.listen.port, 0);
  });
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(polite->stop_requested);
  EXPECT_TRUE(polite->finished);
}

TEST_F(ProcessLifecycleTest, ComponentsIgnoringStopAreCancelledAtTheDeadline) {
  auto cfg = config::load_file(write_config(""));
  ASSERT_TRUE(cfg);
  process::ProcessOptions options;
  options.handle_signals = false;
  process::Process d(*cfg, options);
  auto stubborn = std::make_shared<StubbornComponent>();
  auto polite = std::make_shared<PoliteComponent>(d.io());
  d.add_component(stubborn);
  d.add_component(polite);
  EXPECT_EQ(run_process(d, []() -> asio::awaitable<void> { co_await settle(); }), 0);
  EXPECT_TRUE(stubborn->cancelled);
  EXPECT_TRUE(polite->finished);
}

TEST_F(ProcessLifecycleTest, HealthzIsRegisteredAndListenFailureReturnsOne) {
  auto cfg = config::load_file(write_config(""));
  ASSERT_TRUE(cfg);
  process::ProcessOptions options;
  options.handle_signals = false;
  process::Process d(*cfg, options);
  http::Request req;
  req.path = "/healthz";
  auto res = d.router().dispatch_sync(req);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200u);

  config::Config bad = *cfg;
  bad.server.listen.host = "192.0.2.1";  // TEST-NET-1: not an address of this machine
  process::Process unbindable(bad, options);
  EXPECT_EQ(unbindable.run(), 1);
}

}  // namespace
