// File: src/main.cpp — entry point of the berth daemon and CLI: serve, check-config, --version, --help.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "reactor/daemon.hpp"

#ifndef BERTH_VERSION
#define BERTH_VERSION "0.0.0"
#endif

namespace {

constexpr int exit_ok = 0;
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
  berth::reactor::DaemonOptions options;
  options.config_path = *path;
  options.announce = &std::cout;
  berth::reactor::Daemon daemon(std::move(*cfg), options);
  return daemon.run();
}
