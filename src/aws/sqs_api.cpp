// File: src/aws/sqs_api.cpp — SQS request bodies (member names from the botocore model) and response parsing.
#include "aws/sqs_api.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace berth::aws::sqs {
namespace json = boost::json;

namespace {

AwsError invalid(std::string message) { return client_error("InvalidParameterValue", std::move(message)); }
AwsError bad_response(std::string message) { return client_error("SerializationException", std::move(message)); }

json::array to_array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::string string_member(const json::object& o, std::string_view key) {
  if (const auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->get_string());
  return {};
}

bool valid_batch_id(std::string_view id) {
  if (id.empty() || id.size() > 80) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

AwsResult<void> check_entries(const std::vector<BatchEntry>& entries, bool with_timeout) {
  if (entries.empty()) return client_error("EmptyBatchRequest", "at least one entry required");
  if (entries.size() > max_batch_entries) return client_error("TooManyEntriesInBatchRequest", "at most 10 entries");
  std::set<std::string_view> ids;
  for (const auto& e : entries) {
    if (!valid_batch_id(e.id)) return client_error("InvalidBatchEntryId", "invalid entry id: " + e.id);
    if (!ids.insert(e.id).second) return client_error("BatchEntryIdsNotDistinct", "duplicate entry id: " + e.id);
    if (e.receipt_handle.empty()) return invalid("ReceiptHandle is required");
    if (with_timeout && e.visibility_timeout &&
        (*e.visibility_timeout < 0 || *e.visibility_timeout > max_visibility_timeout_seconds))
      return invalid("VisibilityTimeout must be 0..43200");
  }
  return {};
}

json::object attributes_to_json(const std::map<std::string, MessageAttribute>& attrs) {
  json::object o;
  for (const auto& [name, a] : attrs) o[name] = json::object{{"DataType", a.data_type}, {"StringValue", a.string_value}};
  return o;
}

}  // namespace

int Message::receive_count() const {
  auto it = attributes.find("ApproximateReceiveCount");
  if (it == attributes.end()) return 0;
  int n = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
  return ec == std::errc{} ? n : 0;
}

AwsResult<json::object> build_receive_message(const ReceiveMessageRequest& r) {
  if (r.queue_url.empty()) return invalid("QueueUrl is required");
  if (r.max_number_of_messages < 1 || r.max_number_of_messages > max_receive_messages)
    return invalid("MaxNumberOfMessages must be 1..10");
  if (r.wait_time_seconds < 0 || r.wait_time_seconds > max_wait_time_seconds)
    return invalid("WaitTimeSeconds must be 0..20");
  if (r.visibility_timeout && (*r.visibility_timeout < 0 || *r.visibility_timeout > max_visibility_timeout_seconds))
    return invalid("VisibilityTimeout must be 0..43200");
  json::object o;
  o["QueueUrl"] = r.queue_url;
  o["MaxNumberOfMessages"] = r.max_number_of_messages;
  o["WaitTimeSeconds"] = r.wait_time_seconds;
  if (r.visibility_timeout) o["VisibilityTimeout"] = *r.visibility_timeout;
  if (!r.system_attribute_names.empty()) o["MessageSystemAttributeNames"] = to_array(r.system_attribute_names);
  if (!r.message_attribute_names.empty()) o["MessageAttributeNames"] = to_array(r.message_attribute_names);
  if (!r.receive_request_attempt_id.empty()) o["ReceiveRequestAttemptId"] = r.receive_request_attempt_id;
  return o;
}

AwsResult<json::object> build_delete_message_batch(std::string_view queue_url, const std::vector<BatchEntry>& entries) {
  if (queue_url.empty()) return invalid("QueueUrl is required");
  if (auto ok = check_entries(entries, false); !ok) return ok.error();
  json::array a;
  for (const auto& e : entries) a.push_back(json::object{{"Id", e.id}, {"ReceiptHandle", e.receipt_handle}});
  return json::object{{"QueueUrl", queue_url}, {"Entries", std::move(a)}};
}

AwsResult<json::object> build_change_message_visibility(std::string_view queue_url, std::string_view receipt_handle,
                                                        int timeout_seconds) {
  if (queue_url.empty()) return invalid("QueueUrl is required");
  if (receipt_handle.empty()) return invalid("ReceiptHandle is required");
  if (timeout_seconds < 0 || timeout_seconds > max_visibility_timeout_seconds)
    return invalid("VisibilityTimeout must be 0..43200");
  return json::object{{"QueueUrl", queue_url}, {"ReceiptHandle", receipt_handle}, {"VisibilityTimeout", timeout_seconds}};
}

AwsResult<json::object> build_change_message_visibility_batch(std::string_view queue_url,
                                                              const std::vector<BatchEntry>& entries) {
  if (queue_url.empty()) return invalid("QueueUrl is required");
  if (auto ok = check_entries(entries, true); !ok) return ok.error();
  json::array a;
  for (const auto& e : entries) {
    json::object o{{"Id", e.id}, {"ReceiptHandle", e.receipt_handle}};
    if (e.visibility_timeout) o["VisibilityTimeout"] = *e.visibility_timeout;
    a.push_back(std::move(o));
  }
  return json::object{{"QueueUrl", queue_url}, {"Entries", std::move(a)}};
}

AwsResult<json::object> build_get_queue_attributes(std::string_view queue_url, const std::vector<std::string>& names) {
  if (queue_url.empty()) return invalid("QueueUrl is required");
  json::object o{{"QueueUrl", queue_url}};
  if (!names.empty()) o["AttributeNames"] = to_array(names);
  return o;
}

AwsResult<json::object> build_send_message(const SendMessageRequest& r) {
  if (r.queue_url.empty()) return invalid("QueueUrl is required");
  if (r.body.empty()) return invalid("MessageBody is required");
  if (r.body.size() > 262144) return invalid("MessageBody: at most 256 KiB");
  if (r.delay_seconds && (*r.delay_seconds < 0 || *r.delay_seconds > max_delay_seconds))
    return invalid("DelaySeconds must be 0..900");
  json::object o{{"QueueUrl", r.queue_url}, {"MessageBody", r.body}};
  if (r.delay_seconds) o["DelaySeconds"] = *r.delay_seconds;
  if (!r.message_attributes.empty()) o["MessageAttributes"] = attributes_to_json(r.message_attributes);
  if (!r.message_group_id.empty()) o["MessageGroupId"] = r.message_group_id;
  if (!r.message_deduplication_id.empty()) o["MessageDeduplicationId"] = r.message_deduplication_id;
  return o;
}

AwsResult<json::object> build_get_queue_url(std::string_view queue_name, std::string_view owner_account_id) {
  if (queue_name.empty() || queue_name.size() > 80) return invalid("QueueName must be 1..80 characters");
  json::object o{{"QueueName", queue_name}};
  if (!owner_account_id.empty()) o["QueueOwnerAWSAccountId"] = owner_account_id;
  return o;
}

AwsResult<std::vector<Message>> parse_receive_message(const json::value& body) {
  if (!body.is_object()) return bad_response("expected object");
  std::vector<Message> out;
  const auto* msgs = body.get_object().if_contains("Messages");
  if (msgs == nullptr || msgs->is_null()) return out;
  if (!msgs->is_array()) return bad_response("Messages: expected array");
  for (const auto& m : msgs->get_array()) {
    if (!m.is_object()) return bad_response("Messages: expected objects");
    const auto& o = m.get_object();
    Message msg;
    msg.message_id = string_member(o, "MessageId");
    msg.receipt_handle = string_member(o, "ReceiptHandle");
    msg.body = string_member(o, "Body");
    msg.md5_of_body = string_member(o, "MD5OfBody");
    if (const auto* a = o.if_contains("Attributes"); a && a->is_object())
      for (const auto& [k, v] : a->get_object())
        if (v.is_string()) msg.attributes.emplace(std::string(k), std::string(v.get_string()));
    if (const auto* a = o.if_contains("MessageAttributes"); a && a->is_object()) {
      for (const auto& [k, v] : a->get_object()) {
        if (!v.is_object()) continue;
        msg.message_attributes.emplace(std::string(k), MessageAttribute{string_member(v.get_object(), "DataType"),
                                                                        string_member(v.get_object(), "StringValue")});
      }
    }
    if (msg.receipt_handle.empty()) return bad_response("Messages: ReceiptHandle missing");
    out.push_back(std::move(msg));
  }
  return out;
}

AwsResult<BatchOutcome> parse_batch_outcome(const json::value& body) {
  if (!body.is_object()) return bad_response("expected object");
  const auto& o = body.get_object();
  BatchOutcome out;
  if (const auto* s = o.if_contains("Successful"); s && s->is_array())
    for (const auto& e : s->get_array())
      if (e.is_object()) out.successful.push_back(string_member(e.get_object(), "Id"));
  if (const auto* f = o.if_contains("Failed"); f && f->is_array()) {
    for (const auto& e : f->get_array()) {
      if (!e.is_object()) continue;
      const auto& eo = e.get_object();
      BatchError be;
      be.id = string_member(eo, "Id");
      be.code = string_member(eo, "Code");
      be.message = string_member(eo, "Message");
      if (const auto* sf = eo.if_contains("SenderFault"); sf && sf->is_bool()) be.sender_fault = sf->get_bool();
      out.failed.push_back(std::move(be));
    }
  }
  return out;
}

AwsResult<std::map<std::string, std::string>> parse_queue_attributes(const json::value& body) {
  if (!body.is_object()) return bad_response("expected object");
  std::map<std::string, std::string> out;
  if (const auto* a = body.get_object().if_contains("Attributes"); a && a->is_object())
    for (const auto& [k, v] : a->get_object())
      if (v.is_string()) out.emplace(std::string(k), std::string(v.get_string()));
  return out;
}

AwsResult<SendMessageResult> parse_send_message(const json::value& body) {
  if (!body.is_object()) return bad_response("expected object");
  const auto& o = body.get_object();
  SendMessageResult r{string_member(o, "MessageId"), string_member(o, "MD5OfMessageBody"),
                      string_member(o, "SequenceNumber")};
  if (r.message_id.empty()) return bad_response("MessageId missing");
  return r;
}

AwsResult<std::string> parse_get_queue_url(const json::value& body) {
  if (!body.is_object()) return bad_response("expected object");
  auto url = string_member(body.get_object(), "QueueUrl");
  if (url.empty()) return bad_response("QueueUrl missing");
  // in_place_value: AwsError is also constructible from a string (aggregate), so be explicit.
  return AwsResult<std::string>(boost::system::in_place_value, std::move(url));
}

Idempotency operation_idempotency(std::string_view operation) {
  static constexpr std::string_view idempotent_ops[] = {
      "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch", "ChangeMessageVisibility",
      "ChangeMessageVisibilityBatch", "GetQueueAttributes", "GetQueueUrl", "ListQueues",
      "SendMessage", "SendMessageBatch"};
  for (auto op : idempotent_ops)
    if (op == operation) return Idempotency::idempotent;
  return Idempotency::not_idempotent;
}

}  // namespace berth::aws::sqs
