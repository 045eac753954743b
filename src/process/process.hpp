// File: src/process/process.hpp — the serving process: io_context, signals, systemd notify/watchdog, HTTP server,
// config reload and the ordered shutdown of registered components.
#pragma once

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <list>
#include <memory>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/config.hpp"
#include "process/component.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "process/sd_notify.hpp"

namespace spdlog {
class logger;
}

namespace berth::process {


struct ProcessOptions {
  std::filesystem::path config_path;  // re-read on SIGHUP; empty disables reload
  std::ostream* announce = nullptr;   // where the {"listen":"IP:PORT"} line goes (stdout in berth serve)
  bool handle_signals = true;         // tests driving request_stop()/request_reload() may turn this off
};

// Lifecycle:
//   run(): configure logging -> bind HTTP (fail: return 1) -> install signal handlers -> announce the bound
//   address -> start HTTP and components -> READY=1 -> serve.
//   SIGHUP: RELOADING=1 -> re-read the file -> refuse (keep old, log why) or apply (log the diff) -> READY=1.
//   SIGTERM/SIGINT: STOPPING=1 -> HTTP stops accepting and drains -> components stop() -> wait until
//   server.shutdown_timeout -> terminal cancellation -> run() returns 0.
class Process {
 public:
  Process(config::Config cfg, ProcessOptions options);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  boost::asio::io_context& io() { return io_; }
  // Add routes before run(). GET /healthz is already there.
  http::Router& router() { return router_; }
  // The config in effect (keys that need a restart keep their startup values).
  const config::Config& config() const { return config_; }
  // Register before run(); components start after the HTTP server is listening.
  void add_component(ComponentPtr component);

  // Blocks until shutdown completes. Returns the process exit code: 0 after a clean stop, 1 if startup failed.
  int run();

  // Same as SIGTERM / SIGHUP, callable from the loop thread (e.g. from a handler or a test).
  void request_stop();
  void request_reload();

  // The bound HTTP endpoint, valid after run() has started serving.
  std::string listen_address() const { return listen_address_; }

 private:
  boost::asio::awaitable<void> signal_loop();
  boost::asio::awaitable<void> watchdog_loop();
  boost::asio::awaitable<void> shutdown(std::string_view reason);
  void reload();
  void start_components();
  void component_done(std::string_view name, std::exception_ptr error);

  // Declared first so it is destroyed last: the I/O objects below must go before their io_context.
  boost::asio::io_context io_;
  config::Config config_;
  ProcessOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  SdNotifier notifier_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer watchdog_timer_;
  boost::asio::steady_timer components_drained_;
  std::vector<ComponentPtr> components_;
  std::list<boost::asio::cancellation_signal> component_cancel_;
  std::size_t components_running_ = 0;
  bool stopping_ = false;
  std::string listen_address_;
  int exit_code_ = 0;
};

}  // namespace berth::process
