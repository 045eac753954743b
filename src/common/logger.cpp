// File: src/common/logger.cpp — module loggers registered with spdlog on a shared stderr sink.
#include "common/logger.hpp"

#include <string>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace berth::logging {

std::shared_ptr<spdlog::logger> get(std::string_view module) {
  static auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  std::string name(module);
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = std::make_shared<spdlog::logger>(name, sink);
  try {
    // initialize_logger, not register_logger: only it gives the logger the current global level and
    // formatter (a logger created after configure() would otherwise log in spdlog's default text format).
    spdlog::initialize_logger(logger);
  } catch (const spdlog::spdlog_ex&) {
    return spdlog::get(name);  // registered concurrently by another thread
  }
  return logger;
}

}  // namespace berth::logging
