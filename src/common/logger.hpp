// File: src/common/logger.hpp — the named spdlog logger of a module, on berth's one stderr sink.
// Kept apart from config/logging (which configures level and format) so that every module, down to the
// AWS clients and the reactor, logs through the same registered loggers that a reload reconfigures.
#pragma once

#include <memory>
#include <string_view>

#include <spdlog/logger.h>

namespace berth::logging {

// The logger for a module ("http", "daemon", "aws", ...), created on first use with the level and format
// last set by logging::configure (and changed by every later configure). Thread-safe, cheap to call once
// and keep. Logs go to stderr: stdout carries only berth's machine-readable lines (see README).
std::shared_ptr<spdlog::logger> get(std::string_view module);

}  // namespace berth::logging
