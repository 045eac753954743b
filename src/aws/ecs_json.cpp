// File: src/aws/ecs_json.cpp — JSON decoding of ECS tasks, container instances and failures.
#include "aws/ecs_json.hpp"

#include "aws/civil_time.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace berth::aws::ecs {
namespace json = boost::json;

namespace {

// Reads optional members of one JSON object; the first type error is kept and reported with its path.
class ObjectReader {
 public:
  ObjectReader(const json::object& obj, std::string path) : obj_(obj), path_(std::move(path)) {}

  void string(std::string_view key, std::string& out) {
    if (auto* v = find(key)) {
      if (v->is_string()) out = std::string(v->get_string());
      else fail(key, "expected string");
    }
  }
  void optional_string(std::string_view key, std::optional<std::string>& out) {
    if (auto* v = find(key)) {
      if (v->is_string()) out = std::string(v->get_string());
      else fail(key, "expected string");
    }
  }
  template <class Int>
  void integer(std::string_view key, Int& out) {
    if (auto* v = find(key)) {
      if (v->is_int64()) out = static_cast<Int>(v->get_int64());
      else if (v->is_uint64()) out = static_cast<Int>(v->get_uint64());
      else fail(key, "expected integer");
    }
  }
  template <class Int>
  void optional_integer(std::string_view key, std::optional<Int>& out) {
    if (auto* v = find(key)) {
      Int tmp{};
      integer(key, tmp);
      if (v->is_int64() || v->is_uint64()) out = tmp;
    }
  }
  void number(std::string_view key, double& out) {
    if (auto* v = find(key)) {
      if (v->is_number()) out = v->to_number<double>();
      else fail(key, "expected number");
    }
  }
  void boolean(std::string_view key, bool& out) {
    if (auto* v = find(key)) {
      if (v->is_bool()) out = v->get_bool();
      else fail(key, "expected boolean");
    }
  }
  void timestamp(std::string_view key, std::optional<Timestamp>& out) {
    if (auto* v = find(key)) {
      auto t = decode_timestamp(*v);
      if (t) out = *t;
      else fail(key, t.error().message);
    }
  }
  // Decodes an array member element by element with `decode(value, path) -> DecodeResult<T>`.
  template <class T, class Decode>
  void array(std::string_view key, std::vector<T>& out, Decode decode) {
    auto* v = find(key);
    if (!v) return;
    if (!v->is_array()) return fail(key, "expected array");
    const auto& arr = v->get_array();
    out.clear();
    out.reserve(arr.size());
    for (std::size_t i = 0; i < arr.size(); ++i) {
      auto item = decode(arr[i]);
      if (!item) {
        if (error_.empty()) error_ = path_ + std::string(key) + "[" + std::to_string(i) + "]." + item.error().message;
        return;
      }
      out.push_back(std::move(*item));
    }
  }
  // Decodes an object member with `decode(value) -> DecodeResult<T>`.
  template <class T, class Decode>
  void object(std::string_view key, T& out, Decode decode) {
    auto* v = find(key);
    if (!v) return;
    auto decoded = decode(*v);
    if (!decoded) {
      if (error_.empty()) error_ = path_ + std::string(key) + "." + decoded.error().message;
      return;
    }
    out = std::move(*decoded);
  }
  void string_array(std::string_view key, std::vector<std::string>& out) {
    array(key, out, [](const json::value& e) -> DecodeResult<std::string> {
      if (!e.is_string()) return DecodeError{"expected string"};
      return DecodeResult<std::string>(boost::system::in_place_value, e.get_string());
    });
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  const json::value* find(std::string_view key) const {
    auto* v = obj_.if_contains(key);
    return (v && !v->is_null()) ? v : nullptr;  // null is treated as absent
  }
  void fail(std::string_view key, std::string_view what) {
    if (error_.empty()) error_ = path_ + std::string(key) + ": " + std::string(what);
  }

  const json::object& obj_;
  std::string path_;
  std::string error_;
};

DecodeResult<Attribute> decode_attribute(const json::value& v) {
  if (!v.is_object()) return DecodeError{std::string("expected object")};
  Attribute a;
  ObjectReader r(v.get_object(), "");
  r.string("name", a.name);
  r.optional_string("value", a.value);
  if (!r.ok()) return DecodeError{r.error()};
  return a;
}

DecodeResult<Resource> decode_resource(const json::value& v) {
  if (!v.is_object()) return DecodeError{std::string("expected object")};
  Resource res;
  ObjectReader r(v.get_object(), "");
  r.string("name", res.name);
  r.string("type", res.type);
  r.integer("integerValue", res.integer_value);
  std::int64_t long_value = 0;
  r.integer("longValue", long_value);
  if (long_value != 0 && res.integer_value == 0) res.integer_value = long_value;
  r.number("doubleValue", res.double_value);
  r.string_array("stringSetValue", res.string_set_value);
  if (!r.ok()) return DecodeError{r.error()};
  return res;
}

DecodeResult<NetworkBinding> decode_network_binding(const json::value& v) {
  if (!v.is_object()) return DecodeError{std::string("expected object")};
  NetworkBinding b;
  ObjectReader r(v.get_object(), "");
  r.integer("containerPort", b.container_port);
  r.integer("hostPort", b.host_port);
  r.string("protocol", b.protocol);
  if (!r.ok()) return DecodeError{r.error()};
  return b;
}

DecodeResult<KeyValuePair> decode_key_value(const json::value& v) {
  if (!v.is_object()) return DecodeError{std::string("expected object")};
  KeyValuePair kv;
  ObjectReader r(v.get_object(), "");
  r.string("name", kv.name);
  r.string("value", kv.value);
  if (!r.ok()) return DecodeError{r.error()};
  return kv;
}

DecodeResult<ContainerOverride> decode_container_override(const json::value& v) {
  if (!v.is_object()) return DecodeError{std::string("expected object")};
  ContainerOverride c;
  ObjectReader r(v.get_object(), "");
  r.string("name", c.name);
  r.string_array("command", c.command);
  r.array("environment", c.environment, decode_key_value);
  if (!r.ok()) return DecodeError{r.error()};
  return c;
}

DecodeResult<TaskOverride> decode_task_override(const json::value& v) {
  if (!v.is_object()) return DecodeError{std::string("expected object")};
  TaskOverride o;
  ObjectReader r(v.get_object(), "");
  r.array("containerOverrides", o.container_overrides, decode_container_override);
  r.string("taskRoleArn", o.task_role_arn);
  if (!r.ok()) return DecodeError{r.error()};
  return o;
}

DecodeResult<VersionInfo> decode_version_info(const json::value& v) {
  if (!v.is_object()) return DecodeError{std::string("expected object")};
  VersionInfo info;
  ObjectReader r(v.get_object(), "");
  r.string("agentVersion", info.agent_version);
  r.string("agentHash", info.agent_hash);
  r.string("dockerVersion", info.docker_version);
  if (!r.ok()) return DecodeError{r.error()};
  return info;
}

DecodeResult<Container> decode_container(const json::value& v) {
  if (!v.is_object()) return DecodeError{std::string("expected object")};
  Container c;
  ObjectReader r(v.get_object(), "");
  r.string("containerArn", c.container_arn);
  r.string("name", c.name);
  r.string("lastStatus", c.last_status);
  r.optional_integer("exitCode", c.exit_code);
  r.string("reason", c.reason);
  r.string("healthStatus", c.health_status);
  r.array("networkBindings", c.network_bindings, decode_network_binding);
  if (!r.ok()) return DecodeError{r.error()};
  return c;
}

bool parse_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + n, out);
  return ec == std::errc{} && p == s.data() + pos + n;
}

}  // namespace

DecodeResult<Timestamp> parse_iso8601(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)
  int year, month, day, hour, minute, second;
  if (!parse_digits(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !parse_digits(s, 5, 2, month) ||
      s[7] != '-' || !parse_digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !parse_digits(s, 11, 2, hour) || s[13] != ':' || !parse_digits(s, 14, 2, minute) || s[16] != ':' ||
      !parse_digits(s, 17, 2, second))
    return DecodeError{std::string("malformed timestamp '") + std::string(s) + "'"};
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return DecodeError{std::string("timestamp out of range '") + std::string(s) + "'"};
  std::size_t pos = 19;
  std::int64_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::int64_t scale = 100000000;
    std::size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (scale > 0) nanos += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++digits;
    }
    if (digits == 0) return DecodeError{std::string("malformed timestamp fraction '") + std::string(s) + "'"};
  }
  std::int64_t offset_seconds = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!parse_digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !parse_digits(s, pos + 4, 2, om))
      return DecodeError{std::string("malformed timestamp offset '") + std::string(s) + "'"};
    offset_seconds = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return DecodeError{std::string("timestamp without time zone '") + std::string(s) + "'"};
  }
  if (pos != s.size()) return DecodeError{std::string("trailing characters in timestamp '") + std::string(s) + "'"};
  const std::int64_t secs = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
                            hour * 3600 + minute * 60 + second - offset_seconds;
  return Timestamp(std::chrono::duration_cast<Timestamp::duration>(std::chrono::seconds(secs) +
                                                                   std::chrono::nanoseconds(nanos)));
}

DecodeResult<Timestamp> decode_timestamp(const json::value& v) {
  if (v.is_string()) return parse_iso8601(v.get_string());
  if (v.is_number()) {
    const double secs = v.to_number<double>();
    if (!std::isfinite(secs)) return DecodeError{std::string("timestamp not finite")};
    const auto micros = static_cast<std::int64_t>(std::llround(secs * 1e6));
    return Timestamp(std::chrono::duration_cast<Timestamp::duration>(std::chrono::microseconds(micros)));
  }
  return DecodeError{std::string("expected timestamp (number or ISO-8601 string)")};
}

std::string format_iso8601(Timestamp t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  const int frac = static_cast<int>(ms - static_cast<std::int64_t>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

DecodeResult<Task> decode_task(const json::value& v) {
  if (!v.is_object()) return DecodeError{std::string("task: expected object")};
  Task t;
  ObjectReader r(v.get_object(), "");
  r.string("taskArn", t.task_arn);
  r.string("clusterArn", t.cluster_arn);
  r.string("taskDefinitionArn", t.task_definition_arn);
  r.string("containerInstanceArn", t.container_instance_arn);
  r.string("lastStatus", t.last_status);
  r.string("desiredStatus", t.desired_status);
  r.string("healthStatus", t.health_status);
  r.string("launchType", t.launch_type);
  r.string("group", t.group);
  r.string("startedBy", t.started_by);
  r.string("stopCode", t.stop_code);
  r.string("stoppedReason", t.stopped_reason);
  r.string("cpu", t.cpu);
  r.string("memory", t.memory);
  r.integer("version", t.version);
  r.array("containers", t.containers, decode_container);
  r.object("overrides", t.overrides, decode_task_override);
  r.timestamp("createdAt", t.created_at);
  r.timestamp("startedAt", t.started_at);
  r.timestamp("stoppingAt", t.stopping_at);
  r.timestamp("stoppedAt", t.stopped_at);
  r.timestamp("updatedAt", t.updated_at);
  if (!r.ok()) return DecodeError{r.error()};
  if (t.task_arn.empty()) return DecodeError{std::string("taskArn: missing")};
  return t;
}

DecodeResult<ContainerInstance> decode_container_instance(const json::value& v) {
  if (!v.is_object()) return DecodeError{std::string("container instance: expected object")};
  ContainerInstance ci;
  ObjectReader r(v.get_object(), "");
  r.string("containerInstanceArn", ci.container_instance_arn);
  r.string("clusterArn", ci.cluster_arn);
  r.string("ec2InstanceId", ci.ec2_instance_id);
  r.string("status", ci.status);
  r.boolean("agentConnected", ci.agent_connected);
  r.integer("version", ci.version);
  r.array("attributes", ci.attributes, decode_attribute);
  r.array("registeredResources", ci.registered_resources, decode_resource);
  r.array("remainingResources", ci.remaining_resources, decode_resource);
  r.integer("runningTasksCount", ci.running_tasks_count);
  r.integer("pendingTasksCount", ci.pending_tasks_count);
  r.timestamp("registeredAt", ci.registered_at);
  r.object("versionInfo", ci.version_info, decode_version_info);
  r.timestamp("updatedAt", ci.updated_at);
  if (!r.ok()) return DecodeError{r.error()};
  if (ci.container_instance_arn.empty()) return DecodeError{std::string("containerInstanceArn: missing")};
  return ci;
}

DecodeResult<Failure> decode_failure(const json::value& v) {
  if (!v.is_object()) return DecodeError{std::string("failure: expected object")};
  Failure f;
  ObjectReader r(v.get_object(), "");
  r.string("arn", f.arn);
  r.string("reason", f.reason);
  r.string("detail", f.detail);
  if (!r.ok()) return DecodeError{r.error()};
  return f;
}

}  // namespace berth::aws::ecs
