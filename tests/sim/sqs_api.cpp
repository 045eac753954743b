// File: tests/sim/sqs_api.cpp — SQS JSON 1.0 operations on the sim's queues.
#include "json_fields.hpp"
#include "sim.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <set>

namespace berth::sim {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {
ApiError invalid(std::string message) { return ApiError{"InvalidParameterValue", std::move(message), 400}; }
ApiError no_such_queue() { return ApiError{"QueueDoesNotExist", "The specified queue does not exist.", 400}; }
ApiError too_long(const SqsQueue& q) {
  return invalid("One or more parameters are invalid. Reason: Message must be shorter than " +
                 std::to_string(q.settings.maximum_message_size) + " bytes.");
}
// SendMessage's DelaySeconds: given, or the queue's (nullopt).
std::optional<std::chrono::milliseconds> message_delay(const json::object& in) {
  if (auto d = integer(in, "DelaySeconds")) return std::chrono::seconds(*d);
  return std::nullopt;
}
}  // namespace

HttpReply Sim::sqs_error(const ApiError& e) const {
  HttpReply r;
  r.status = static_cast<unsigned>(e.status);
  r.content_type = "application/x-amz-json-1.0";
  // SQS is "awsQueryCompatible": JSON errors carry the query-protocol code in a header.
  // Where the two differ, the query code is the model's awsQueryError code.
  std::string query_code = e.type == "QueueDoesNotExist" ? "AWS.SimpleQueueService.NonExistentQueue"
                           : e.type == "QueueNameExists" ? "QueueAlreadyExists"
                                                         : e.type;
  r.headers.emplace_back("x-amzn-query-error", query_code + (e.status >= 500 ? ";Receiver" : ";Sender"));
  std::string type = e.type.find('#') == std::string::npos && e.type != "UnknownOperationException"
                         ? "com.amazonaws.sqs#" + e.type
                         : e.type;
  r.body = json::serialize(json::object{{"__type", type}, {"message", e.message}});
  return r;
}

asio::awaitable<HttpReply> Sim::sqs_call(const std::string& op, const Request& req) {
  auto fail = [&](const ApiError& e) {
    ++stats_.errors[e.type];
    return sqs_error(e);
  };
  static constexpr auto violation_type = [](Violation::Kind kind) {
    return kind == Violation::Kind::missing_member ? "MissingParameter" : "InvalidParameterValue";
  };
  ApiOutcome admitted = admit(op, req,
                              {true, sqs_model_, "InvalidParameterValue", "Request body is not a JSON object.", violation_type});
  if (admitted.error) co_return fail(*admitted.error);
  co_await inject_latency();
  if (random_.chance(config_.faults.api_error_rate)) {
    ++stats_.injected_errors;
    co_return fail(ApiError{"InternalError", "We encountered an internal error. Please try again.", 500});
  }
  const auto& in = admitted.body.as_object();
  auto ok = [](json::object o) {
    HttpReply r;
    r.content_type = "application/x-amz-json-1.0";
    r.body = json::serialize(o);
    return r;
  };

  if (op == "GetQueueUrl") {
    std::string owner = str(in, "QueueOwnerAWSAccountId", SqsQueues::account);
    auto q = owner == SqsQueues::account ? queues_.by_name(str(in, "QueueName")) : nullptr;
    if (!q) co_return fail(no_such_queue());
    co_return ok(json::object{{"QueueUrl", q->url()}});
  }
  if (op == "ListQueues") {
    // Paging as SQS: a NextToken only when MaxResults was given and more queues match.
    auto max = integer(in, "MaxResults");
    if (max && (*max < 1 || *max > 1000))
      co_return fail(invalid("Value " + std::to_string(*max) +
                             " for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000."));
    const std::string prefix = str(in, "QueueNamePrefix");
    const std::string after = str(in, "NextToken");  // the first name of the next page
    json::array urls;
    std::string next;
    for (const auto& [name, q] : queues_.all()) {
      if (name.rfind(prefix, 0) != 0 || name < after) continue;
      if (static_cast<std::int64_t>(urls.size()) == max.value_or(1000)) {
        if (max) next = name;
        break;
      }
      urls.push_back(json::value(q->url()));
    }
    json::object out{{"QueueUrls", std::move(urls)}};
    if (!next.empty()) out["NextToken"] = next;
    co_return ok(std::move(out));
  }
  if (op == "CreateQueue") {
    static const json::object no_attributes;
    const auto* a = in.if_contains("Attributes");
    auto created = queues_.create(str(in, "QueueName"), a && a->is_object() ? a->as_object() : no_attributes);
    if (created.error) co_return fail(*created.error);
    co_return ok(json::object{{"QueueUrl", created.queue->url()}});
  }
  // Every other operation names the queue by URL. Held until the call ends: a DeleteQueue while
  // this call waits (a long poll) must not free the queue under it.
  std::shared_ptr<SqsQueue> named = queues_.by_url(str(in, "QueueUrl"));
  if (!named) co_return fail(no_such_queue());
  SqsQueue& queue = *named;

  if (op == "DeleteQueue") {
    if (auto bad = queues_.remove(queue.name())) co_return fail(*bad);
    co_return ok({});
  }
  if (op == "ReceiveMessage") {
    auto max = integer(in, "MaxNumberOfMessages").value_or(1);
    if (max < 1 || max > 10)
      co_return fail(invalid("Value " + std::to_string(max) +
                             " for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."));
    auto wait = integer(in, "WaitTimeSeconds").value_or(queue.settings.receive_message_wait_time_seconds);
    if (wait < 0 || wait > 20)
      co_return fail(invalid("Value " + std::to_string(wait) +
                             " for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided."));
    auto vis = integer(in, "VisibilityTimeout").value_or(queue.settings.visibility_timeout);
    if (vis < 0 || vis > 43200)
      co_return fail(invalid("Value " + std::to_string(vis) + " for parameter VisibilityTimeout is invalid."));
    std::set<std::string> wanted;
    for (const char* key : {"AttributeNames", "MessageSystemAttributeNames"})
      if (auto* a = in.if_contains(key); a && a->is_array())
        for (const auto& n : a->as_array()) wanted.insert(std::string(n.as_string()));
    auto want = [&](const char* n) { return wanted.count("All") || wanted.count(n); };
    auto got = co_await queue.receive(static_cast<int>(max), std::chrono::seconds(wait), std::chrono::seconds(vis));
    stats_.messages_received += got.size();
    json::array msgs;
    for (auto& m : got) {
      json::object attrs;
      if (want("ApproximateReceiveCount")) attrs["ApproximateReceiveCount"] = std::to_string(m.receive_count);
      if (want("SentTimestamp")) attrs["SentTimestamp"] = std::to_string(m.sent_ms);
      if (want("ApproximateFirstReceiveTimestamp"))
        attrs["ApproximateFirstReceiveTimestamp"] = std::to_string(m.first_receive_ms);
      if (want("SenderId")) attrs["SenderId"] = "AIDAEVENTBRIDGE";
      json::object o{{"MessageId", m.message_id}, {"ReceiptHandle", m.receipt_handle}, {"MD5OfBody", m.md5},
                     {"Body", std::move(m.body)}};
      if (!attrs.empty()) o["Attributes"] = std::move(attrs);
      msgs.push_back(std::move(o));
    }
    json::object out;
    if (!msgs.empty()) out["Messages"] = std::move(msgs);
    co_return ok(std::move(out));
  }
  if (op == "DeleteMessage") {
    if (queue.erase(str(in, "ReceiptHandle")) == SqsQueue::HandleResult::invalid)
      co_return fail(ApiError{"ReceiptHandleIsInvalid", "The input receipt handle is invalid.", 400});
    ++stats_.messages_deleted;
    co_return ok({});
  }
  if (op == "DeleteMessageBatch" || op == "ChangeMessageVisibilityBatch" || op == "SendMessageBatch") {
    const auto& entries = in.at("Entries").as_array();
    if (entries.empty()) co_return fail(ApiError{"EmptyBatchRequest", "There should be at least one entry in the request.", 400});
    if (entries.size() > 10)
      co_return fail(ApiError{"TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10.", 400});
    // Whole-request checks first, so a rejected batch changes nothing.
    std::set<std::string> ids;
    std::size_t batch_bytes = 0;
    for (const auto& ev : entries) {
      std::string id = str(ev.as_object(), "Id");
      if (!ids.insert(id).second)
        co_return fail(ApiError{"BatchEntryIdsNotDistinct", "Id " + id + " repeated.", 400});
      batch_bytes += str(ev.as_object(), "MessageBody").size();
    }
    const auto max_bytes = static_cast<std::size_t>(queue.settings.maximum_message_size);
    if (op == "SendMessageBatch" && batch_bytes > max_bytes)
      co_return fail(ApiError{"BatchRequestTooLong", "Batch requests cannot be longer than " + std::to_string(max_bytes) +
                                                         " bytes. You have sent " + std::to_string(batch_bytes) + " bytes.",
                              400});
    json::array good, bad;
    for (const auto& ev : entries) {
      const auto& e = ev.as_object();
      std::string id = str(e, "Id");
      if (op == "SendMessageBatch") {
        std::string b = str(e, "MessageBody");
        auto delay = message_delay(e);
        if (delay && (delay->count() < 0 || *delay > std::chrono::seconds(900))) {
          bad.push_back(json::object{{"Id", id}, {"SenderFault", true}, {"Code", "InvalidParameterValue"},
                                     {"Message", "DelaySeconds must be between 0 and 900."}});
          continue;
        }
        std::string mid = queue.send(b, delay);
        ++stats_.messages_sent;
        good.push_back(json::object{{"Id", id}, {"MessageId", mid}, {"MD5OfMessageBody", md5_hex(b)}});
        continue;
      }
      auto res = op == "DeleteMessageBatch"
                     ? queue.erase(str(e, "ReceiptHandle"))
                     : queue.change_visibility(str(e, "ReceiptHandle"),
                                                std::chrono::seconds(integer(e, "VisibilityTimeout").value_or(0)));
      if (res == SqsQueue::HandleResult::ok) {
        if (op == "DeleteMessageBatch") ++stats_.messages_deleted;
        good.push_back(json::object{{"Id", id}});
      } else {
        bool invalid_handle = res == SqsQueue::HandleResult::invalid;
        bad.push_back(json::object{{"Id", id},
                                   {"SenderFault", true},
                                   {"Code", invalid_handle ? "ReceiptHandleIsInvalid" : "MessageNotInflight"},
                                   {"Message", invalid_handle ? "The input receipt handle is invalid." : "Message not inflight."}});
      }
    }
    co_return ok(json::object{{"Successful", std::move(good)}, {"Failed", std::move(bad)}});
  }
  if (op == "ChangeMessageVisibility") {
    auto vis = integer(in, "VisibilityTimeout").value_or(0);
    if (vis < 0 || vis > 43200) co_return fail(invalid("VisibilityTimeout must be between 0 and 43200."));
    auto res = queue.change_visibility(str(in, "ReceiptHandle"), std::chrono::seconds(vis));
    if (res == SqsQueue::HandleResult::invalid)
      co_return fail(ApiError{"ReceiptHandleIsInvalid", "The input receipt handle is invalid.", 400});
    if (res == SqsQueue::HandleResult::not_inflight)
      co_return fail(ApiError{"MessageNotInflight", "The message referred to isn't in flight.", 400});
    co_return ok({});
  }
  if (op == "SendMessage") {
    std::string b = str(in, "MessageBody");
    auto delay = message_delay(in);
    if (delay && (delay->count() < 0 || *delay > std::chrono::seconds(900)))
      co_return fail(invalid("DelaySeconds must be between 0 and 900."));
    if (b.size() > static_cast<std::size_t>(queue.settings.maximum_message_size)) co_return fail(too_long(queue));
    std::string mid = queue.send(b, delay);
    ++stats_.messages_sent;
    co_return ok(json::object{{"MessageId", mid}, {"MD5OfMessageBody", md5_hex(b)}});
  }
  if (op == "PurgeQueue") {
    queue.purge();
    co_return ok({});
  }
  if (op == "GetQueueAttributes") {
    std::set<std::string> wanted;
    if (auto* a = in.if_contains("AttributeNames"); a && a->is_array())
      for (const auto& n : a->as_array()) wanted.insert(std::string(n.as_string()));
    auto want = [&](const char* n) { return wanted.count("All") || wanted.count(n); };
    json::object attrs;
    if (want("ApproximateNumberOfMessages")) attrs["ApproximateNumberOfMessages"] = std::to_string(queue.visible());
    if (want("ApproximateNumberOfMessagesNotVisible"))
      attrs["ApproximateNumberOfMessagesNotVisible"] = std::to_string(queue.inflight());
    if (want("ApproximateNumberOfMessagesDelayed"))
      attrs["ApproximateNumberOfMessagesDelayed"] = std::to_string(queue.delayed());
    if (want("QueueArn")) attrs["QueueArn"] = queue.arn();
    if (want("CreatedTimestamp")) attrs["CreatedTimestamp"] = std::to_string(queue.created_ms / 1000);
    if (want("LastModifiedTimestamp")) attrs["LastModifiedTimestamp"] = std::to_string(queue.last_modified_ms / 1000);
    for (const char* n : {"VisibilityTimeout", "DelaySeconds", "ReceiveMessageWaitTimeSeconds", "MaximumMessageSize",
                          "MessageRetentionPeriod", "Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId",
                          "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled"})
      if (want(n))
        if (auto v = queue_setting(queue.settings, n)) attrs[n] = *v;
    co_return ok(json::object{{"Attributes", std::move(attrs)}});
  }
  if (op == "SetQueueAttributes") {
    if (auto* a = in.if_contains("Attributes"); a && a->is_object()) {
      if (auto bad = apply_queue_attributes(a->as_object(), queue.settings)) co_return fail(*bad);
      queue.last_modified_ms = now_ms();
    }
    co_return ok({});
  }
  co_return fail(ApiError{"UnsupportedOperation", "The sim does not implement " + op + ".", 400});
}

}  // namespace berth::sim
