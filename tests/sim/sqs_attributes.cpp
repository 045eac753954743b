// File: tests/sim/sqs_attributes.cpp — validation and reporting of a queue's settable attributes.
#include "sqs_attributes.hpp"

#include <array>
#include <charconv>

namespace berth::sim {
namespace json = boost::json;

namespace {

struct IntAttribute {
  const char* name;
  int QueueSettings::*field;
  int min, max;
};

constexpr std::array<IntAttribute, 5> int_attributes{{
    {"DelaySeconds", &QueueSettings::delay_seconds, 0, 900},
    {"MaximumMessageSize", &QueueSettings::maximum_message_size, 1024, 1048576},
    {"MessageRetentionPeriod", &QueueSettings::message_retention_period, 60, 1209600},
    {"ReceiveMessageWaitTimeSeconds", &QueueSettings::receive_message_wait_time_seconds, 0, 20},
    {"VisibilityTimeout", &QueueSettings::visibility_timeout, 0, 43200},
}};

constexpr std::array<const char*, 6> opaque_attributes{
    "Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled"};

constexpr std::array<const char*, 4> fifo_attributes{"FifoQueue", "ContentBasedDeduplication", "DeduplicationScope",
                                                     "FifoThroughputLimit"};

const IntAttribute* find_int(std::string_view name) {
  for (const auto& a : int_attributes)
    if (name == a.name) return &a;
  return nullptr;
}

bool is_opaque(std::string_view name) {
  for (const char* n : opaque_attributes)
    if (name == n) return true;
  return false;
}

bool is_fifo(std::string_view name) {
  for (const char* n : fifo_attributes)
    if (name == n) return true;
  return false;
}

// Decimal digits only, as SQS reads these values ("30", not "30s" or " 30").
std::optional<int> parse_int(std::string_view s) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || s.front() == '-') return std::nullopt;
  return v;
}

}  // namespace

std::optional<ApiError> apply_queue_attributes(const json::object& attributes, QueueSettings& settings) {
  QueueSettings next = settings;
  for (const auto& [key, value] : attributes) {
    const std::string_view name(key.data(), key.size());
    // The model makes every value a string (checked before this).
    const std::string_view text = value.is_string() ? std::string_view(value.as_string()) : std::string_view();
    if (is_fifo(name))
      return ApiError{"UnsupportedOperation", "The sim serves standard queues only; " + std::string(name) +
                                                  " (a FIFO queue attribute) is not supported.", 400};
    if (const auto* a = find_int(name)) {
      auto v = parse_int(text);
      if (!v || *v < a->min || *v > a->max)
        return ApiError{"InvalidAttributeValue", "Invalid value for the parameter " + std::string(name) + ".", 400};
      next.*(a->field) = *v;
      continue;
    }
    if (is_opaque(name)) {
      next.opaque[std::string(name)] = std::string(text);
      continue;
    }
    // Read-only (ApproximateNumberOfMessages, QueueArn, ...), "All", or not an attribute at all.
    return ApiError{"InvalidAttributeName", "Unknown Attribute " + std::string(name) + ".", 400};
  }
  settings = std::move(next);
  return std::nullopt;
}

std::optional<std::string> differing_queue_attribute(const json::object& attributes, const QueueSettings& settings) {
  for (const auto& [key, value] : attributes) {
    const std::string_view name(key.data(), key.size());
    const std::string_view text = value.is_string() ? std::string_view(value.as_string()) : std::string_view();
    if (const auto* a = find_int(name)) {
      if (parse_int(text) != settings.*(a->field)) return std::string(name);
      continue;
    }
    auto it = settings.opaque.find(std::string(name));
    if (it == settings.opaque.end() || it->second != text) return std::string(name);
  }
  return std::nullopt;
}

std::optional<std::string> queue_setting(const QueueSettings& settings, std::string_view name) {
  if (const auto* a = find_int(name)) return std::to_string(settings.*(a->field));
  if (auto it = settings.opaque.find(std::string(name)); it != settings.opaque.end()) return it->second;
  return std::nullopt;
}

}  // namespace berth::sim
