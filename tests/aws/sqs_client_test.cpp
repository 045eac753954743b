// File: tests/aws/sqs_client_test.cpp — SQS builders checked against the service model, and every SqsClient call against
// a fake SQS endpoint on loopback (JSON 1.0, AmazonSQS.<Op>, awsQueryCompatible errors).
#include "aws/http_client.hpp"
#include "aws/sqs_client.hpp"
#include "fake_http_server.hpp"
#include "model_validator.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace berth::aws::sqs {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using aws::testing::FakeHttpServer;
using aws::testing::FakeReply;
using aws::testing::json_response;
using aws::testing::run;
using aws::testing::ServiceModel;

const ServiceModel& model() {
  static const ServiceModel m(std::filesystem::path(BERTH_TESTDATA_DIR) / "aws-models" / "sqs-2012-11-05.json");
  return m;
}

void expect_valid(std::string_view op, const AwsResult<json::object>& body) {
  ASSERT_TRUE(body) << op << ": " << body.error().describe();
  const auto problems = model().validate_input(op, *body);
  EXPECT_TRUE(problems.empty()) << op << ": " << (problems.empty() ? "" : problems.front());
}

const std::string queue = "https://sqs.us-east-1.amazonaws.com/123456789012/berth-events";

std::vector<BatchEntry> entries(std::size_t n, bool with_timeout = false) {
  std::vector<BatchEntry> out;
  for (std::size_t i = 0; i < n; ++i) {
    BatchEntry e;
    e.id = "m" + std::to_string(i);
    e.receipt_handle = "rh-" + std::to_string(i);
    if (with_timeout) e.visibility_timeout = 30;
    out.push_back(e);
  }
  return out;
}

TEST(SqsModel, MetadataAndRequestsMatchTheModel) {
  EXPECT_EQ(model().metadata().at("targetPrefix").as_string(), target_prefix);
  EXPECT_EQ(model().metadata().at("jsonVersion").as_string(), "1.0");
  auto cfg = make_sqs_config("us-east-1");
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->endpoint.host, "sqs.us-east-1.amazonaws.com");
  EXPECT_EQ(cfg->json_version, "1.0");

  ReceiveMessageRequest rm;
  rm.queue_url = queue;
  rm.visibility_timeout = 60;
  rm.message_attribute_names = {"All"};
  rm.receive_request_attempt_id = "attempt-1";
  expect_valid("ReceiveMessage", build_receive_message(rm));
  expect_valid("DeleteMessageBatch", build_delete_message_batch(queue, entries(10)));
  expect_valid("ChangeMessageVisibility", build_change_message_visibility(queue, "rh", 0));
  expect_valid("ChangeMessageVisibilityBatch", build_change_message_visibility_batch(queue, entries(10, true)));
  expect_valid("GetQueueAttributes", build_get_queue_attributes(queue, {"ApproximateNumberOfMessages", "QueueArn"}));
  SendMessageRequest sm;
  sm.queue_url = queue;
  sm.body = R"({"detail-type":"ECS Task State Change"})";
  sm.delay_seconds = 5;
  sm.message_attributes["source"] = MessageAttribute{"String", "berth"};
  expect_valid("SendMessage", build_send_message(sm));
  expect_valid("GetQueueUrl", build_get_queue_url("berth-events", "123456789012"));
}

TEST(SqsModel, LimitsAreEnforcedBeforeSending) {
  ReceiveMessageRequest rm;
  rm.queue_url = queue;
  rm.wait_time_seconds = 21;
  EXPECT_FALSE(build_receive_message(rm));
  rm.wait_time_seconds = 20;
  rm.max_number_of_messages = 11;
  EXPECT_FALSE(build_receive_message(rm));
  EXPECT_FALSE(build_delete_message_batch(queue, entries(11)));
  EXPECT_FALSE(build_delete_message_batch(queue, {}));
  auto dup = entries(2);
  dup[1].id = dup[0].id;
  EXPECT_EQ(build_delete_message_batch(queue, dup).error().type, "BatchEntryIdsNotDistinct");
  auto bad_id = entries(1);
  bad_id[0].id = "has space";
  EXPECT_EQ(build_delete_message_batch(queue, bad_id).error().type, "InvalidBatchEntryId");
  EXPECT_FALSE(build_change_message_visibility(queue, "rh", 43201));
  EXPECT_FALSE(build_get_queue_url(""));
}

TEST(SqsParse, MessagesWithAttributes) {
  auto r = parse_receive_message(json::parse(R"({"Messages":[{"MessageId":"m1","ReceiptHandle":"rh1","Body":"{}",
      "MD5OfBody":"99914b932bd37a50b983c5e7c90ae93b","Attributes":{"ApproximateReceiveCount":"3","SentTimestamp":"1700000000000"},
      "MessageAttributes":{"k":{"DataType":"String","StringValue":"v"}}}]})"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].receive_count(), 3);
  EXPECT_EQ((*r)[0].message_attributes.at("k").string_value, "v");
  auto empty = parse_receive_message(json::parse("{}"));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

class FakeSqs {
 public:
  std::vector<std::string> problems;
  std::map<std::string, int> calls;
  int wait_seen = -1;

  FakeReply handle(const HttpRequest& req) {
    const std::string target = *req.find_header("X-Amz-Target");
    const std::string op = target.substr(target.find('.') + 1);
    ++calls[op];
    if (target.rfind("AmazonSQS.", 0) != 0) problems.push_back("bad target " + target);
    if (*req.find_header("Content-Type") != "application/x-amz-json-1.0") problems.push_back("bad content type");
    auto v = sigv4::verify_request(req, "SECRET");
    if (!v.ok() || v.authorization.service != "sqs") problems.push_back(op + ": signature");
    const auto body = json::parse(req.body);
    for (auto& p : model().validate_input(op, body)) problems.push_back(p);
    const auto& in = body.as_object();
    if (op == "GetQueueUrl") {
      if (in.at("QueueName").as_string() == "missing") {
        return FakeReply{json_response(
            400, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."})",
            {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}})};
      }
      return ok({{"QueueUrl", queue}});
    }
    if (op == "ReceiveMessage") {
      wait_seen = static_cast<int>(in.at("WaitTimeSeconds").as_int64());
      return ok({{"Messages", json::array{json::object{{"MessageId", "m1"}, {"ReceiptHandle", "rh1"}, {"Body", "{}"},
                                                       {"Attributes", {{"ApproximateReceiveCount", "1"}}}}}}});
    }
    if (op == "DeleteMessageBatch" || op == "ChangeMessageVisibilityBatch") {
      json::array ok_entries, failed;
      for (const auto& e : in.at("Entries").as_array()) {
        const auto& id = e.at("Id").as_string();
        if (id == "m3") failed.push_back(json::object{{"Id", id}, {"SenderFault", true}, {"Code", "ReceiptHandleIsInvalid"}});
        else ok_entries.push_back(json::object{{"Id", id}});
      }
      return ok({{"Successful", ok_entries}, {"Failed", failed}});
    }
    if (op == "ChangeMessageVisibility") return FakeReply{json_response(200, "")};
    if (op == "GetQueueAttributes") return ok({{"Attributes", {{"ApproximateNumberOfMessages", "7"}}}});
    if (op == "SendMessage") return ok({{"MessageId", "new-1"}, {"MD5OfMessageBody", "x"}});
    return FakeReply{json_response(400, R"({"__type":"InvalidAction"})")};
  }

 private:
  static FakeReply ok(json::object body) { return FakeReply{json_response(200, json::serialize(body))}; }
};

TEST(SqsClient, EveryOperationAgainstAFakeEndpoint) {
  boost::asio::io_context io;
  FakeSqs fake;
  FakeHttpServer server(io, [&](const HttpRequest& r) { return fake.handle(r); });
  HttpOptions o;
  o.allow_plain_http = true;
  HttpClient http(io.get_executor(), o);
  StaticCredentialsProvider creds{AwsCredentials{{"AKID", "SECRET", "TOKEN"}, std::nullopt, "static"}};
  SqsClient client(io.get_executor(), http, creds,
                   *make_sqs_config("us-east-1", "http://127.0.0.1:" + std::to_string(server.port())));

  auto url = run(io, client.get_queue_url("berth-events"));
  ASSERT_TRUE(url) << url.error().describe();
  EXPECT_EQ(*url, queue);

  auto missing = run(io, client.get_queue_url("missing"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().type, "QueueDoesNotExist");
  EXPECT_EQ(missing.error().query_error_code, "AWS.SimpleQueueService.NonExistentQueue");

  ReceiveMessageRequest rm;
  rm.queue_url = queue;
  rm.wait_time_seconds = 1;
  auto msgs = run(io, client.receive_message(rm));
  ASSERT_TRUE(msgs);
  ASSERT_EQ(msgs->size(), 1u);
  EXPECT_EQ((*msgs)[0].receipt_handle, "rh1");
  EXPECT_EQ(fake.wait_seen, 1);

  auto deleted = run(io, client.delete_message_batch(queue, entries(13)));
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->successful.size(), 12u);
  ASSERT_EQ(deleted->failed.size(), 1u);
  EXPECT_EQ(deleted->failed[0].code, "ReceiptHandleIsInvalid");
  EXPECT_EQ(fake.calls["DeleteMessageBatch"], 2);

  auto vis = run(io, client.change_message_visibility_batch(queue, entries(4, true)));
  ASSERT_TRUE(vis);
  EXPECT_EQ(vis->successful.size(), 3u);

  EXPECT_TRUE(run(io, client.change_message_visibility(queue, "rh1", 0)));

  auto attrs = run(io, client.get_queue_attributes(queue, {"ApproximateNumberOfMessages"}));
  ASSERT_TRUE(attrs);
  EXPECT_EQ(attrs->at("ApproximateNumberOfMessages"), "7");

  SendMessageRequest sm;
  sm.queue_url = queue;
  sm.body = "hello";
  auto sent = run(io, client.send_message(sm));
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->message_id, "new-1");

  EXPECT_TRUE(fake.problems.empty()) << fake.problems.front();
}

}  // namespace
}  // namespace berth::aws::sqs
