// File: tests/sim/sqs_api.cpp — SQS JSON 1.0 operations of the sim's single queue.
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
}  // namespace

HttpReply Sim::sqs_error(const ApiError& e) const {
  HttpReply r;
  r.status = static_cast<unsigned>(e.status);
  r.content_type = "application/x-amz-json-1.0";
  // SQS is "awsQueryCompatible": JSON errors carry the query-protocol code in a header.
  std::string query_code = e.type == "QueueDoesNotExist" ? "AWS.SimpleQueueService.NonExistentQueue" : e.type;
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
    if (str(in, "QueueName") != queue_.name())
      co_return fail(ApiError{"QueueDoesNotExist", "The specified queue does not exist.", 400});
    co_return ok(json::object{{"QueueUrl", queue_.url()}});
  }
  if (op == "ListQueues") {
    json::array urls;
    if (queue_.name().rfind(str(in, "QueueNamePrefix"), 0) == 0) urls.push_back(json::value(queue_.url()));
    co_return ok(json::object{{"QueueUrls", std::move(urls)}});
  }
  if (op == "CreateQueue") {
    if (str(in, "QueueName") != queue_.name())
      co_return fail(ApiError{"UnsupportedOperation", "The sim serves one queue, named " + queue_.name() + ".", 400});
    co_return ok(json::object{{"QueueUrl", queue_.url()}});
  }
  // Every other operation names the queue by URL. Accept any host (clients may rewrite it).
  std::string url = str(in, "QueueUrl");
  if (url.empty() || url.size() < queue_.name().size() + 1 ||
      url.compare(url.size() - queue_.name().size() - 1, std::string::npos, "/" + queue_.name()) != 0)
    co_return fail(ApiError{"QueueDoesNotExist", "The specified queue does not exist.", 400});

  if (op == "ReceiveMessage") {
    auto max = integer(in, "MaxNumberOfMessages").value_or(1);
    if (max < 1 || max > 10)
      co_return fail(invalid("Value " + std::to_string(max) +
                             " for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."));
    auto wait = integer(in, "WaitTimeSeconds").value_or(0);
    if (wait < 0 || wait > 20)
      co_return fail(invalid("Value " + std::to_string(wait) +
                             " for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided."));
    auto vis = integer(in, "VisibilityTimeout").value_or(queue_.visibility_timeout_s);
    if (vis < 0 || vis > 43200)
      co_return fail(invalid("Value " + std::to_string(vis) + " for parameter VisibilityTimeout is invalid."));
    std::set<std::string> wanted;
    for (const char* key : {"AttributeNames", "MessageSystemAttributeNames"})
      if (auto* a = in.if_contains(key); a && a->is_array())
        for (const auto& n : a->as_array()) wanted.insert(std::string(n.as_string()));
    auto want = [&](const char* n) { return wanted.count("All") || wanted.count(n); };
    auto got = co_await queue_.receive(static_cast<int>(max), std::chrono::seconds(wait), std::chrono::seconds(vis));
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
    if (queue_.erase(str(in, "ReceiptHandle")) == SqsQueue::HandleResult::invalid)
      co_return fail(ApiError{"ReceiptHandleIsInvalid", "The input receipt handle is invalid.", 400});
    ++stats_.messages_deleted;
    co_return ok({});
  }
  if (op == "DeleteMessageBatch" || op == "ChangeMessageVisibilityBatch" || op == "SendMessageBatch") {
    const auto& entries = in.at("Entries").as_array();
    if (entries.empty()) co_return fail(ApiError{"EmptyBatchRequest", "There should be at least one entry in the request.", 400});
    if (entries.size() > 10)
      co_return fail(ApiError{"TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10.", 400});
    std::set<std::string> ids;
    json::array good, bad;
    for (const auto& ev : entries) {
      const auto& e = ev.as_object();
      std::string id = str(e, "Id");
      if (!ids.insert(id).second)
        co_return fail(ApiError{"BatchEntryIdsNotDistinct", "Id " + id + " repeated.", 400});
      if (op == "SendMessageBatch") {
        std::string b = str(e, "MessageBody");
        auto delay = integer(e, "DelaySeconds").value_or(0);
        std::string mid = queue_.send(b, std::chrono::seconds(delay));
        ++stats_.messages_sent;
        good.push_back(json::object{{"Id", id}, {"MessageId", mid}, {"MD5OfMessageBody", md5_hex(b)}});
        continue;
      }
      auto res = op == "DeleteMessageBatch"
                     ? queue_.erase(str(e, "ReceiptHandle"))
                     : queue_.change_visibility(str(e, "ReceiptHandle"),
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
    auto res = queue_.change_visibility(str(in, "ReceiptHandle"), std::chrono::seconds(vis));
    if (res == SqsQueue::HandleResult::invalid)
      co_return fail(ApiError{"ReceiptHandleIsInvalid", "The input receipt handle is invalid.", 400});
    if (res == SqsQueue::HandleResult::not_inflight)
      co_return fail(ApiError{"MessageNotInflight", "The message referred to isn't in flight.", 400});
    co_return ok({});
  }
  if (op == "SendMessage") {
    std::string b = str(in, "MessageBody");
    auto delay = integer(in, "DelaySeconds").value_or(0);
    if (delay < 0 || delay > 900) co_return fail(invalid("DelaySeconds must be between 0 and 900."));
    std::string mid = queue_.send(b, std::chrono::seconds(delay));
    ++stats_.messages_sent;
    co_return ok(json::object{{"MessageId", mid}, {"MD5OfMessageBody", md5_hex(b)}});
  }
  if (op == "PurgeQueue") {
    queue_.purge();
    co_return ok({});
  }
  if (op == "GetQueueAttributes") {
    std::set<std::string> wanted;
    if (auto* a = in.if_contains("AttributeNames"); a && a->is_array())
      for (const auto& n : a->as_array()) wanted.insert(std::string(n.as_string()));
    auto want = [&](const char* n) { return wanted.count("All") || wanted.count(n); };
    json::object attrs;
    if (want("ApproximateNumberOfMessages")) attrs["ApproximateNumberOfMessages"] = std::to_string(queue_.visible());
    if (want("ApproximateNumberOfMessagesNotVisible"))
      attrs["ApproximateNumberOfMessagesNotVisible"] = std::to_string(queue_.inflight());
    if (want("ApproximateNumberOfMessagesDelayed"))
      attrs["ApproximateNumberOfMessagesDelayed"] = std::to_string(queue_.delayed());
    if (want("VisibilityTimeout")) attrs["VisibilityTimeout"] = std::to_string(queue_.visibility_timeout_s);
    if (want("QueueArn")) attrs["QueueArn"] = queue_.arn();
    if (want("CreatedTimestamp")) attrs["CreatedTimestamp"] = std::to_string(queue_.created_ms / 1000);
    if (want("DelaySeconds")) attrs["DelaySeconds"] = "0";
    if (want("ReceiveMessageWaitTimeSeconds")) attrs["ReceiveMessageWaitTimeSeconds"] = "0";
    if (want("MaximumMessageSize")) attrs["MaximumMessageSize"] = "262144";
    if (want("MessageRetentionPeriod")) attrs["MessageRetentionPeriod"] = "345600";
    co_return ok(json::object{{"Attributes", std::move(attrs)}});
  }
  if (op == "SetQueueAttributes") {
    if (auto* a = in.if_contains("Attributes"); a && a->is_object())
      if (auto* v = a->as_object().if_contains("VisibilityTimeout"); v && v->is_string())
        queue_.visibility_timeout_s = std::atoi(v->as_string().c_str());
    co_return ok({});
  }
  co_return fail(ApiError{"UnsupportedOperation", "The sim does not implement " + op + ".", 400});
}

}  // namespace berth::sim
