// File: src/main.cpp — entry point of the berth service process and CLI: serve, check-config, --version, --help.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "http/api/api_v1.hpp"
#include "http/api_routes.hpp"
#include "http/cluster_state/cluster_state_api.hpp"
#include "http/marathon/marathon_event_stream.hpp"
#include "metrics/prometheus_text.hpp"
#include "process/process.hpp"
#include "http/api/scheduler_adapters.hpp"
#include "reactor/scheduler_component.hpp"
#include "store/sqlite_desired_state_store.hpp"

#include <algorithm>
#include <filesystem>
#include <memory>

#ifndef BERTH_VERSION
#define BERTH_VERSION "0.0.0"
#endif

namespace {

constexpr int exit_ok = 0;
constexpr int exit_startup = 1;  // store or AWS client could not be set up
constexpr int exit_usage = 2;  // bad command line or bad config

constexpr std::string_view usage_text =
    "usage: berth <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve -c FILE          run the scheduler with the config FILE (.toml or .json)\n"
    "  check-config -c FILE   validate FILE and exit (0: valid, 2: invalid)\n"
    "\n"
    "options:\n"
    "  -c, --config FILE      config file\n"
    "  -h, --help             show this help\n"
    "  --version              show the version\n"
    "\n"
    "berth serve prints one JSON line on stdout once listening: {\"listen\":\"IP:PORT\"}; logs go to stderr.\n"
    "Signals: SIGHUP reloads the config, SIGTERM/SIGINT stop gracefully.\n";

int usage_error(std::string_view message) {
  std::cerr << "berth: " << message << "\n\n" << usage_text;
  return exit_usage;
}

// Parses "-c FILE", "--config FILE" and "--config=FILE"; anything else is an error.
std::optional<std::string> config_option(const std::vector<std::string_view>& args, std::string& error) {
  std::optional<std::string> path;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "-c" || a == "--config") {
      if (i + 1 >= args.size()) {
        error = std::string(a) + " needs a file";
        return std::nullopt;
      }
      path = std::string(args[++i]);
    } else if (a.starts_with("--config=")) {
      path = std::string(a.substr(9));
    } else {
      error = "unknown option \"" + std::string(a) + "\"";
      return std::nullopt;
    }
  }
  if (!path || path->empty()) error = "missing -c FILE";
  return path;
}

berth::config::Result<berth::config::Config> load(const std::string& path) {
  auto cfg = berth::config::load_file(path);
  if (!cfg) std::cerr << "berth: invalid config " << path << ": " << cfg.error().to_string() << "\n";
  return cfg;
}

// Opens the store (creating its folder), builds the scheduler and the /v1 API, then runs the process.
int serve(berth::config::Config cfg, const std::string& path) {
  std::error_code ec;
  const std::filesystem::path store_path(cfg.store.path);
  if (store_path.has_parent_path()) std::filesystem::create_directories(store_path.parent_path(), ec);
  if (ec) {
    std::cerr << "berth: cannot create the store folder " << store_path.parent_path() << ": " << ec.message() << "\n";
    return exit_startup;
  }
  berth::process::ProcessOptions options;
  options.config_path = path;
  options.announce = &std::cout;
  berth::process::Process process(cfg, options);

  auto store = berth::store::SqliteDesiredStateStore::open(process.io().get_executor(), cfg.store.path);
  if (!store) {
    std::cerr << "berth: cannot open the store " << cfg.store.path << ": " << store.error().message << "\n";
    return exit_startup;
  }

  std::shared_ptr<berth::reactor::Scheduler> scheduler;
  try {
    berth::reactor::SchedulerSettings settings;
    settings.change_history = cfg.api.change_history;
    scheduler = std::make_shared<berth::reactor::Scheduler>(process.io(), cfg, **store, settings);
  } catch (const std::exception& e) {
    std::cerr << "berth: cannot set up the scheduler: " << e.what() << "\n";
    return exit_startup;
  }
  berth::http::api::ApiV1Options api_options;
  // The HTTP server enforces api.max_body_bytes while reading (413) and takes a new value on SIGHUP; ApiV1's own
  // copy of the limit could not follow a reload, so it only backs the server up with a hard ceiling.
  api_options.max_body_bytes = std::max<std::size_t>(cfg.api.max_body_bytes, 64 * 1024 * 1024);
  const berth::http::api::SchedulerClusterView cluster_view(*scheduler);
  berth::http::api::SchedulerReconcile reconcile(*scheduler);
  berth::http::api::ApiV1 api(
      **store, cluster_view, reconcile, [] { return std::chrono::system_clock::now(); },
      berth::http::api::random_deployment_id, api_options);
  berth::http::add_api_routes(process.router(), api, [s = scheduler.get()] { return s->stats_json(); });
  berth::http::api::EcsSchedulerApi ecs_scheduler_api(
      **store, cluster_view, [] { return std::chrono::system_clock::now(); }, api_options.max_body_bytes);
  berth::http::add_ecs_scheduler_routes(process.router(), ecs_scheduler_api);
  berth::http::api::ChronosApi chronos_api(
      **store, cluster_view, [] { return std::chrono::system_clock::now(); }, api_options.max_body_bytes);
  berth::http::add_chronos_routes(process.router(), chronos_api);
  // Blox's cluster-state-service: /v1/instances, /v1/tasks and their streams, from the model and its history.
  berth::http::api::SchedulerClusterState cluster_state_source(*scheduler);
  berth::http::cluster_state::ClusterStateOptions cluster_state_options;
  cluster_state_options.stream.heartbeat_interval = cfg.api.stream_heartbeat;
  cluster_state_options.stream.max_buffered_bytes = cfg.api.stream_buffer_bytes;
  berth::http::cluster_state::ClusterStateApi cluster_state(cluster_state_source, cluster_state_options);
  cluster_state.mount(process.router());
  berth::http::marathon::MarathonOptions marathon_options;
  marathon_options.max_body_bytes = api_options.max_body_bytes;
  marathon_options.leader = [&process] { return process.listen_address(); };
  marathon_options.berth_version = BERTH_VERSION;
  berth::http::marathon::MarathonApi marathon_api(
      **store, cluster_view, reconcile, [] { return std::chrono::system_clock::now(); },
      berth::http::api::random_deployment_id, marathon_options);
  berth::http::add_marathon_routes(process.router(), marathon_api);
  // Marathon's GET /v2/events: the store feed and the model's change history as SSE.
  berth::http::marathon::MarathonEventOptions marathon_event_options;
  marathon_event_options.stream.heartbeat_interval = cfg.api.stream_heartbeat;
  marathon_event_options.stream.max_buffered_bytes = cfg.api.stream_buffer_bytes;
  berth::http::marathon::MarathonEventStream marathon_events(
      **store, cluster_state_source, marathon_api, [] { return std::chrono::system_clock::now(); },
      marathon_event_options);
  marathon_events.mount(process.router());
  berth::http::add_metrics_route(process.router(),
                                 [s = scheduler.get()] { return berth::metrics::render_prometheus(s->metrics()); });
  process.add_component(scheduler);
  return process.run();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) return usage_error("missing command");
  const std::string_view command = args.front();
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << usage_text;
    return exit_ok;
  }
  if (command == "--version") {
    std::cout << "berth " << BERTH_VERSION << "\n";
    return exit_ok;
  }
  if (command != "serve" && command != "check-config")
    return usage_error("unknown command \"" + std::string(command) + "\"");

  std::vector<std::string_view> rest(args.begin() + 1, args.end());
  for (auto a : rest) {
    if (a == "--help" || a == "-h") {
      std::cout << usage_text;
      return exit_ok;
    }
  }
  std::string error;
  auto path = config_option(rest, error);
  if (!error.empty()) return usage_error(error);

  auto cfg = load(*path);
  if (!cfg) return exit_usage;
  if (command == "check-config") {
    std::cout << "config OK: " << *path << "\n";
    return exit_ok;
  }

  // Peers closing connections must not kill the process; Asio reports EPIPE as an error instead.
  std::signal(SIGPIPE, SIG_IGN);
  return serve(std::move(*cfg), *path);
}
