// File: src/reactor/event_decode.cpp — decoding of EventBridge ECS events from SQS bodies.
#include "reactor/event_decode.hpp"

#include "aws/ecs_json.hpp"

#include <boost/json.hpp>

namespace berth::reactor {

namespace json = boost::json;

namespace {

constexpr std::string_view task_change = "ECS Task State Change";
constexpr std::string_view instance_change = "ECS Container Instance State Change";

EventError error(std::string msg) { return EventError{std::move(msg)}; }

const json::string* string_member(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v ? v->if_string() : nullptr;
}

}  // namespace

EventDecoder::EventDecoder() : parser_(json::storage_ptr(), json::parse_options{}) {}

EventResult EventDecoder::decode(std::string_view body) {
  if (body.size() > max_event_body_bytes)
    return error("message body of " + std::to_string(body.size()) + " bytes exceeds the 256 KiB limit");
  // A fresh monotonic resource per message, over a stack buffer: typical events never touch the
  // heap for the DOM. (Reusing one resource via release() grows its block size without bound in
  // Boost 1.81 and eventually throws bad_alloc.)
  unsigned char buffer[8192];
  json::monotonic_resource resource(buffer, sizeof buffer);
  parser_.reset(json::storage_ptr(&resource));
  boost::system::error_code ec;
  parser_.write(body.data(), body.size(), ec);
  if (ec) return error("invalid JSON: " + ec.message());
  json::value v = parser_.release();
  return decode_envelope(v, 0, resource);
}

EventResult EventDecoder::decode_envelope(const json::value& v, int depth, json::monotonic_resource& resource) {
  const auto* o = v.if_object();
  if (!o) return error("event: expected a JSON object");
  // SNS → SQS delivery wraps the event as a string in "Message".
  if (auto* type = string_member(*o, "Type"); type && *type == "Notification" && depth == 0) {
    auto* msg = string_member(*o, "Message");
    if (!msg) return error("SNS notification without a Message string");
    boost::system::error_code ec;
    json::value inner = json::parse(*msg, ec, json::storage_ptr(&resource));
    if (ec) return error("SNS Message: invalid JSON: " + ec.message());
    return decode_envelope(inner, depth + 1, resource);
  }
  auto* detail_type = string_member(*o, "detail-type");
  auto* source = string_member(*o, "source");
  if (!detail_type) return error("event: missing or non-string \"detail-type\"");
  if (!source) return error("event: missing or non-string \"source\"");
  EventMeta meta;
  meta.detail_type = std::string(*detail_type);
  meta.source = std::string(*source);
  if (auto* s = string_member(*o, "id")) meta.id = std::string(*s);
  if (auto* s = string_member(*o, "region")) meta.region = std::string(*s);
  if (auto* s = string_member(*o, "account")) meta.account = std::string(*s);
  if (auto* t = o->if_contains("time")) {
    auto ts = aws::ecs::decode_timestamp(*t);
    if (!ts) return error("event.time: " + ts.error().message);
    meta.time = *ts;
  }
  const bool ecs = meta.source == "aws.ecs";
  const bool is_task = ecs && meta.detail_type == task_change;
  const bool is_instance = ecs && meta.detail_type == instance_change;
  if (!is_task && !is_instance) return EcsEvent{IgnoredEvent{std::move(meta)}};

  auto* detail = o->if_contains("detail");
  if (!detail || !detail->is_object()) return error(meta.detail_type + ": missing or non-object \"detail\"");
  if (is_task) {
    auto task = aws::ecs::decode_task(*detail);
    if (!task) return error(meta.detail_type + ": detail." + task.error().message);
    if (task->cluster_arn.empty()) return error(meta.detail_type + ": detail.clusterArn: missing");
    if (task->last_status.empty()) return error(meta.detail_type + ": detail.lastStatus: missing");
    return EcsEvent{TaskEvent{std::move(meta), std::move(*task)}};
  }
  auto inst = aws::ecs::decode_container_instance(*detail);
  if (!inst) return error(meta.detail_type + ": detail." + inst.error().message);
  if (inst->cluster_arn.empty()) return error(meta.detail_type + ": detail.clusterArn: missing");
  if (inst->status.empty()) return error(meta.detail_type + ": detail.status: missing");
  return EcsEvent{InstanceEvent{std::move(meta), std::move(*inst)}};
}

EventResult decode_event(std::string_view body) {
  EventDecoder d;
  return d.decode(body);
}

}  // namespace berth::reactor
