// File: src/reactor/event_decode.hpp — SQS message body -> EventBridge envelope -> typed ECS event.
// Task and container-instance state changes become typed events; other well-formed events (service
// actions, deployments, other sources) are recognised and ignored; anything else is a DecodeError
// that the caller logs, counts and leaves on the queue for its dead-letter policy.
// Also accepts the SNS envelope ({"Type":"Notification","Message":"<event json>"}) for queues fed
// through SNS.
#pragma once

#include "aws/ecs_types.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace berth::reactor {

inline constexpr std::size_t max_event_body_bytes = 256 * 1024;  // SQS message size limit

struct EventMeta {
  std::string id;           // EventBridge event id
  std::string detail_type;  // "ECS Task State Change", ...
  std::string source;       // "aws.ecs"
  std::string region;
  std::string account;
  std::optional<aws::ecs::Timestamp> time;
};

struct TaskEvent {
  EventMeta meta;
  aws::ecs::Task task;
};
struct InstanceEvent {
  EventMeta meta;
  aws::ecs::ContainerInstance instance;
};
struct IgnoredEvent {
  EventMeta meta;
};
using EcsEvent = std::variant<TaskEvent, InstanceEvent, IgnoredEvent>;

struct EventError {
  std::string message;
};
using EventResult = boost::system::result<EcsEvent, EventError>;

// Reuses its parser and memory between messages (decode is on the hot path: >= 100k events/s).
class EventDecoder {
 public:
  EventDecoder();
  EventResult decode(std::string_view sqs_body);

 private:
  EventResult decode_envelope(const boost::json::value& v, int depth, boost::json::monotonic_resource& resource);
  boost::json::parser parser_;
};

// Convenience for one-off decoding.
EventResult decode_event(std::string_view sqs_body);

}  // namespace berth::reactor
