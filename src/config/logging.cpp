// File: src/config/logging.cpp — text pattern and a JSON-lines formatter for every module logger.
#include "config/logging.hpp"

#include <string>

#include <spdlog/details/fmt_helper.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

namespace berth::logging {

namespace {

void append_escaped(spdlog::memory_buf_t& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  for (char c : s) {
    switch (c) {
      case '"':
        out.append(std::string_view("\\\""));
        break;
      case '\\':
        out.append(std::string_view("\\\\"));
        break;
      case '\n':
        out.append(std::string_view("\\n"));
        break;
      case '\r':
        out.append(std::string_view("\\r"));
        break;
      case '\t':
        out.append(std::string_view("\\t"));
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          const char esc[] = {'\\', 'u', '0', '0', hex[(c >> 4) & 0xf], hex[c & 0xf]};
          out.append(esc, esc + sizeof esc);
        } else {
          out.push_back(c);
        }
    }
  }
}

// One JSON object per line: {"ts":"2026-01-01T00:00:00.000Z","level":"info","logger":"http","msg":"..."}
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    ts_.format(msg, ts_buf_);
    dest.append(std::string_view("{\"ts\":\""));
    dest.append(ts_buf_.data(), ts_buf_.data() + ts_buf_.size());
    ts_buf_.clear();
    dest.append(std::string_view("\",\"level\":\""));
    auto level = spdlog::level::to_string_view(msg.level);
    dest.append(level.data(), level.data() + level.size());
    dest.append(std::string_view("\",\"logger\":\""));
    append_escaped(dest, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
    dest.append(std::string_view("\",\"msg\":\""));
    append_escaped(dest, std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(std::string_view("\"}\n"));
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }

 private:
  spdlog::pattern_formatter ts_{"%Y-%m-%dT%H:%M:%S.%eZ", spdlog::pattern_time_type::utc, ""};
  spdlog::memory_buf_t ts_buf_;
};

spdlog::level::level_enum to_spdlog(config::LogLevel l) {
  switch (l) {
    case config::LogLevel::trace:
      return spdlog::level::trace;
    case config::LogLevel::debug:
      return spdlog::level::debug;
    case config::LogLevel::info:
      return spdlog::level::info;
    case config::LogLevel::warn:
      return spdlog::level::warn;
    case config::LogLevel::error:
      return spdlog::level::err;
    case config::LogLevel::critical:
      return spdlog::level::critical;
    case config::LogLevel::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

void configure(const config::LogConfig& log) {
  // spdlog's own default logger writes to stdout; route it to stderr too, so stray spdlog::info(...) calls
  // cannot break the one-line stdout contract of `berth serve`.
  if (auto def = spdlog::default_logger(); !def || def->name() != "berth") spdlog::set_default_logger(get("berth"));
  if (log.format == config::LogFormat::json) {
    spdlog::set_formatter(std::make_unique<JsonFormatter>());
  } else {
    spdlog::set_formatter(
        std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%eZ %l %n: %v", spdlog::pattern_time_type::utc));
  }
  spdlog::set_level(to_spdlog(log.level));
  spdlog::flush_on(spdlog::level::trace);  // logs are few; flushing keeps them ordered with stdout and journald
}

}  // namespace berth::logging
