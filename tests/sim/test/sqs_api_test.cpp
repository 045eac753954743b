// File: tests/sim/test/sqs_api_test.cpp — SQS behaviour: long polling, visibility, redelivery, batches, errors.
#include "test_util.hpp"

#include <future>

namespace berth::sim::test {
namespace {

json::object receive(const SimProcess& sim, int max, int wait, int visibility = -1) {
  json::object in{{"QueueUrl", sim.queue_url()}, {"MaxNumberOfMessages", max}, {"WaitTimeSeconds", wait},
                  {"MessageSystemAttributeNames", json::array{"All"}}};
  if (visibility >= 0) in["VisibilityTimeout"] = visibility;
  auto r = sim.sqs("ReceiveMessage", in);
  EXPECT_EQ(r.status, 200u) << r.body;
  return r.json().as_object();
}

std::size_t count(const json::object& received) {
  auto* m = received.if_contains("Messages");
  return m ? m->as_array().size() : 0;
}

TEST(SqsApi, LongPollReturnsWhenAMessageArrives) {
  SimProcess sim(fast_args());
  // A 20 s long poll; the send below must end it early. If wakeups were broken the poll would
  // return empty after 20 s and the assertion on the message would fail.
  auto poll = std::async(std::launch::async, [&] { return receive(sim, 10, 20); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto sent = sim.sqs("SendMessage", json::object{{"QueueUrl", sim.queue_url()}, {"MessageBody", "hello"}}).json();
  auto got = poll.get();
  ASSERT_EQ(count(got), 1u);
  auto m = got.at("Messages").at(0);
  EXPECT_EQ(m.at("Body"), "hello");
  EXPECT_EQ(m.at("MessageId"), sent.at("MessageId"));
  EXPECT_EQ(m.at("MD5OfBody"), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(m.at("Attributes").at("ApproximateReceiveCount"), "1");
  EXPECT_TRUE(m.at("Attributes").at("SentTimestamp").is_string());
}

TEST(SqsApi, VisibilityTimeoutRedeliversWithReceiveCount) {
  SimProcess sim(fast_args());
  sim.sqs("SendMessage", json::object{{"QueueUrl", sim.queue_url()}, {"MessageBody", "x"}});
  auto first = receive(sim, 1, 0, 3);
  ASSERT_EQ(count(first), 1u);
  // Invisible now.
  EXPECT_EQ(count(receive(sim, 1, 0)), 0u);
  auto attrs = sim.sqs("GetQueueAttributes", json::object{{"QueueUrl", sim.queue_url()}, {"AttributeNames", json::array{"All"}}})
                   .json().at("Attributes");
  EXPECT_EQ(attrs.at("ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(attrs.at("ApproximateNumberOfMessagesNotVisible"), "1");
  // Back after the 3 s visibility timeout (the long poll wakes on redelivery).
  auto again = receive(sim, 1, 10);
  ASSERT_EQ(count(again), 1u);
  EXPECT_EQ(again.at("Messages").at(0).at("Attributes").at("ApproximateReceiveCount"), "2");
  // The id (stored as 16 bytes) and MD5 (computed on receive) are the same on redelivery.
  EXPECT_EQ(again.at("Messages").at(0).at("MessageId"), first.at("Messages").at(0).at("MessageId"));
  EXPECT_EQ(again.at("Messages").at(0).at("MD5OfBody"), "9dd4e461268c8034f5c8564e155c67a6");  // md5("x")
  const std::string id(first.at("Messages").at(0).at("MessageId").as_string());
  ASSERT_EQ(id.size(), 36u);
  EXPECT_TRUE(id[8] == '-' && id[13] == '-' && id[18] == '-' && id[23] == '-') << id;
  EXPECT_NE(again.at("Messages").at(0).at("ReceiptHandle"), first.at("Messages").at(0).at("ReceiptHandle"));
  // ChangeMessageVisibility 0 makes it visible at once.
  auto h = again.at("Messages").at(0).at("ReceiptHandle");
  EXPECT_EQ(sim.sqs("ChangeMessageVisibility", json::object{{"QueueUrl", sim.queue_url()}, {"ReceiptHandle", h},
                                                            {"VisibilityTimeout", 0}}).status, 200u);
  auto third = receive(sim, 1, 1);
  ASSERT_EQ(count(third), 1u);
  EXPECT_EQ(third.at("Messages").at(0).at("Attributes").at("ApproximateReceiveCount"), "3");
  EXPECT_EQ(sim.sqs("DeleteMessage", json::object{{"QueueUrl", sim.queue_url()},
                                                  {"ReceiptHandle", third.at("Messages").at(0).at("ReceiptHandle")}}).status, 200u);
  EXPECT_EQ(count(receive(sim, 1, 0)), 0u);
}

TEST(SqsApi, BatchDeleteAndApproximateCounts) {
  SimProcess sim(fast_args());
  json::array entries;
  for (int i = 0; i < 10; ++i) entries.push_back(json::object{{"Id", "m" + std::to_string(i)}, {"MessageBody", "b" + std::to_string(i)}});
  auto s = sim.sqs("SendMessageBatch", json::object{{"QueueUrl", sim.queue_url()}, {"Entries", entries}}).json();
  EXPECT_EQ(s.at("Successful").as_array().size(), 10u);
  auto attrs = sim.sqs("GetQueueAttributes", json::object{{"QueueUrl", sim.queue_url()},
                                                          {"AttributeNames", json::array{"ApproximateNumberOfMessages"}}})
                   .json().at("Attributes").as_object();
  EXPECT_EQ(attrs.at("ApproximateNumberOfMessages"), "10");
  EXPECT_FALSE(attrs.contains("QueueArn"));
  auto got = receive(sim, 10, 0);
  ASSERT_EQ(count(got), 10u);
  json::array del;
  int i = 0;
  for (const auto& m : got.at("Messages").as_array())
    del.push_back(json::object{{"Id", std::to_string(i++)}, {"ReceiptHandle", m.at("ReceiptHandle")}});
  del.push_back(json::object{{"Id", "bad"}, {"ReceiptHandle", "garbage"}});
  auto r = sim.sqs("DeleteMessageBatch", json::object{{"QueueUrl", sim.queue_url()}, {"Entries", del}});
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#TooManyEntriesInBatchRequest");
  del.pop_back();
  del.back().as_object()["ReceiptHandle"] = "garbage";
  r = sim.sqs("DeleteMessageBatch", json::object{{"QueueUrl", sim.queue_url()}, {"Entries", del}});
  EXPECT_EQ(r.json().at("Successful").as_array().size(), 9u);
  EXPECT_EQ(r.json().at("Failed").at(0).at("Code"), "ReceiptHandleIsInvalid");
  auto stats = sim.stats();
  EXPECT_EQ(stats.at("queue_inflight").as_int64(), 1);
  EXPECT_EQ(stats.at("messages_deleted").as_int64(), 9);
}

TEST(SqsApi, ErrorsLookLikeSqs) {
  SimProcess sim(fast_args());
  auto r = sim.sqs("ReceiveMessage", json::object{{"QueueUrl", sim.endpoint() + "/000000000000/other"}});
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#QueueDoesNotExist");
  EXPECT_EQ(r.header("x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");
  r = sim.sqs("ReceiveMessage", json::object{{"QueueUrl", sim.queue_url()}, {"MaxNumberOfMessages", 11}});
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#InvalidParameterValue");
  r = sim.sqs("ReceiveMessage", json::object{{"QueueUrl", sim.queue_url()}, {"WaitTimeSeconds", 21}});
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#InvalidParameterValue");
  r = sim.sqs("ReceiveMessage", json::object{});
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#MissingParameter");
  r = sim.sqs("DeleteMessage", json::object{{"QueueUrl", sim.queue_url()}, {"ReceiptHandle", "nope"}});
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#ReceiptHandleIsInvalid");
  r = sim.sqs("Fly", json::object{});
  EXPECT_EQ(r.json().at("__type"), "UnknownOperationException");
  r = sim.sqs("GetQueueUrl", json::object{{"QueueName", "berth-events"}});
  EXPECT_EQ(r.json().at("QueueUrl"), json::value(sim.queue_url()));
}

}  // namespace
}  // namespace berth::sim::test
