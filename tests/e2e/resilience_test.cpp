// File: tests/e2e/resilience_test.cpp — berth under a hostile world: faulty event delivery, steady-state cost,
// and bad input on the API and in the queue (issue 5, items 8, 10 and 11).
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "e2e_fixture.hpp"

namespace berth::e2e {
namespace {

using ResilienceE2e = E2eTest;

std::int64_t queue_depth(const SimProcess& sim) {
  auto q = sim.state().at("queue").as_object();
  return q.at("visible").to_number<std::int64_t>() + q.at("inflight").to_number<std::int64_t>() +
         q.at("delayed").to_number<std::int64_t>();
}

// Item 8: duplicated, late, reordered and lost events, with a short audit interval as the safety net, still
// converge to exactly one task per instance, through churn (stopped tasks, new instances) and a rollout.
TEST_F(ResilienceE2e, FaultyEventDeliveryStillConverges) {
  start_sim({"--instances", "20", "--event-duplicate-rate", "0.3", "--event-reorder-rate", "0.3",
             "--event-reorder-window-ms", "1500", "--event-loss-rate", "0.15", "--event-delay-ms", "100"});
  auto td = register_task_definition(sim(), "sturdy");
  auto td2 = register_task_definition(sim(), "sturdy");
  BerthOptions options;
  options.audit_interval = "2s";
  start_berth(options);
  auto body = environment_body("sturdy", td);
  body["rollout"] = json::object{{"maxUnavailable", 5}, {"minHealthySeconds", 0}, {"maxFailures", 3}};
  create_environment(body);
  auto instances = sim_view(sim()).instance_arns();
  ASSERT_TRUE(converges("sturdy", instances, td));

  // Churn under the same faults.
  auto live = sim_view(sim()).live_by_instance("sturdy");
  int stopped = 0;
  for (const auto& [inst, tasks] : live) {
    if (stopped == 3) break;
    sim().post("/_sim/tasks/stop", json::object{{"task", tasks.front().arn}});
    ++stopped;
  }
  sim().post("/_sim/instances", json::object{{"count", 5}});
  instances = sim_view(sim()).instance_arns();
  ASSERT_EQ(instances.size(), 25u);
  ASSERT_TRUE(converges("sturdy", instances, td));
  // Several audits and every late/duplicated event later, still exactly one each.
  EXPECT_TRUE(stays_converged("sturdy", instances, td, 6s));
  EXPECT_EQ(overlapping_tasks(sim(), "default", started_by("sturdy")), std::vector<std::string>{});

  // A rollout through the same faults: stop-then-start hinges on STOPPED events, some of which are lost.
  auto id = deploy("sturdy", td2);
  EXPECT_EQ(wait_deployment_final(berth(), "sturdy", id, converge_timeout), "succeeded");
  ASSERT_TRUE(converges("sturdy", instances, td2));
  EXPECT_TRUE(stays_converged("sturdy", instances, td2, 3s));
  EXPECT_EQ(overlapping_tasks(sim(), "default", started_by("sturdy")), std::vector<std::string>{});

  auto stats = sim().stats();
  EXPECT_GT(stats.at("events_dropped").to_number<std::int64_t>(), 0);
  EXPECT_GT(stats.at("events_duplicated").to_number<std::int64_t>(), 0);
  EXPECT_GT(stats.at("events_reordered").to_number<std::int64_t>(), 0);
  EXPECT_TRUE(berth().alive());
}

// Items 1/6/9 under a hostile ECS: 20% of ECS and SQS calls fail with 500 ServerException before acting, a
// further 10% of ECS calls act and then answer 500 (a lost response), and the modify bucket is tight (burst 5,
// 4/s), so StartTask/StopTask are throttled. Placement and a rollout still finish, and no task is launched twice.
// A StartTask answered 500 may have executed, so berth never repeats it blindly: its instances stay "in doubt"
// until an event shows the task or, ~10 s later, ListTasks on the instance tells whether it was launched.
TEST_F(ResilienceE2e, EcsErrorsAndThrottlingStillConverge) {
  const std::chrono::milliseconds in_doubt_timeout = 120s;
  start_sim({"--instances", "20"});
  auto v1 = register_task_definition(sim(), "stubborn");
  auto v2 = register_task_definition(sim(), "stubborn");
  sim().post("/_sim/throttle", json::object{{"category", "modify"}, {"burst", 5}, {"rate", 4}});
  sim().post("/_sim/faults", json::object{{"api_error_rate", 0.2}, {"api_lost_response_rate", 0.1}});
  start_berth();
  auto body = environment_body("stubborn", v1);
  body["rollout"] = json::object{{"maxUnavailable", 5}, {"minHealthySeconds", 0}, {"maxFailures", 3}};
  auto first = create_environment(body);
  auto instances = sim_view(sim()).instance_arns();
  ASSERT_TRUE(converges("stubborn", instances, v1, in_doubt_timeout));
  ASSERT_EQ(wait_deployment_final(berth(), "stubborn", first, in_doubt_timeout), "succeeded");
  auto id = deploy("stubborn", v2);
  EXPECT_EQ(wait_deployment_final(berth(), "stubborn", id, in_doubt_timeout), "succeeded");
  ASSERT_TRUE(converges("stubborn", instances, v2, in_doubt_timeout));

  // The faults did happen, and berth rode them out.
  auto stats = sim().stats();
  EXPECT_GT(stats.at("injected_errors").to_number<std::int64_t>(), 0);
  EXPECT_GT(stats.at("throttled_total").to_number<std::int64_t>(), 0);
  sim().post("/_sim/faults", json::object{{"api_error_rate", 0.0}, {"api_lost_response_rate", 0.0}});  // the checks below call ECS too
  EXPECT_TRUE(stays_converged("stubborn", instances, v2, 2s));
  EXPECT_EQ(overlapping_tasks(sim(), "default", started_by("stubborn")), std::vector<std::string>{});
  for (const auto& [inst, tasks] : sim_view(sim()).all_by_instance("stubborn")) {
    std::size_t n1 = 0, n2 = 0;
    for (const auto& t : tasks) (t.task_definition == v2 ? n2 : n1) += 1;
    EXPECT_EQ(n1, 1u) << "v1 launched " << n1 << " times on " << inst;
    EXPECT_EQ(n2, 1u) << "v2 launched " << n2 << " times on " << inst;
  }
}

// Item 10: once converged (and with the audit far away), berth makes no ECS calls at all.
TEST_F(ResilienceE2e, SteadyStateMakesNoEcsCalls) {
  start_sim({"--instances", "10"});
  auto td = register_task_definition(sim(), "quiet");
  BerthOptions options;
  options.audit_interval = "1h";
  start_berth(options);
  auto first = create_environment(environment_body("quiet", td));
  auto instances = sim_view(sim()).instance_arns();
  ASSERT_TRUE(converges("quiet", instances, td));
  ASSERT_EQ(wait_deployment_final(berth(), "quiet", first, converge_timeout), "succeeded");

  // Let the tail of the convergence (last events, deployment bookkeeping) settle: counters still for 1 s.
  auto before = settled_ecs_call_counts();
  std::this_thread::sleep_for(6s);
  auto after = ecs_call_counts(sim());
  EXPECT_EQ(after, before) << "berth kept calling ECS in steady state";
  // SQS long polling is the only traffic; it must not be a busy loop either (20 s waits, a few calls).
  EXPECT_TRUE(berth().alive());
}

// Raw bytes on a fresh connection to berth's API; returns whatever came back before close (bounded).
std::string raw_exchange(unsigned short port, const std::string& bytes) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    (void)!write(fd, bytes.data(), bytes.size());
    shutdown(fd, SHUT_WR);
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 && out.size() < 65536) out.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  return out;
}

// Item 11: malformed and oversized API requests get 4xx, garbage in the queue is counted as malformed and
// left for the dead-letter queue, and berth keeps scheduling throughout.
TEST_F(ResilienceE2e, BadInputNeverCrashesBerth) {
  start_sim({"--instances", "3"});
  auto td = register_task_definition(sim(), "tough");
  BerthOptions options;
  options.extra_toml = "[api]\nmax_body_bytes = 65536\n";
  start_berth(options);

  struct Case {
    const char* method;
    std::string target, body;
    unsigned expect;  // 0 = any 4xx
  };
  std::string deep(20000, '[');
  const std::vector<Case> cases{
      {"POST", "/v1/environments", "{not json", 400},
      {"POST", "/v1/environments", "[]", 400},
      {"POST", "/v1/environments", deep, 400},
      {"POST", "/v1/environments", R"({"name":"x","instanceGroup":{"cluster":"default"},"taskDefinition":")" + td +
                                       R"(","bogus":1})",
       400},
      {"POST", "/v1/environments", R"({"name":42,"instanceGroup":{"cluster":"default"},"taskDefinition":"a:1"})", 400},
      {"POST", "/v1/environments",
       R"({"name":"x","instanceGroup":{"cluster":"default"},"taskDefinition":"a:1","rollout":{"maxUnavailable":"0%"}})",
       400},
      {"POST", "/v1/environments", "{\"name\":\"" + std::string(256 * 1024, 'a') + "\"}", 413},
      {"GET", "/v1/environments/nope", "", 404},
      {"POST", "/v1/environments/nope/deployments?deploymentToken=t", R"({"taskDefinition":"a:1"})", 404},
      {"POST", "/v1/environments/%ff%00/deployments", "\xff\xfe", 0},
      {"PATCH", "/v1/environments", "{}", 0},
  };
  for (const auto& c : cases) {
    std::string what = std::string(c.method) + " " + c.target + " body " + c.body.substr(0, 60);
    HttpResult r;
    try {
      r = berth().api(c.method, c.target, c.body);
    } catch (const std::exception& e) {
      ADD_FAILURE() << what << ": no HTTP answer: " << e.what();
      continue;
    }
    if (c.expect)
      EXPECT_EQ(r.status, c.expect) << what << " -> " << r.body;
    else
      EXPECT_TRUE(r.status >= 400 && r.status < 500) << what << " -> " << r.status << " " << r.body;
    EXPECT_TRUE(berth().alive()) << "berth died on " << what;
  }
  // Not even HTTP.
  raw_exchange(berth().port(), "GARBAGE\r\n\r\n");
  raw_exchange(berth().port(), std::string(70000, 'A'));
  raw_exchange(berth().port(), "POST /v1/environments HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n{");
  ASSERT_TRUE(berth().alive());
  EXPECT_EQ(berth().api("GET", "/v1/ping").status, 200u);

  // Garbage in the event queue: malformed, so counted and not deleted (the queue's redrive policy
  // dead-letters it); well-formed events keep flowing.
  const std::vector<std::string> garbage{
      "not json at all",
      "[1,2,3]",
      "{\"truncated\": ",
      R"({"version":"0","id":"x","detail-type":"ECS Task State Change","source":"aws.ecs","detail":42})",
      R"({"version":"0","id":"y","detail-type":"ECS Task State Change","source":"aws.ecs","account":"000000000000",)"
      R"("time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail":{"lastStatus":"RUNNING"}})",
  };
  const auto received_before = sim().stats().at("messages_received").to_number<std::int64_t>();
  for (const auto& body : garbage) {
    auto r = sqs_call(sim(), "SendMessage", json::object{{"QueueUrl", sim().queue_url()}, {"MessageBody", body}});
    ASSERT_EQ(r.status, 200u) << r.body;
  }
  ASSERT_TRUE(wait_until(
      [&] { return sim().stats().at("messages_received").to_number<std::int64_t>() >= received_before + 5; }, 60s));

  auto first = create_environment(environment_body("tough", td));
  auto instances = sim_view(sim()).instance_arns();
  ASSERT_TRUE(converges("tough", instances, td));
  EXPECT_EQ(wait_deployment_final(berth(), "tough", first, converge_timeout), "succeeded");
  ASSERT_TRUE(berth().alive());

  // GET /v1/stats: events.malformed counts receives of malformed bodies, events.malformed_kept the ones left
  // on the queue (both count again when the message comes back after its visibility timeout).
  std::int64_t malformed = 0, kept = 0;
  bool counted = wait_until(
      [&] {
        auto r = berth().api("GET", "/v1/stats");
        if (r.status != 200) return false;
        auto stats = r.json();
        const auto& events = stats.at("events");
        malformed = events.at("malformed").to_number<std::int64_t>();
        kept = events.at("malformed_kept").to_number<std::int64_t>();
        return malformed >= 5 && kept >= 5;
      },
      30s);
  EXPECT_TRUE(counted) << "GET /v1/stats does not count the 5 malformed messages (malformed " << malformed
                       << ", malformed_kept " << kept << ")";
  // Converged, so every real event has been deleted: what is left is the garbage, none of it deleted.
  EXPECT_TRUE(wait_until([&] { return queue_depth(sim()) == 5; }, 30s))
      << "queue depth " << queue_depth(sim()) << ", expected exactly the 5 garbage messages";
  EXPECT_TRUE(berth().alive());
}

// Found a bug (fixed): POST /v1/environments accepted a constraint that does not parse, and every sync then
// planned nothing. The API now answers 400 invalid_field with the parse position.
TEST_F(ResilienceE2e, InvalidConstraintIsRejectedAtWrite) {
  start_sim({"--instances", "1"});
  start_berth();
  for (const char* constraint : {"attribute:foo in [", "attribute:ecs.availability-zone ==", "((", "nonsense"}) {
    json::object body = environment_body("bad-constraint", "a:1");
    body["constraint"] = constraint;
    auto r = berth().api("POST", "/v1/environments", json::serialize(body));
    EXPECT_EQ(r.status, 400u) << constraint << " -> " << r.body;
    if (r.status / 100 == 2) berth().api("DELETE", "/v1/environments/bad-constraint");
  }
  EXPECT_TRUE(berth().alive());
}

}  // namespace
}  // namespace berth::e2e
