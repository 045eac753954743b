// File: src/config/logging.hpp — spdlog setup: the level and format (text or JSON lines) of every module
// logger (logging::get, common/logger.hpp).
#pragma once

#include "common/logger.hpp"
#include "config/config.hpp"

namespace berth::logging {

// Applies level and format to every logger, existing and future, and makes spdlog's default logger
// (spdlog::info(...)) write to the same stderr sink. Called at start and on each reload.
void configure(const config::LogConfig& log);

}  // namespace berth::logging
