// File: src/config/config.hpp — berth's typed configuration, parsed from TOML or JSON through one validation path.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/assert/source_location.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

namespace berth::config {

enum class LogLevel { trace, debug, info, warn, error, critical, off };
enum class LogFormat { text, json };
// Where AWS credentials come from. `chain` tries env, profile, container, imds in that order (like the SDKs).
enum class CredentialsSource { chain, static_keys, env, profile, container, imds };

std::string_view to_string(LogLevel);
std::string_view to_string(LogFormat);
std::string_view to_string(CredentialsSource);  // static_keys -> "static"

// An IP literal and a port; port 0 asks the kernel for a free port (the bound address is then printed).
struct ListenAddress {
  std::string host = "127.0.0.1";
  std::uint16_t port = 2000;
  std::string to_string() const;  // "127.0.0.1:2000", "[::1]:2000"
  bool operator==(const ListenAddress&) const = default;
};

struct ServerConfig {
  ListenAddress listen;
  std::size_t max_connections = 256;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};
  // How long SIGTERM waits for in-flight requests and components before cancelling them.
  std::chrono::milliseconds shutdown_timeout{std::chrono::seconds(10)};
  bool operator==(const ServerConfig&) const = default;
};

struct LogConfig {
  LogLevel level = LogLevel::info;
  LogFormat format = LogFormat::text;
  bool operator==(const LogConfig&) const = default;
};

// Secrets (secret_access_key, session_token) are never logged; diff() only says that they changed.
struct CredentialsConfig {
  CredentialsSource source = CredentialsSource::chain;
  std::string access_key_id;      // static only
  std::string secret_access_key;  // static only
  std::string session_token;      // static only, optional
  std::string profile;            // profile only, optional (default profile when empty)
  bool operator==(const CredentialsConfig&) const = default;
};

struct AwsConfig {
  std::string region;
  std::optional<std::string> endpoint;  // http(s) URL overriding every AWS endpoint (berth-sim)
  CredentialsConfig credentials;
  bool operator==(const AwsConfig&) const = default;
};

struct ClusterConfig {
  std::string name;       // ECS cluster name, unique within the config
  std::string queue_url;  // SQS queue that EventBridge fills with this cluster's ECS events
  std::chrono::seconds audit_interval{600};
  bool bootstrap = true;  // list/describe the cluster at start
  // Concurrent long polls of the queue: while one batch is applied and deleted, another receive is already
  // waiting, so a burst of events is not paced by one round trip at a time. Applies after a restart.
  int receivers = 2;
  bool operator==(const ClusterConfig&) const = default;
};

struct StoreConfig {
  std::string path = "/var/lib/berth/berth.db";
  bool operator==(const StoreConfig&) const = default;
};

struct ApiConfig {
  std::size_t max_body_bytes = 1024 * 1024;
  std::optional<std::string> auth_token;  // when set, every route except /healthz needs "Authorization: Bearer <token>"
  // Streaming answers (Blox's /v1/stream/..., Marathon's /v2/events): concurrent streams (more get 503), the
  // quiet interval after which a heartbeat is sent, the bytes buffered per client before a slow one is cut, and
  // how many entity changes berth keeps so that a reconnecting stream resumes without a gap.
  std::size_t max_streams = 64;
  std::chrono::seconds stream_heartbeat{15};
  std::size_t stream_buffer_bytes = 1024 * 1024;
  std::size_t change_history = 10'000;
  bool operator==(const ApiConfig&) const = default;
};

// How the scheduler treats instances and uncertain launches (every environment alike).
struct SchedulerConfig {
  // DRAINING instances: false keeps their daemon tasks running until the instance goes (like ECS keeps a
  // daemon task until the other tasks have drained); true stops them at once. Never a new launch there.
  bool stop_on_draining = false;
  // A StartTask whose outcome is unknown (timeout, 5xx) holds its instances; ECS is asked what happened
  // after `launch_doubt_check_after`, and the hold ends after `launch_doubt_expire_after` at the latest.
  std::chrono::seconds launch_doubt_check_after{10};
  std::chrono::seconds launch_doubt_expire_after{std::chrono::minutes(2)};
  bool operator==(const SchedulerConfig&) const = default;
};

struct Config {
  ServerConfig server;
  LogConfig log;
  AwsConfig aws;
  std::vector<ClusterConfig> clusters;
  StoreConfig store;
  ApiConfig api;
  SchedulerConfig scheduler;
  bool operator==(const Config&) const = default;
};

// A refused config: `path` names the key ("clusters[1].queue_url", empty for syntax errors),
// `message` says what was expected and what was found.
struct ConfigError {
  std::string path;
  std::string message;
  std::string to_string() const;  // "clusters[1].queue_url: expected a string URL, got 42"
};
[[noreturn]] void throw_exception_from_error(const ConfigError& e, const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, ConfigError>;

// The one validation path: every format is first turned into a JSON value, then checked here.
Result<Config> from_json_value(const boost::json::value& root);
Result<Config> parse_json(std::string_view text);
Result<Config> parse_toml(std::string_view text, std::string_view source_name = "config");
// Picks the format by extension (.toml or .json); refuses files over 1 MiB.
Result<Config> load_file(const std::filesystem::path& path);

// One line of the reload log. Secrets appear as "changed", never by value.
struct Change {
  std::string key;             // "log.level", "clusters[prod].queue_url", "clusters"
  std::string description;     // "info -> debug", "added \"prod\""
  bool needs_restart = false;  // e.g. server.listen and store.path apply only after a restart
};
// Pure: lists what differs between two valid configs, in a stable order.
std::vector<Change> diff(const Config& old_config, const Config& new_config);

}  // namespace berth::config
