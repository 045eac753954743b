// File: tests/sim/test/sqs_api_test.cpp — SQS behaviour: long polling, visibility, redelivery, batches, errors, many queues.
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

// CreateQueue that must succeed; returns the queue URL.
std::string create_queue(const SimProcess& sim, const std::string& name, json::object attributes = {}) {
  json::object in{{"QueueName", name}};
  if (!attributes.empty()) in["Attributes"] = std::move(attributes);
  auto r = sim.sqs("CreateQueue", in);
  EXPECT_EQ(r.status, 200u) << r.body;
  return std::string(r.json().at("QueueUrl").as_string());
}

std::string attribute(const SimProcess& sim, const std::string& url, const char* name) {
  auto r = sim.sqs("GetQueueAttributes", json::object{{"QueueUrl", url}, {"AttributeNames", json::array{name}}});
  EXPECT_EQ(r.status, 200u) << r.body;
  auto v = r.json();
  const auto& attrs = v.at("Attributes").as_object();
  auto* a = attrs.if_contains(name);
  return a ? std::string(a->as_string()) : "<absent>";
}

json::object receive_from(const SimProcess& sim, const std::string& url, int max, int wait) {
  auto r = sim.sqs("ReceiveMessage", json::object{{"QueueUrl", url}, {"MaxNumberOfMessages", max}, {"WaitTimeSeconds", wait}});
  EXPECT_EQ(r.status, 200u) << r.body;
  return r.json().as_object();
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

TEST(SqsQueues, SecondQueueHoldsItsOwnMessages) {
  // Instances at start put ECS events into the event queue; none may land in the second queue.
  SimProcess sim(fast_args({"--instances", "2"}));
  const std::string url = create_queue(sim, "job-trigger");
  EXPECT_EQ(url, sim.endpoint() + "/000000000000/job-trigger");
  ASSERT_TRUE(eventually([&] { return attribute(sim, sim.queue_url(), "ApproximateNumberOfMessages") != "0"; }));
  const std::string events_before = attribute(sim, sim.queue_url(), "ApproximateNumberOfMessages");

  for (int batch = 0; batch < 2; ++batch) {
    json::array entries;
    for (int i = 0; i < 10; ++i) entries.push_back(json::object{{"Id", "m" + std::to_string(i)}, {"MessageBody", "job"}});
    auto r = sim.sqs("SendMessageBatch", json::object{{"QueueUrl", url}, {"Entries", entries}});
    ASSERT_EQ(r.json().at("Successful").as_array().size(), 10u) << r.body;
  }
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(sim.sqs("SendMessage", json::object{{"QueueUrl", url}, {"MessageBody", "job " + std::to_string(i)}}).status, 200u);

  EXPECT_EQ(attribute(sim, url, "ApproximateNumberOfMessages"), "25");
  EXPECT_EQ(attribute(sim, url, "QueueArn"), "arn:aws:sqs:us-east-1:000000000000:job-trigger");
  EXPECT_EQ(attribute(sim, sim.queue_url(), "ApproximateNumberOfMessages"), events_before);

  // Receive and delete on the second queue; the event queue keeps its events.
  auto got = receive_from(sim, url, 10, 0);
  ASSERT_EQ(count(got), 10u);
  for (const auto& m : got.at("Messages").as_array()) {
    EXPECT_TRUE(m.at("Body").as_string().starts_with("job")) << m;  // not an ECS event
    auto d = sim.sqs("DeleteMessage", json::object{{"QueueUrl", url}, {"ReceiptHandle", m.at("ReceiptHandle")}});
    EXPECT_EQ(d.status, 200u) << d.body;
  }
  EXPECT_EQ(attribute(sim, url, "ApproximateNumberOfMessages"), "15");
  EXPECT_EQ(attribute(sim, url, "ApproximateNumberOfMessagesNotVisible"), "0");
  EXPECT_EQ(attribute(sim, sim.queue_url(), "ApproximateNumberOfMessages"), events_before);
  EXPECT_EQ(attribute(sim, sim.queue_url(), "ApproximateNumberOfMessagesNotVisible"), "0");

  // /_sim/state: "queue" is still the event queue; "queues" lists both.
  auto state = sim.state();
  EXPECT_EQ(state.at("queue").at("url"), json::value(sim.queue_url()));
  const auto& queues = state.at("queues").as_array();
  ASSERT_EQ(queues.size(), 2u) << state.at("queues");
  EXPECT_EQ(queues.at(0).at("name"), "berth-events");
  EXPECT_EQ(queues.at(1).at("name"), "job-trigger");
  EXPECT_EQ(queues.at(1).at("url"), json::value(url));
  EXPECT_EQ(queues.at(1).at("visible").as_int64(), 15);
  EXPECT_EQ(queues.at(1).at("inflight").as_int64(), 0);
  EXPECT_EQ(queues.at(1).at("delayed").as_int64(), 0);
}

TEST(SqsQueues, GetQueueUrlOfAnUnknownNameFailsAsSqs) {
  SimProcess sim(fast_args());
  auto r = sim.sqs("GetQueueUrl", json::object{{"QueueName", "nope"}});
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#QueueDoesNotExist");
  EXPECT_EQ(r.header("x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");
  const std::string url = create_queue(sim, "nope");
  r = sim.sqs("GetQueueUrl", json::object{{"QueueName", "nope"}});
  EXPECT_EQ(r.json().at("QueueUrl"), json::value(url));
  // Another account's queue of that name does not exist here.
  r = sim.sqs("GetQueueUrl", json::object{{"QueueName", "nope"}, {"QueueOwnerAWSAccountId", "111111111111"}});
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#QueueDoesNotExist");
  r = sim.sqs("GetQueueAttributes", json::object{{"QueueUrl", sim.endpoint() + "/111111111111/nope"},
                                                  {"AttributeNames", json::array{"All"}}});
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#QueueDoesNotExist");
}

TEST(SqsQueues, CreateQueueIsIdempotentOnlyForTheSameAttributes) {
  SimProcess sim(fast_args());
  const std::string url = create_queue(sim, "depth", {{"VisibilityTimeout", "60"}});
  EXPECT_EQ(create_queue(sim, "depth", {{"VisibilityTimeout", "60"}}), url);
  EXPECT_EQ(create_queue(sim, "depth"), url);  // attributes left out are not compared
  EXPECT_EQ(create_queue(sim, "berth-events"), sim.queue_url());

  auto r = sim.sqs("CreateQueue", json::object{{"QueueName", "depth"}, {"Attributes", {{"VisibilityTimeout", "61"}}}});
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#QueueNameExists");
  EXPECT_EQ(r.header("x-amzn-query-error"), "QueueAlreadyExists;Sender");
  EXPECT_EQ(attribute(sim, url, "VisibilityTimeout"), "60");

  r = sim.sqs("CreateQueue", json::object{{"QueueName", "other"}, {"Attributes", {{"VisibilityTimeout", "43201"}}}});
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#InvalidAttributeValue");
  r = sim.sqs("CreateQueue", json::object{{"QueueName", "other"}, {"Attributes", {{"QueueArn", "arn:x"}}}});
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#InvalidAttributeName");
  r = sim.sqs("CreateQueue", json::object{{"QueueName", "bad name!"}});
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#InvalidParameterValue");
  r = sim.sqs("CreateQueue", json::object{});
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#MissingParameter");  // the service model still applies
  // None of the rejected calls created a queue.
  r = sim.sqs("GetQueueUrl", json::object{{"QueueName", "other"}});
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#QueueDoesNotExist");
}

TEST(SqsQueues, QueueAttributesSetDefaultsOfItsCalls) {
  SimProcess sim(fast_args());
  const std::string url = create_queue(sim, "slow", {{"VisibilityTimeout", "1"}, {"DelaySeconds", "900"}});
  ASSERT_EQ(sim.sqs("SendMessage", json::object{{"QueueUrl", url}, {"MessageBody", "later"}}).status, 200u);
  EXPECT_EQ(attribute(sim, url, "ApproximateNumberOfMessagesDelayed"), "1");  // the queue's DelaySeconds
  ASSERT_EQ(sim.sqs("SendMessage", json::object{{"QueueUrl", url}, {"MessageBody", "now"}, {"DelaySeconds", 0}}).status, 200u);
  auto first = receive_from(sim, url, 10, 0);
  ASSERT_EQ(count(first), 1u);
  // Not deleted: back after the queue's 1 s visibility timeout (the long poll wakes on redelivery).
  auto again = receive_from(sim, url, 10, 10);
  ASSERT_EQ(count(again), 1u);
  EXPECT_EQ(again.at("Messages").at(0).at("Body"), "now");

  auto r = sim.sqs("SetQueueAttributes", json::object{{"QueueUrl", url}, {"Attributes", {{"MaximumMessageSize", "1024"}}}});
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(attribute(sim, url, "MaximumMessageSize"), "1024");
  r = sim.sqs("SendMessage", json::object{{"QueueUrl", url}, {"MessageBody", std::string(1025, 'x')}, {"DelaySeconds", 0}});
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#InvalidParameterValue");
  r = sim.sqs("SetQueueAttributes", json::object{{"QueueUrl", url}, {"Attributes", {{"DelaySeconds", "x"}}}});
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#InvalidAttributeValue");
  EXPECT_EQ(attribute(sim, url, "DelaySeconds"), "900");
  // The event queue keeps its own settings.
  EXPECT_EQ(attribute(sim, sim.queue_url(), "VisibilityTimeout"), "30");
}

TEST(SqsQueues, ListQueuesFiltersByPrefixAndPages) {
  SimProcess sim(fast_args());
  for (const char* n : {"jobs-a", "jobs-b", "jobs-c", "other"}) create_queue(sim, n);
  auto v = sim.sqs("ListQueues", json::object{{"QueueNamePrefix", "jobs-"}}).json();
  const auto& urls = v.at("QueueUrls").as_array();
  ASSERT_EQ(urls.size(), 3u) << v;
  EXPECT_EQ(urls.at(0), json::value(sim.endpoint() + "/000000000000/jobs-a"));
  EXPECT_FALSE(v.as_object().contains("NextToken"));
  EXPECT_EQ(sim.sqs("ListQueues", json::object{}).json().at("QueueUrls").as_array().size(), 5u);

  std::vector<std::string> paged;
  json::object in{{"QueueNamePrefix", "jobs-"}, {"MaxResults", 2}};
  for (int page = 0; page < 3; ++page) {
    auto p = sim.sqs("ListQueues", in).json();
    for (const auto& u : p.at("QueueUrls").as_array()) paged.emplace_back(u.as_string());
    auto* next = p.as_object().if_contains("NextToken");
    if (!next) break;
    in["NextToken"] = *next;
  }
  EXPECT_EQ(paged, (std::vector<std::string>{sim.endpoint() + "/000000000000/jobs-a", sim.endpoint() + "/000000000000/jobs-b",
                                             sim.endpoint() + "/000000000000/jobs-c"}));
}

TEST(SqsQueues, DeleteQueueRemovesItButNotTheEventQueue) {
  SimProcess sim(fast_args());
  const std::string url = create_queue(sim, "gone");
  // A long poll on the queue ends when the queue is deleted (it would otherwise wait 20 s).
  auto poll = std::async(std::launch::async, [&] { return receive_from(sim, url, 1, 20); });
  ASSERT_TRUE(eventually([&] { return sim.stats().at("api_calls").as_object().contains("ReceiveMessage"); }));
  auto r = sim.sqs("DeleteQueue", json::object{{"QueueUrl", url}});
  EXPECT_EQ(r.status, 200u) << r.body;
  ASSERT_EQ(poll.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(count(poll.get()), 0u);

  r = sim.sqs("SendMessage", json::object{{"QueueUrl", url}, {"MessageBody", "x"}});
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#QueueDoesNotExist");
  r = sim.sqs("GetQueueUrl", json::object{{"QueueName", "gone"}});
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#QueueDoesNotExist");
  r = sim.sqs("DeleteQueue", json::object{{"QueueUrl", url}});
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#QueueDoesNotExist");

  // The event queue is refused (ECS events would have nowhere to go) and keeps working.
  r = sim.sqs("DeleteQueue", json::object{{"QueueUrl", sim.queue_url()}});
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#UnsupportedOperation");
  EXPECT_NE(r.json().at("message").as_string().find("event queue"), std::string::npos) << r.body;
  EXPECT_EQ(sim.sqs("SendMessage", json::object{{"QueueUrl", sim.queue_url()}, {"MessageBody", "x"}}).status, 200u);
  EXPECT_EQ(sim.state().at("queues").as_array().size(), 1u);
}

}  // namespace
}  // namespace berth::sim::test
