// File: tests/sim/main.cpp — berth-sim entry point: flags, bind, print the ready line, serve until SIGINT/SIGTERM.
#include "http_server.hpp"
#include "sim.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/parse.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

namespace {

const char* usage =
    "usage: berth-sim --listen 127.0.0.1:PORT [--cluster NAME]... [--instances N] [--queue NAME]\n"
    "                 [--seed S] [--task-start-ms MS] [--task-stop-ms MS] [--throttle on|off]\n"
    "                 [--stopped-task-retention-ms MS]\n"
    "                 [--models DIR] [--no-auth] [--access-key K] [--secret-key S] [--region R]\n"
    "                 [--instance-cpu N] [--instance-memory MIB] [--instance-type T]\n"
    "                 [--faults JSON] [--event-delay-ms MS] [--event-duplicate-rate P]\n"
    "                 [--event-reorder-rate P] [--event-loss-rate P] [--api-error-rate P]\n"
    "                 [--api-latency-rate P] [--api-latency-ms MS] [--task-start-failure-rate P]\n";

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "berth-sim: %s\n%s", msg.c_str(), usage);
  std::exit(2);
}

long number(const std::string& flag, const std::string& v) {
  try {
    std::size_t pos = 0;
    long n = std::stol(v, &pos);
    if (pos != v.size()) throw std::invalid_argument(v);
    return n;
  } catch (...) {
    die(flag + " needs an integer, got '" + v + "'");
  }
}

berth::sim::SimConfig parse(int argc, char** argv) {
  berth::sim::SimConfig c;
#ifdef BERTH_TESTDATA_DIR
  c.models_dir = std::string(BERTH_TESTDATA_DIR) + "/aws-models";
#endif
  bool listen = false;
  boost::json::object faults;
  for (int i = 1; i < argc; ++i) {
    std::string f = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die(f + " needs a value");
      return argv[++i];
    };
    if (f == "--listen") {
      std::string v = value();
      auto colon = v.rfind(':');
      if (colon == std::string::npos) die("--listen wants HOST:PORT");
      c.host = v.substr(0, colon);
      long port = number(f, v.substr(colon + 1));
      if (port < 0 || port > 65535) die("--listen port out of range");
      c.port = static_cast<unsigned short>(port);
      listen = true;
    } else if (f == "--cluster") c.clusters.push_back(value());
    else if (f == "--instances") c.instances = static_cast<int>(number(f, value()));
    else if (f == "--queue") c.queue = value();
    else if (f == "--seed") c.seed = static_cast<std::uint64_t>(number(f, value()));
    else if (f == "--task-start-ms") c.task_start_ms = static_cast<int>(number(f, value()));
    else if (f == "--task-stop-ms") c.task_stop_ms = static_cast<int>(number(f, value()));
    else if (f == "--stopped-task-retention-ms") c.stopped_task_retention_ms = number(f, value());
    else if (f == "--throttle") {
      std::string v = value();
      if (v != "on" && v != "off") die("--throttle wants on or off");
      c.throttle = v == "on";
    } else if (f == "--models") c.models_dir = value();
    else if (f == "--no-auth") c.auth = false;
    else if (f == "--access-key") c.access_key = value();
    else if (f == "--secret-key") c.secret_key = value();
    else if (f == "--region") c.region = value();
    else if (f == "--instance-cpu") c.instance_spec.cpu = static_cast<int>(number(f, value()));
    else if (f == "--instance-memory") c.instance_spec.memory = static_cast<int>(number(f, value()));
    else if (f == "--instance-type") c.instance_spec.instance_type = value();
    else if (f == "--faults") {
      boost::system::error_code ec;
      auto v = boost::json::parse(value(), ec);
      if (ec || !v.is_object()) die("--faults wants a JSON object");
      for (auto& [k, x] : v.as_object()) faults[k] = x;
    } else if (f.rfind("--", 0) == 0 && (f.find("-rate") != std::string::npos || f.find("-ms") != std::string::npos)) {
      std::string key = f.substr(2);
      for (auto& ch : key)
        if (ch == '-') ch = '_';
      try {
        faults[key] = std::stod(value());
      } catch (...) {
        die(f + " needs a number");
      }
    } else if (f == "--help" || f == "-h") {
      std::fputs(usage, stdout);
      std::exit(0);
    } else die("unknown flag " + f);
  }
  if (!listen) die("--listen is required");
  if (c.host != "127.0.0.1" && c.host != "localhost") die("berth-sim listens on loopback only");
  if (c.instances < 0 || c.instances > 100000) die("--instances out of range");
  if (c.task_start_ms < 0 || c.task_stop_ms < 0) die("task delays must be >= 0");
  if (c.stopped_task_retention_ms < 0 || c.stopped_task_retention_ms > 7LL * 24 * 3600 * 1000)
    die("--stopped-task-retention-ms must be within [0, 604800000]");
  if (auto bad = c.faults.update(faults)) die(*bad);
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  auto config = parse(argc, argv);
  boost::asio::io_context ioc(1);
  boost::asio::ip::tcp::acceptor acceptor(ioc);
  try {
    boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), config.port);
    acceptor.open(ep.protocol());
    acceptor.set_option(boost::asio::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "berth-sim: cannot listen: %s\n", e.what());
    return 1;
  }
  const auto port = acceptor.local_endpoint().port();
  std::unique_ptr<berth::sim::Sim> sim;
  try {
    sim = std::make_unique<berth::sim::Sim>(ioc, config, "http://127.0.0.1:" + std::to_string(port));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "berth-sim: startup failed: %s\n", e.what());
    return 1;
  }
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) { ioc.stop(); });
  boost::asio::co_spawn(ioc, berth::sim::async_serve(acceptor, *sim), boost::asio::detached);
  std::cout << sim->ready_line() << std::endl;  // one line, flushed: the ready signal
  ioc.run();
  return 0;
}
