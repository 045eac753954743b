// File: src/config/config.cpp — validates a JSON value (from TOML or JSON) into berth::config::Config.
#include "config/config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <sstream>

#include <boost/json.hpp>
#include <boost/throw_exception.hpp>

namespace berth::config {

namespace json = boost::json;

std::string_view to_string(LogLevel l) {
  switch (l) {
    case LogLevel::trace:
      return "trace";
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
    case LogLevel::critical:
      return "critical";
    case LogLevel::off:
      return "off";
  }
  return "?";
}

std::string_view to_string(LogFormat f) {
  return f == LogFormat::json ? "json" : "text";
}

std::string_view to_string(CredentialsSource s) {
  switch (s) {
    case CredentialsSource::chain:
      return "chain";
    case CredentialsSource::static_keys:
      return "static";
    case CredentialsSource::env:
      return "env";
    case CredentialsSource::profile:
      return "profile";
    case CredentialsSource::container:
      return "container";
    case CredentialsSource::imds:
      return "imds";
  }
  return "?";
}

std::string ListenAddress::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

std::string ConfigError::to_string() const {
  return path.empty() ? message : path + ": " + message;
}

void throw_exception_from_error(const ConfigError& e, const boost::source_location& loc) {
  boost::throw_exception(std::runtime_error(e.to_string()), loc);
}

namespace {

// Validation stops at the first error. A private exception carries it up to from_json_value(), the single
// boundary where it becomes a value again; this keeps every check below a single readable line.
struct Invalid {
  ConfigError error;
};
[[noreturn]] void fail(std::string path, std::string message) {
  throw Invalid{ConfigError{std::move(path), std::move(message)}};
}

// How a found value is shown in "got ..." (strings quoted, containers named rather than dumped).
std::string show(const json::value& v) {
  if (v.is_object()) return "a table";
  if (v.is_array()) return "an array";
  if (v.is_double()) {  // shortest round-trip form ("1.5"), not Boost.JSON's "1.5E0"
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_double());
    if (ec == std::errc()) return std::string(buf, end);
  }
  return json::serialize(v);
}

std::string join_keys(std::initializer_list<std::string_view> keys) {
  std::string out;
  for (auto k : keys) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

// One TOML table / JSON object: refuses unknown keys up front and hands out typed values.
class Table {
 public:
  Table(const json::value* v, std::string path, std::initializer_list<std::string_view> allowed)
      : path_(std::move(path)) {
    if (v == nullptr) return;  // absent section: every key takes its default
    if (!v->is_object()) fail(path_, "expected a table, got " + show(*v));
    obj_ = &v->get_object();
    for (const auto& kv : *obj_) {
      if (std::find(allowed.begin(), allowed.end(), std::string_view(kv.key())) == allowed.end())
        fail(key_path(kv.key()), "unknown key (allowed keys: " + join_keys(allowed) + ")");
    }
  }

  std::string key_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  const json::value* find(std::string_view key) const {
    if (obj_ == nullptr) return nullptr;
    return obj_->if_contains(key);
  }

  std::optional<std::string> string(std::string_view key, std::string_view expected) const {
    const json::value* v = find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) fail(key_path(key), "expected " + std::string(expected) + ", got " + show(*v));
    return std::string(v->get_string());
  }
  std::string required_string(std::string_view key, std::string_view expected) const {
    auto s = string(key, expected);
    if (!s) fail(key_path(key), "missing required key (expected " + std::string(expected) + ")");
    if (s->empty()) fail(key_path(key), "expected " + std::string(expected) + ", got \"\"");
    return *s;
  }

  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) const {
    const json::value* v = find(key);
    if (v == nullptr) return std::nullopt;
    std::string expected = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    std::int64_t n = 0;
    if (v->is_int64()) {
      n = v->get_int64();
    } else if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(max)) {
      n = static_cast<std::int64_t>(v->get_uint64());
    } else {
      fail(key_path(key), "expected " + expected + ", got " + show(*v));
    }
    if (n < min || n > max) fail(key_path(key), "expected " + expected + ", got " + show(*v));
    return n;
  }

  std::optional<bool> boolean(std::string_view key) const {
    const json::value* v = find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_bool()) fail(key_path(key), "expected true or false, got " + show(*v));
    return v->get_bool();
  }

  // Durations: an integer number of seconds, or a string with a unit: "500ms", "30s", "10m", "1h".
  std::optional<std::chrono::milliseconds> duration(std::string_view key) const {
    const json::value* v = find(key);
    if (v == nullptr) return std::nullopt;
    const std::string expected = "a positive duration such as 30, \"30s\", \"500ms\", \"10m\" or \"1h\"";
    if (v->is_int64() || v->is_uint64()) {
      auto n = integer(key, 1, 365LL * 24 * 3600);
      return std::chrono::seconds(*n);
    }
    if (!v->is_string()) fail(key_path(key), "expected " + expected + ", got " + show(*v));
    std::string_view s = v->get_string();
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    std::string_view unit(end, static_cast<std::size_t>(s.data() + s.size() - end));
    if (ec != std::errc() || n <= 0 || n > 365LL * 24 * 3600 * 1000)
      fail(key_path(key), "expected " + expected + ", got " + show(*v));
    if (unit == "ms") return std::chrono::milliseconds(n);
    if (unit == "s" || unit.empty()) return std::chrono::seconds(n);
    if (unit == "m") return std::chrono::minutes(n);
    if (unit == "h") return std::chrono::hours(n);
    fail(key_path(key), "expected " + expected + ", got " + show(*v));
  }

  // A duration of whole seconds within [min, max].
  std::optional<std::chrono::seconds> whole_seconds(std::string_view key, std::chrono::seconds min,
                                                    std::chrono::seconds max) const {
    auto d = duration(key);
    if (!d) return std::nullopt;
    if (*d < min || *d > max || *d % std::chrono::seconds(1) != std::chrono::milliseconds(0))
      fail(key_path(key), "expected whole seconds between " + std::to_string(min.count()) + "s and " +
                              std::to_string(max.count()) + "s, got " + std::to_string(d->count()) + "ms");
    return std::chrono::duration_cast<std::chrono::seconds>(*d);
  }

  template <class Enum>
  std::optional<Enum> enumeration(std::string_view key,
                                  std::initializer_list<std::pair<std::string_view, Enum>> names) const {
    const json::value* v = find(key);
    if (v == nullptr) return std::nullopt;
    std::string choices;
    for (const auto& [name, value] : names) choices += (choices.empty() ? "\"" : ", \"") + std::string(name) + "\"";
    if (v->is_string()) {
      for (const auto& [name, value] : names)
        if (v->get_string() == name) return value;
    }
    fail(key_path(key), "expected one of " + choices + ", got " + show(*v));
  }

 private:
  std::string path_;
  const json::object* obj_ = nullptr;
};

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::optional<std::uint16_t> parse_port(std::string_view s) {
  unsigned port = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || port > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(port);
}

std::optional<ListenAddress> parse_listen(std::string_view s) {
  ListenAddress out;
  std::string_view host, port;
  if (!s.empty() && s.front() == '[') {
    auto close = s.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    auto colon = s.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // IPv6 needs brackets
  }
  out.host = std::string(host);
  auto p = parse_port(port);
  if (!p || !is_ip_literal(out.host)) return std::nullopt;
  out.port = *p;
  return out;
}

// http(s)://host[:port][/path][?query], without whitespace. Enough to catch typos and swapped values.
bool is_http_url(std::string_view s) {
  std::string_view rest;
  if (s.starts_with("https://")) {
    rest = s.substr(8);
  } else if (s.starts_with("http://")) {
    rest = s.substr(7);
  } else {
    return false;
  }
  if (std::any_of(s.begin(), s.end(), [](char c) { return c <= ' ' || c == 0x7f; })) return false;
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
  std::string_view host = authority;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && (after.front() != ':' || !parse_port(after.substr(1)))) return false;
  } else if (auto colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    auto port = parse_port(authority.substr(colon + 1));
    if (!port || *port == 0) return false;
  }
  return !host.empty();
}

bool is_cluster_name(std::string_view s) {
  return !s.empty() && s.size() <= 255 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

bool is_region(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

ServerConfig read_server(const json::object& root) {
  Table t(root.if_contains("server"), "server",
          {"listen", "max_connections", "max_header_bytes", "read_timeout", "shutdown_timeout"});
  ServerConfig out;
  const std::string listen_expected = "an address \"IP:PORT\" such as \"127.0.0.1:2000\" or \"[::1]:2000\"";
  if (auto s = t.string("listen", listen_expected)) {
    auto addr = parse_listen(*s);
    if (!addr) fail(t.key_path("listen"), "expected " + listen_expected + ", got " + json::serialize(json::value(*s)));
    out.listen = *addr;
  }
  if (auto n = t.integer("max_connections", 1, 100000)) out.max_connections = static_cast<std::size_t>(*n);
  if (auto n = t.integer("max_header_bytes", 1024, 1024 * 1024)) out.max_header_bytes = static_cast<std::size_t>(*n);
  if (auto d = t.duration("read_timeout")) out.read_timeout = *d;
  if (auto d = t.duration("shutdown_timeout")) out.shutdown_timeout = *d;
  return out;
}

LogConfig read_log(const json::object& root) {
  Table t(root.if_contains("log"), "log", {"level", "format"});
  LogConfig out;
  if (auto l = t.enumeration<LogLevel>("level", {{"trace", LogLevel::trace},
                                                 {"debug", LogLevel::debug},
                                                 {"info", LogLevel::info},
                                                 {"warn", LogLevel::warn},
                                                 {"error", LogLevel::error},
                                                 {"critical", LogLevel::critical},
                                                 {"off", LogLevel::off}}))
    out.level = *l;
  if (auto f = t.enumeration<LogFormat>("format", {{"text", LogFormat::text}, {"json", LogFormat::json}}))
    out.format = *f;
  return out;
}

CredentialsConfig read_credentials(const json::value* v) {
  Table t(v, "aws.credentials", {"source", "access_key_id", "secret_access_key", "session_token", "profile"});
  CredentialsConfig out;
  if (auto s = t.enumeration<CredentialsSource>("source", {{"chain", CredentialsSource::chain},
                                                           {"static", CredentialsSource::static_keys},
                                                           {"env", CredentialsSource::env},
                                                           {"profile", CredentialsSource::profile},
                                                           {"container", CredentialsSource::container},
                                                           {"imds", CredentialsSource::imds}}))
    out.source = *s;
  const bool is_static = out.source == CredentialsSource::static_keys;
  for (std::string_view key : {"access_key_id", "secret_access_key", "session_token"}) {
    if (!is_static && t.find(key) != nullptr)
      fail(t.key_path(key),
           "only allowed with source = \"static\" (source is \"" + std::string(to_string(out.source)) + "\")");
  }
  if (out.source != CredentialsSource::profile && t.find("profile") != nullptr)
    fail(t.key_path("profile"),
         "only allowed with source = \"profile\" (source is \"" + std::string(to_string(out.source)) + "\")");
  if (is_static) {
    out.access_key_id = t.required_string("access_key_id", "a string access key id");
    out.secret_access_key = t.required_string("secret_access_key", "a string secret access key");
    out.session_token = t.string("session_token", "a string session token").value_or("");
  }
  out.profile = t.string("profile", "a string profile name").value_or("");
  return out;
}

AwsConfig read_aws(const json::object& root) {
  Table t(root.if_contains("aws"), "aws", {"region", "endpoint", "credentials"});
  AwsConfig out;
  out.region = t.required_string("region", "a region name such as \"us-east-1\"");
  if (!is_region(out.region))
    fail(t.key_path("region"),
         "expected a region name such as \"us-east-1\", got " + json::serialize(json::value(out.region)));
  if (auto e = t.string("endpoint", "a string URL such as \"http://127.0.0.1:4566\"")) {
    if (!is_http_url(*e))
      fail(t.key_path("endpoint"),
           "expected an http(s) URL such as \"http://127.0.0.1:4566\", got " + json::serialize(json::value(*e)));
    out.endpoint = *e;
  }
  out.credentials = read_credentials(t.find("credentials"));
  return out;
}

std::vector<ClusterConfig> read_clusters(const json::object& root) {
  std::vector<ClusterConfig> out;
  const json::value* v = root.if_contains("clusters");
  if (v == nullptr) return out;
  if (!v->is_array()) fail("clusters", "expected an array of tables ([[clusters]]), got " + show(*v));
  const auto& arr = v->get_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string path = "clusters[" + std::to_string(i) + "]";
    Table t(&arr[i], path, {"name", "queue_url", "audit_interval", "bootstrap", "receivers"});
    ClusterConfig c;
    c.name = t.required_string("name", "a string cluster name");
    if (!is_cluster_name(c.name))
      fail(t.key_path("name"),
           "expected a cluster name of 1-255 letters, digits, '-' or '_', got " + json::serialize(json::value(c.name)));
    for (std::size_t j = 0; j < out.size(); ++j) {
      if (out[j].name == c.name)
        fail(t.key_path("name"), "duplicate cluster name " + json::serialize(json::value(c.name)) + " (also clusters[" +
                                     std::to_string(j) + "])");
    }
    c.queue_url = t.required_string("queue_url", "a string URL");
    if (!is_http_url(c.queue_url))
      fail(t.key_path("queue_url"),
           "expected an http(s) SQS queue URL, got " + json::serialize(json::value(c.queue_url)));
    if (auto d = t.duration("audit_interval")) {
      if (*d < std::chrono::seconds(1)) fail(t.key_path("audit_interval"), "expected at least 1s");
      c.audit_interval = std::chrono::duration_cast<std::chrono::seconds>(*d);
    }
    if (auto b = t.boolean("bootstrap")) c.bootstrap = *b;
    if (auto n = t.integer("receivers", 1, 10)) c.receivers = static_cast<int>(*n);
    out.push_back(std::move(c));
  }
  return out;
}

StoreConfig read_store(const json::object& root) {
  Table t(root.if_contains("store"), "store", {"path"});
  StoreConfig out;
  if (auto p = t.string("path", "a string file path")) {
    if (p->empty()) fail(t.key_path("path"), "expected a non-empty file path, got \"\"");
    out.path = *p;
  }
  return out;
}

ApiConfig read_api(const json::object& root) {
  Table t(root.if_contains("api"), "api",
          {"max_body_bytes", "auth_token", "max_streams", "stream_heartbeat", "stream_buffer_bytes", "change_history"});
  ApiConfig out;
  if (auto n = t.integer("max_body_bytes", 1, 1024LL * 1024 * 1024)) out.max_body_bytes = static_cast<std::size_t>(*n);
  if (auto n = t.integer("max_streams", 1, 10'000)) out.max_streams = static_cast<std::size_t>(*n);
  if (auto d = t.whole_seconds("stream_heartbeat", std::chrono::seconds(1), std::chrono::minutes(10)))
    out.stream_heartbeat = *d;
  if (auto n = t.integer("stream_buffer_bytes", 4096, 1024LL * 1024 * 1024))
    out.stream_buffer_bytes = static_cast<std::size_t>(*n);
  if (auto n = t.integer("change_history", 1, 10'000'000)) out.change_history = static_cast<std::size_t>(*n);
  if (auto tok = t.string("auth_token", "a string token")) {
    // The token itself is never echoed back in errors.
    if (tok->size() < 16) fail(t.key_path("auth_token"), "expected a token of at least 16 characters");
    out.auth_token = *tok;
  }
  return out;
}

SchedulerConfig read_scheduler(const json::object& root) {
  Table t(root.if_contains("scheduler"), "scheduler",
          {"stop_on_draining", "launch_doubt_check_after", "launch_doubt_expire_after"});
  SchedulerConfig out;
  if (auto b = t.boolean("stop_on_draining")) out.stop_on_draining = *b;
  if (auto d = t.whole_seconds("launch_doubt_check_after", std::chrono::seconds(1), std::chrono::hours(1)))
    out.launch_doubt_check_after = *d;
  if (auto d = t.whole_seconds("launch_doubt_expire_after", std::chrono::seconds(1), std::chrono::hours(1)))
    out.launch_doubt_expire_after = *d;
  if (out.launch_doubt_expire_after < out.launch_doubt_check_after)
    fail(t.key_path("launch_doubt_expire_after"),
         "expected at least launch_doubt_check_after (" + std::to_string(out.launch_doubt_check_after.count()) +
             "s), got " + std::to_string(out.launch_doubt_expire_after.count()) + "s");
  return out;
}

}  // namespace

Result<Config> from_json_value(const json::value& root) {
  try {
    if (!root.is_object()) fail("", "expected a table at the top level, got " + show(root));
    const auto& obj = root.get_object();
    Table top(&root, "", {"server", "log", "aws", "clusters", "store", "api", "scheduler"});
    Config cfg;
    cfg.server = read_server(obj);
    cfg.log = read_log(obj);
    cfg.aws = read_aws(obj);
    cfg.clusters = read_clusters(obj);
    cfg.store = read_store(obj);
    cfg.api = read_api(obj);
    cfg.scheduler = read_scheduler(obj);
    return cfg;
  } catch (Invalid& e) {
    return std::move(e.error);
  }
}

Result<Config> parse_json(std::string_view text) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 32;
  json::value v = json::parse(text, ec, {}, opts);
  if (ec) return ConfigError{"", "invalid JSON: " + ec.message()};
  return from_json_value(v);
}

Result<Config> load_file(const std::filesystem::path& path) {
  constexpr std::uintmax_t max_size = 1024 * 1024;
  const std::string ext = path.extension().string();
  if (ext != ".toml" && ext != ".json") return ConfigError{"", path.string() + ": expected a .toml or .json file"};
  std::error_code fec;
  auto size = std::filesystem::file_size(path, fec);
  if (fec) return ConfigError{"", path.string() + ": cannot read: " + fec.message()};
  if (size > max_size) return ConfigError{"", path.string() + ": file is larger than 1 MiB"};
  std::ifstream in(path, std::ios::binary);
  if (!in) return ConfigError{"", path.string() + ": cannot open"};
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto r = ext == ".toml" ? parse_toml(text, path.string()) : parse_json(text);
  if (!r && r.error().path.empty() && ext == ".json") r.error().message = path.string() + ": " + r.error().message;
  return r;
}

}  // namespace berth::config
