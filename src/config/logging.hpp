// File: src/config/logging.hpp — spdlog setup: one named logger per module on a shared stderr sink, text or JSON.
#pragma once

#include <memory>
#include <string_view>

#include <spdlog/logger.h>

#include "config/config.hpp"

namespace berth::logging {

// The logger for a module ("http", "daemon", "aws", ...), created on first use. Thread-safe, cheap to call
// once and keep. Logs go to stderr: stdout carries only berth's machine-readable lines (see README).
std::shared_ptr<spdlog::logger> get(std::string_view module);

// Applies level and format to every logger, existing and future, and makes spdlog's default logger
// (spdlog::info(...)) write to the same stderr sink. Called at start and on each reload.
void configure(const config::LogConfig& log);

}  // namespace berth::logging
