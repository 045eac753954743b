// File: src/process/process.cpp — startup, signal handling, reload, watchdog pings and the shutdown sequence.
#include "process/process.hpp"

#include <unistd.h>

#include <csignal>
#include <ostream>

#include <spdlog/logger.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "config/logging.hpp"

namespace berth::process {

namespace asio = boost::asio;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

std::string endpoint_string(const asio::ip::tcp::endpoint& ep) {
  config::ListenAddress a{ep.address().to_string(), ep.port()};
  return a.to_string();
}

std::string summarize(const std::vector<config::Change>& changes) {
  std::string out;
  for (const auto& c : changes) out += (out.empty() ? "" : ",") + c.key;
  return out;
}

}  // namespace

Process::Process(config::Config cfg, ProcessOptions options)
    : config_(std::move(cfg)),
      options_(std::move(options)),
      log_(logging::get("process")),
      notifier_(SdNotifier::from_environment()),
      signals_(io_),
      watchdog_timer_(io_),
      components_drained_(io_) {
  // Liveness only: 200 while the loop turns. Not behind auth, so load balancers and systemd checks can use it.
  router_.add(http::Verb::get, "/healthz", [this](const http::Request&) {
    return http::Response::json(200, {{"status", stopping_ ? "stopping" : "ok"}});
  });
}

Process::~Process() = default;

void Process::add_component(ComponentPtr component) {
  components_.push_back(std::move(component));
}

int Process::run() {
  logging::configure(config_.log);
  server_ = std::make_unique<http::Server>(io_, router_, http::ServerOptions::from_config(config_));
  auto bound = server_->listen(config_.server.listen.host, config_.server.listen.port);
  if (!bound) {
    log_->critical("cannot listen address={} error=\"{}\"", config_.server.listen.to_string(), bound.error().message());
    return 1;
  }
  listen_address_ = endpoint_string(*bound);

  // Handlers are installed before anyone can learn we are up, so an early SIGHUP never kills the process.
  if (options_.handle_signals) {
    signals_.add(SIGTERM);
    signals_.add(SIGINT);
    signals_.add(SIGHUP);
    asio::co_spawn(io_, signal_loop(), asio::detached);
  }
  if (options_.announce != nullptr) {
    *options_.announce << boost::json::serialize(boost::json::object{{"listen", listen_address_}}) << std::endl;
  }
  server_->start();
  start_components();
  if (notifier_.watchdog_interval()) asio::co_spawn(io_, watchdog_loop(), asio::detached);
  log_->info("serving listen={} clusters={} pid={}", listen_address_, config_.clusters.size(), ::getpid());
  notifier_.ready("serving on " + listen_address_);

  io_.run();
  log_->info("stopped exit_code={}", exit_code_);
  return exit_code_;
}

void Process::start_components() {
  for (auto& component : components_) {
    auto& cancel = component_cancel_.emplace_back();
    ++components_running_;
    std::string name(component->name());
    asio::co_spawn(io_, component->run(),
                   asio::bind_cancellation_slot(
                       cancel.slot(), [this, name](std::exception_ptr error) { component_done(name, error); }));
  }
}

void Process::component_done(std::string_view name, std::exception_ptr error) {
  --components_running_;
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      log_->error("component failed component={} error=\"{}\"", name, e.what());
    } catch (...) {
      log_->error("component failed component={} error=unknown", name);
    }
  } else if (!stopping_) {
    log_->warn("component ended before shutdown component={}", name);
  }
  if (stopping_ && components_running_ == 0) components_drained_.cancel();
}

asio::awaitable<void> Process::signal_loop() {
  while (!stopping_) {
    auto [ec, signo] = co_await signals_.async_wait(use_tuple);
    if (ec) break;  // cancelled at shutdown
    if (signo == SIGHUP) {
      reload();
    } else {
      co_await shutdown(signo == SIGTERM ? "SIGTERM" : "SIGINT");
    }
  }
}

asio::awaitable<void> Process::watchdog_loop() {
  // Pinging from the loop itself means a wedged loop stops the pings and systemd restarts us.
  const auto period = std::chrono::duration_cast<std::chrono::milliseconds>(*notifier_.watchdog_interval()) / 2;
  while (true) {
    notifier_.watchdog();
    watchdog_timer_.expires_after(std::max(period, std::chrono::milliseconds(1)));
    auto [ec] = co_await watchdog_timer_.async_wait(use_tuple);
    if (ec) break;
  }
}

void Process::request_stop() {
  asio::co_spawn(io_, shutdown("request"), asio::detached);
}

void Process::request_reload() {
  asio::post(io_, [this] { reload(); });
}

void Process::reload() {
  if (stopping_) return;
  if (options_.config_path.empty()) {
    log_->warn("reload ignored reason=\"no config file\"");
    return;
  }
  notifier_.reloading();
  log_->info("reloading config={}", options_.config_path.string());
  auto loaded = config::load_file(options_.config_path);
  if (!loaded) {
    log_->error("reload refused, keeping the current config error=\"{}\"", loaded.error().to_string());
    notifier_.ready("reload failed: " + loaded.error().to_string());
    return;
  }
  config::Config next = std::move(*loaded);
  auto changes = config::diff(config_, next);
  for (const auto& c : changes) {
    if (c.needs_restart)
      log_->warn("config change needs a restart key={} change=\"{}\"", c.key, c.description);
    else
      log_->info("config changed key={} change=\"{}\"", c.key, c.description);
  }
  // What cannot change in place keeps its running value, so config() always describes the live process.
  next.server.listen = config_.server.listen;
  next.store.path = config_.store.path;
  config_ = std::move(next);

  logging::configure(config_.log);
  if (server_) server_->set_options(http::ServerOptions::from_config(config_));
  for (auto& component : components_) {
    try {
      component->apply_config(config_, changes);
    } catch (const std::exception& e) {
      log_->error("component rejected config component={} error=\"{}\"", component->name(), e.what());
    }
  }
  log_->info("reloaded changes={} keys=\"{}\"", changes.size(), summarize(changes));
  notifier_.ready("serving on " + listen_address_);
}

asio::awaitable<void> Process::shutdown(std::string_view reason) {
  if (stopping_) co_return;
  stopping_ = true;
  const std::string why(reason);
  const auto timeout = config_.server.shutdown_timeout;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  log_->info("stopping reason={} timeout_ms={}", why, timeout.count());
  notifier_.stopping();

  for (auto& component : components_) {
    try {
      component->stop();
    } catch (const std::exception& e) {
      log_->error("component stop failed component={} error=\"{}\"", component->name(), e.what());
    }
  }
  if (server_) co_await server_->async_stop(timeout);

  if (components_running_ > 0) {
    components_drained_.expires_at(deadline);
    co_await components_drained_.async_wait(use_tuple);
  }
  if (components_running_ > 0) {
    log_->warn("shutdown deadline reached, cancelling components count={}", components_running_);
    for (auto& cancel : component_cancel_) cancel.emit(asio::cancellation_type::terminal);
    components_drained_.expires_after(std::chrono::seconds(1));
    co_await components_drained_.async_wait(use_tuple);
  }
  boost::system::error_code ec;
  signals_.cancel(ec);
  watchdog_timer_.cancel();
  if (components_running_ > 0) {
    // A component ignored cancellation; leaving beats hanging until systemd's SIGKILL.
    log_->error("components did not stop count={}, leaving anyway", components_running_);
    io_.stop();
  }
  exit_code_ = 0;
}

}  // namespace berth::process
