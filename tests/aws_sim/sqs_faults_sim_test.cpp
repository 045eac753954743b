// File: tests/aws_sim/sqs_faults_sim_test.cpp — every SqsClient operation against berth-sim (events the sim
// produces, decoded as berth decodes them), plus auth failures, server throttling and injected API errors.
#include "sim_fixture.hpp"

#include <map>
#include <set>

namespace berth::aws::simtest {
namespace {

sqs::ReceiveMessageRequest poll(const std::string& queue_url, int wait_seconds = 1) {
  sqs::ReceiveMessageRequest r;
  r.queue_url = queue_url;
  r.wait_time_seconds = wait_seconds;
  r.max_number_of_messages = 10;
  return r;
}

std::vector<sqs::BatchEntry> entries_for(const std::vector<sqs::Message>& msgs, std::optional<int> visibility = {}) {
  std::vector<sqs::BatchEntry> out;
  for (std::size_t i = 0; i < msgs.size(); ++i)
    out.push_back(sqs::BatchEntry{"m" + std::to_string(i), msgs[i].receipt_handle, visibility});
  return out;
}

int queue_attribute(SimClients& c, const std::string& name) {
  auto attrs = c.await(c.sqs.get_queue_attributes(c.sim.queue_url(), {name}));
  EXPECT_TRUE(attrs) << (attrs ? "" : attrs.error().describe());
  if (!attrs || !attrs->contains(name)) return -1;
  return std::stoi(attrs->at(name));
}

TEST(SqsAgainstSim, QueueUrlSendReceiveVisibilityAndDelete) {
  SimClients c;
  auto url = c.await(c.sqs.get_queue_url("berth-events"));
  ASSERT_TRUE(url) << url.error().describe();
  EXPECT_EQ(*url, c.sim.queue_url());
  auto missing = c.await(c.sqs.get_queue_url("no-such-queue"));
  ASSERT_FALSE(missing);
  EXPECT_FALSE(missing.error().retryable());

  sqs::SendMessageRequest send;
  send.queue_url = *url;
  send.body = R"({"hello":"berth"})";
  auto sent = c.await(c.sqs.send_message(send));
  ASSERT_TRUE(sent) << sent.error().describe();
  EXPECT_FALSE(sent->message_id.empty());
  EXPECT_EQ(c.sim_stat("messages_sent"), 1);

  auto attrs = c.await(c.sqs.get_queue_attributes(*url));  // "All"
  ASSERT_TRUE(attrs) << attrs.error().describe();
  EXPECT_TRUE(attrs->contains("QueueArn"));
  EXPECT_EQ(attrs->at("ApproximateNumberOfMessages"), "1");

  auto first = c.await(c.sqs.receive_message(poll(*url)));
  ASSERT_TRUE(first) << first.error().describe();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].body, send.body);
  EXPECT_EQ((*first)[0].message_id, sent->message_id);
  EXPECT_EQ((*first)[0].receive_count(), 1);
  EXPECT_EQ(queue_attribute(c, "ApproximateNumberOfMessagesNotVisible"), 1);

  // Visible again at once: received a second time with a higher receive count.
  auto vis = c.await(c.sqs.change_message_visibility(*url, (*first)[0].receipt_handle, 0));
  ASSERT_TRUE(vis) << vis.error().describe();
  auto second = c.await(c.sqs.receive_message(poll(*url)));
  ASSERT_TRUE(second && second->size() == 1u);
  EXPECT_EQ((*second)[0].message_id, sent->message_id);
  EXPECT_EQ((*second)[0].receive_count(), 2);

  auto deleted = c.await(c.sqs.delete_message_batch(*url, entries_for(*second)));
  ASSERT_TRUE(deleted) << deleted.error().describe();
  EXPECT_EQ(deleted->successful, std::vector<std::string>{"m0"});
  EXPECT_TRUE(deleted->failed.empty());
  EXPECT_EQ(queue_attribute(c, "ApproximateNumberOfMessages"), 0);
  EXPECT_EQ(queue_attribute(c, "ApproximateNumberOfMessagesNotVisible"), 0);

  // An empty long poll is not an error (and not a timeout).
  auto empty = c.await(c.sqs.receive_message(poll(*url, 1)));
  ASSERT_TRUE(empty) << empty.error().describe();
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(c.sim_stat("auth_failures"), 0);
}

TEST(SqsAgainstSim, LongPollDeliversTaskEventsThatDecodeAsTasks) {
  SimClients c({"--instances", "1"});
  c.register_family("web", 64, 64);
  ecs::StartTaskRequest start;
  start.cluster = "default";
  start.task_definition = "web";
  start.container_instances = c.instances();
  start.started_by = "berth-events";
  auto started = c.await(c.ecs.start_task(start));
  ASSERT_TRUE(started && started->items.size() == 1u);
  const auto task_arn = started->items[0].task_arn;

  // Poll until the task's RUNNING event arrives; every message is deleted in batches.
  std::vector<std::string> statuses;
  std::int64_t last_version = 0;
  bool versions_increase = true;
  std::size_t instance_events = 0, deleted = 0;
  for (int i = 0; i < 20 && (statuses.empty() || statuses.back() != "RUNNING"); ++i) {
    auto msgs = c.await(c.sqs.receive_message(poll(c.sim.queue_url(), 2)));
    ASSERT_TRUE(msgs) << msgs.error().describe();
    for (const auto& m : *msgs) {
      const auto envelope = json::parse(m.body);
      EXPECT_EQ(envelope.at("source"), "aws.ecs");
      const auto type = envelope.at("detail-type").as_string();
      if (type == "ECS Container Instance State Change") {
        auto ci = ecs::decode_container_instance(envelope.at("detail"));
        EXPECT_TRUE(ci) << (ci ? "" : ci.error().message);
        ++instance_events;
        continue;
      }
      ASSERT_EQ(type, "ECS Task State Change");
      auto task = ecs::decode_task(envelope.at("detail"));
      ASSERT_TRUE(task) << task.error().message;
      if (task->task_arn != task_arn) continue;
      EXPECT_EQ(task->started_by, "berth-events");
      EXPECT_TRUE(task->updated_at.has_value());
      versions_increase = versions_increase && task->version > last_version;
      last_version = task->version;
      statuses.push_back(task->last_status);
    }
    if (!msgs->empty()) {
      auto del = c.await(c.sqs.delete_message_batch(c.sim.queue_url(), entries_for(*msgs)));
      ASSERT_TRUE(del) << del.error().describe();
      EXPECT_TRUE(del->failed.empty());
      deleted += del->successful.size();
    }
  }
  ASSERT_FALSE(statuses.empty());
  EXPECT_EQ(statuses.back(), "RUNNING");
  EXPECT_TRUE(versions_increase);  // no faults configured: in order, no duplicates
  EXPECT_GE(instance_events, 1u);  // the task took resources from its instance
  EXPECT_EQ(c.sim_stat("messages_deleted"), static_cast<std::int64_t>(deleted));
}

TEST(SqsAgainstSim, ChangeMessageVisibilityBatchAcrossMoreThanTenMessages) {
  SimClients c;
  for (int i = 0; i < 12; ++i) {
    sqs::SendMessageRequest send;
    send.queue_url = c.sim.queue_url();
    send.body = "message " + std::to_string(i);
    ASSERT_TRUE(c.await(c.sqs.send_message(send)));
  }
  std::vector<sqs::Message> held;
  for (int i = 0; i < 5 && held.size() < 12; ++i) {
    auto msgs = c.await(c.sqs.receive_message(poll(c.sim.queue_url())));
    ASSERT_TRUE(msgs) << msgs.error().describe();
    held.insert(held.end(), msgs->begin(), msgs->end());
  }
  ASSERT_EQ(held.size(), 12u);
  // 12 entries -> two ChangeMessageVisibilityBatch calls (10 + 2); all visible again.
  auto changed = c.await(c.sqs.change_message_visibility_batch(c.sim.queue_url(), entries_for(held, 0)));
  ASSERT_TRUE(changed) << changed.error().describe();
  EXPECT_EQ(changed->successful.size(), 12u);
  EXPECT_TRUE(changed->failed.empty());
  EXPECT_EQ(queue_attribute(c, "ApproximateNumberOfMessages"), 12);

  std::set<std::string> bodies;
  std::vector<sqs::Message> again;
  for (int i = 0; i < 5 && again.size() < 12; ++i) {
    auto msgs = c.await(c.sqs.receive_message(poll(c.sim.queue_url())));
    ASSERT_TRUE(msgs);
    again.insert(again.end(), msgs->begin(), msgs->end());
  }
  for (const auto& m : again) {
    bodies.insert(m.body);
    EXPECT_EQ(m.receive_count(), 2);
  }
  EXPECT_EQ(bodies.size(), 12u);
  // A stale receipt handle fails per entry, not the whole call.
  auto stale = c.await(c.sqs.change_message_visibility_batch(c.sim.queue_url(), entries_for(held, 30)));
  ASSERT_TRUE(stale) << stale.error().describe();
  EXPECT_EQ(stale->failed.size() + stale->successful.size(), 12u);
  auto deleted = c.await(c.sqs.delete_message_batch(c.sim.queue_url(), entries_for(again)));
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->successful.size(), 12u);
}

TEST(AuthAgainstSim, WrongSecretIsAPermanent403) {
  SimClients c({"--instances", "1"}, "not-the-secret");
  ecs::ListTasksRequest req;
  req.cluster = "default";
  auto r = c.await(c.ecs.list_tasks(req));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 403u);
  EXPECT_EQ(r.error().type, "InvalidSignatureException");
  EXPECT_EQ(r.error().error_class, ErrorClass::permanent);
  EXPECT_FALSE(r.error().outcome_unknown());
  EXPECT_EQ(c.ecs.protocol().stats().retries, 0u);

  auto q = c.await(c.sqs.get_queue_attributes(c.sim.queue_url()));
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().http_status, 403u);
  EXPECT_EQ(q.error().error_class, ErrorClass::permanent);
  EXPECT_EQ(c.sim_stat("auth_failures"), 2);  // one attempt each: nothing retried
}

TEST(ThrottlingAgainstSim, ServerThrottlingIsRetriedAndCounted) {
  // Full-ceiling backoff (50, 100, 200 ms ...) against a bucket refilling 10 tokens/s: every call
  // gets through within its attempts.
  SimClients c({"--instances", "2"}, secret_key, [](ServiceConfig& cfg) { cfg.random = [] { return 1.0; }; });
  c.register_family("web", 10, 10);
  c.sim.post("/_sim/throttle", json::object{{"category", "read"}, {"burst", 2}, {"rate", 10}});
  ecs::ListTasksRequest req;
  req.cluster = "default";
  for (int i = 0; i < 6; ++i) {
    auto r = c.await(c.ecs.list_tasks(req));
    ASSERT_TRUE(r) << "call " << i << ": " << r.error().describe();
  }
  const auto& stats = c.ecs.protocol().stats();
  EXPECT_GE(stats.throttled_responses, 1u);
  EXPECT_EQ(static_cast<std::int64_t>(stats.throttled_responses), c.sim_stat("throttled_total"));
  EXPECT_EQ(stats.retries, stats.throttled_responses);

  // StartTask throttled by the server is retried too (nothing executed) and launches exactly once.
  c.sim.post("/_sim/throttle", json::object{{"operation", "StartTask"}, {"burst", 1}, {"rate", 10}});
  ecs::StartTaskRequest start;
  start.cluster = "default";
  start.task_definition = "web";
  start.container_instances = {c.instances().at(0)};
  for (int i = 0; i < 2; ++i) {
    auto s = c.await(c.ecs.start_task(start));
    ASSERT_TRUE(s) << s.error().describe();
    EXPECT_EQ(s->items.size(), 1u);
  }
  EXPECT_GE(c.sim_stat("throttled", "StartTask"), 1);
  EXPECT_EQ(c.sim_stat("tasks_total"), 2);
  EXPECT_EQ(c.ecs.protocol().stats().in_doubt, 0u);
}

TEST(FaultsAgainstSim, InjectedServerErrorsAreRetriedForReadsAndPutStartTaskInDoubt) {
  SimClients c({"--instances", "1"}, secret_key, [](ServiceConfig& cfg) { cfg.retry.max_attempts = 10; });
  c.register_family("web", 10, 10);
  const auto ci = c.instances().at(0);
  c.sim.post("/_sim/faults", json::object{{"api_error_rate", 0.25}});
  ecs::ListTasksRequest req;
  req.cluster = "default";
  for (int i = 0; i < 30; ++i) {
    auto r = c.await(c.ecs.list_tasks(req));
    ASSERT_TRUE(r) << "call " << i << ": " << r.error().describe();
  }
  const auto injected = c.sim_stat("injected_errors");
  EXPECT_GT(injected, 0);
  EXPECT_EQ(static_cast<std::int64_t>(c.ecs.protocol().stats().retries), injected);

  // A 500 may come after the work was done: StartTask is not repeated, the launch is in doubt.
  c.sim.post("/_sim/faults", json::object{{"api_error_rate", 1.0}});
  ecs::StartTaskRequest start;
  start.cluster = "default";
  start.task_definition = "web";
  start.container_instances = {ci};
  auto s = c.await(c.ecs.start_task(start));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().type, "ServerException");
  EXPECT_TRUE(s.error().outcome_unknown());
  EXPECT_EQ(c.sim_stat("api_calls", "StartTask"), 1);
  EXPECT_EQ(c.ecs.protocol().stats().in_doubt, 1u);
  EXPECT_EQ(c.sim_stat("tasks_total"), 0) << "api_error_rate fails before the call acts";
}

TEST(FaultsAgainstSim, LostResponseLaunchesTheTaskButAnswers500) {
  SimClients c({"--instances", "1"}, secret_key);
  c.register_family("web", 10, 10);
  const auto ci = c.instances().at(0);
  c.sim.post("/_sim/faults", json::object{{"api_lost_response_rate", 1.0}});
  ecs::StartTaskRequest start;
  start.cluster = "default";
  start.task_definition = "web";
  start.container_instances = {ci};
  auto s = c.await(c.ecs.start_task(start));
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().outcome_unknown());
  EXPECT_EQ(c.sim_stat("api_calls", "StartTask"), 1) << "never resent";
  EXPECT_EQ(c.sim_stat("tasks_total"), 1) << "the launch did happen";
  c.sim.post("/_sim/faults", json::object{{"api_lost_response_rate", 0.0}});
  ecs::ListTasksRequest on_instance;
  on_instance.cluster = "default";
  on_instance.container_instance = ci;
  auto listed = c.await(c.ecs.list_tasks(on_instance));
  ASSERT_TRUE(listed) << listed.error().describe();
  EXPECT_EQ(listed->arns.size(), 1u);
}

}  // namespace
}  // namespace berth::aws::simtest
