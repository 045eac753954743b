// File: tests/e2e/job_test.cpp — scheduled jobs end to end against berth-sim: firing on schedule with the right
// count, SQS depth and maxCount, Forbid/Replace, exactly once per slot across SIGKILL, coalescing the slots berth
// was down for, suspend/resume, retries of a failing task, and bad input refused with nothing stored.
//
// The job tasks end by themselves through berth-sim's BERTH_SIM_EXIT_AFTER_MS convention (tests/sim/README.md).
#include "e2e_fixture.hpp"

#include <boost/json/serialize.hpp>

#include <cstdio>
#include <map>

namespace berth::e2e {
namespace {

using JobTest = E2eTest;

// A one-container task definition whose tasks exit with `exit_code` after `exit_after_ms` (0: run until stopped).
std::string batch_definition(const SimProcess& sim, const std::string& family, int exit_after_ms, int exit_code = 0) {
  json::array env;
  if (exit_after_ms > 0) {
    env.push_back(json::object{{"name", "BERTH_SIM_EXIT_AFTER_MS"}, {"value", std::to_string(exit_after_ms)}});
    env.push_back(json::object{{"name", "BERTH_SIM_EXIT_CODE"}, {"value", std::to_string(exit_code)}});
  }
  json::object container{{"name", "app"}, {"image", "public.ecr.aws/docker/library/busybox:latest"},
                         {"cpu", 64},     {"memory", 64},
                         {"essential", true}, {"environment", std::move(env)}};
  auto r = ecs_call(sim, "RegisterTaskDefinition",
                    json::object{{"family", family}, {"containerDefinitions", json::array{container}}});
  if (r.status != 200) throw std::runtime_error("RegisterTaskDefinition " + family + ": " + r.body);
  return family + ":" + std::to_string(r.json().at("taskDefinition").at("revision").to_number<std::int64_t>());
}

// ECS's tasks of the job (any status), counted by the run that launched them (the group's last part). Read from
// the sim's control API: ECS reads here would take tokens from the read bucket berth shares.
std::map<std::string, int> tasks_per_run(const SimProcess& sim, const std::string& job) {
  std::map<std::string, int> out;
  const auto started_by = policy::encode_started_by(policy::WorkloadKey::job(job));
  for (const auto& t : sim_view(sim).tasks)
    if (t.started_by == started_by) out[t.group.substr(t.group.rfind(':') + 1)]++;
  return out;
}

json::array runs(BerthProcess& berth, const std::string& job) {
  auto r = berth.get_json("/v1/jobs/" + job + "/runs");
  return r.at("items").as_array();
}

std::size_t runs_with_status(BerthProcess& berth, const std::string& job, std::string_view status) {
  std::size_t n = 0;
  for (const auto& r : runs(berth, job)) n += r.at("status").as_string() == status ? 1 : 0;
  return n;
}

int live_tasks(const SimProcess& sim, const std::string& family) {
  int n = 0;
  for (const auto& [instance, tasks] : sim_view(sim).live_by_instance(family)) n += static_cast<int>(tasks.size());
  return n;
}

TEST_F(JobTest, FiresOnScheduleWithTheRightCountAndRecordsEachRun) {
  start_sim({"--instances", "3"});
  const auto td = batch_definition(sim(), "report", 300);
  start_berth();
  // ECS Scheduler's form: every 2 seconds.
  berth().post_json("/v1/jobs", json::object{{"id", "report"}, {"taskDefinition", td}, {"schedule", "*/2"},
                                             {"taskCount", 3}});
  ASSERT_TRUE(wait_until([&] { return runs_with_status(berth(), "report", "succeeded") >= 2; }, 60s))
      << json::serialize(runs(berth(), "report"));
  const auto counted = tasks_per_run(sim(), "report");
  for (const auto& r : runs(berth(), "report")) {
    if (r.at("status").as_string() != "succeeded") continue;
    const std::string id(r.at("id").as_string());
    EXPECT_EQ(r.at("tasks").as_array().size(), 3u) << json::serialize(r);
    EXPECT_EQ(counted.at(id), 3) << "run " << id << " launched a different number of tasks in ECS";
  }
  auto job = berth().get_json("/v1/jobs/report");
  EXPECT_FALSE(job.at("lastRun").is_null()) << json::serialize(job);
  EXPECT_FALSE(job.at("estimatedNextRun").is_null()) << json::serialize(job);
}

TEST_F(JobTest, QueueDepthScalesTheCountAndMaxCountCapsIt) {
  start_sim({"--instances", "4"});
  const auto td = batch_definition(sim(), "worker", 0);
  auto q = sqs_call(sim(), "CreateQueue", json::object{{"QueueName", "work"}});
  ASSERT_EQ(q.status, 200) << q.body;
  const std::string url(q.json().at("QueueUrl").as_string());
  for (int i = 0; i < 25; ++i)
    ASSERT_EQ(sqs_call(sim(), "SendMessage", json::object{{"QueueUrl", url}, {"MessageBody", "m"}}).status, 200);
  start_berth();
  const json::object trigger{{"type", "sqs"}, {"queueName", "work"}, {"messagesPerTask", 10}};
  berth().post_json("/v1/jobs", json::object{{"id", "drain"}, {"taskDefinition", td}, {"schedule", "*/2"},
                                             {"maxCount", 5}, {"trigger", trigger}});
  berth().post_json("/v1/jobs", json::object{{"id", "capped"}, {"taskDefinition", td}, {"schedule", "*/2"},
                                             {"maxCount", 2}, {"trigger", trigger}});
  // ceil(25 / 10) = 3 for "drain"; "capped" stops at its maxCount of 2. Tasks keep running: Allow tops up only.
  ASSERT_TRUE(wait_until([&] { return live_tasks(sim(), "worker") == 5; }, 60s)) << live_tasks(sim(), "worker");
  ASSERT_TRUE(wait_until([&] { return runs(berth(), "drain").size() >= 3; }, 60s));
  int drain = 0, capped = 0;
  for (const auto& [run, n] : tasks_per_run(sim(), "drain")) drain += n;
  for (const auto& [run, n] : tasks_per_run(sim(), "capped")) capped += n;
  EXPECT_EQ(drain, 3);
  EXPECT_EQ(capped, 2);
}

TEST_F(JobTest, ForbidSkipsWhileTheRunIsAliveAndReplaceStopsIt) {
  start_sim({"--instances", "3"});
  const auto forever = batch_definition(sim(), "daemonish", 0);
  const auto forever2 = batch_definition(sim(), "swap", 0);
  start_berth();
  berth().post_json("/v1/jobs", json::object{{"id", "forbid"}, {"taskDefinition", forever}, {"schedule", "*/2"},
                                             {"concurrencyPolicy", "Forbid"}});
  berth().post_json("/v1/jobs", json::object{{"id", "replace"}, {"taskDefinition", forever2}, {"schedule", "*/2"},
                                             {"concurrencyPolicy", "Replace"}});
  ASSERT_TRUE(wait_until([&] { return runs_with_status(berth(), "forbid", "skipped") >= 2; }, 60s));
  EXPECT_EQ(live_tasks(sim(), "daemonish"), 1);
  int forbid_total = 0;
  for (const auto& [run, n] : tasks_per_run(sim(), "forbid")) forbid_total += n;
  EXPECT_EQ(forbid_total, 1);
  // Replace: every slot stops the previous task and starts one; one stays alive.
  ASSERT_TRUE(wait_until([&] { return tasks_per_run(sim(), "replace").size() >= 3; }, 60s));
  ASSERT_TRUE(wait_until([&] { return live_tasks(sim(), "swap") <= 2; }, 30s));
  for (const auto& [run, n] : tasks_per_run(sim(), "replace")) EXPECT_EQ(n, 1) << run;
}

TEST_F(JobTest, SigkillAroundASlotStillRunsItExactlyOnce) {
  start_sim({"--instances", "4"});
  const auto td = batch_definition(sim(), "once", 500);
  start_berth();
  berth().post_json("/v1/jobs", json::object{{"id", "once"}, {"taskDefinition", td}, {"schedule", "*/3"},
                                             {"taskCount", 12}});
  // Kill berth as soon as ECS shows the first task of a run: the run's other batch may not be sent yet.
  ASSERT_TRUE(wait_until([&] { return !tasks_per_run(sim(), "once").empty(); }, 60s, 5ms));
  berth().kill_hard();
  berth().start();
  ASSERT_TRUE(wait_until([&] { return runs_with_status(berth(), "once", "succeeded") >= 3; }, 90s))
      << json::serialize(runs(berth(), "once"));
  for (const auto& [run, n] : tasks_per_run(sim(), "once")) EXPECT_EQ(n, 12) << "run " << run;
}

TEST_F(JobTest, BerthDownAcrossThreeSlotsRunsOnlyTheLatestOnce) {
  start_sim({"--instances", "2"});
  const auto td = batch_definition(sim(), "tick", 200);
  start_berth();
  berth().post_json("/v1/jobs", json::object{{"id", "tick"}, {"taskDefinition", td}, {"schedule", "*/2"}});
  ASSERT_TRUE(wait_until([&] { return !runs(berth(), "tick").empty(); }, 60s));
  ASSERT_EQ(berth().stop(), 0);
  const auto before = tasks_per_run(sim(), "tick").size();
  std::this_thread::sleep_for(7s);  // the scenario: three or more slots pass while berth is down
  berth().start();
  ASSERT_TRUE(wait_until([&] { return tasks_per_run(sim(), "tick").size() >= before + 1; }, 60s));
  bool coalesced = false;
  for (const auto& r : runs(berth(), "tick")) coalesced = coalesced || r.at("missedBefore").to_number<int>() >= 2;
  EXPECT_TRUE(coalesced) << json::serialize(runs(berth(), "tick"));
  EXPECT_GE(berth().get_json("/v1/jobs/tick").at("missedSlots").to_number<int>(), 2);
  // The down time launched one run, not one per slot: never two runs within one slot period after the restart.
  for (const auto& [run, n] : tasks_per_run(sim(), "tick")) EXPECT_EQ(n, 1) << run;
}

TEST_F(JobTest, SuspendedJobDoesNotFireAndResumedFiresAtItsNextSlot) {
  start_sim({"--instances", "2"});
  const auto td = batch_definition(sim(), "nap", 100);
  start_berth();
  berth().post_json("/v1/jobs", json::object{{"id", "nap"}, {"taskDefinition", td}, {"schedule", "*/2"},
                                             {"suspended", true}});
  std::this_thread::sleep_for(5s);  // two slots pass while suspended
  EXPECT_TRUE(tasks_per_run(sim(), "nap").empty());
  EXPECT_TRUE(runs(berth(), "nap").empty());
  berth().post_json("/v1/jobs/nap/resume", json::object{});
  ASSERT_TRUE(wait_until([&] { return !tasks_per_run(sim(), "nap").empty(); }, 30s));
  for (const auto& r : runs(berth(), "nap")) EXPECT_EQ(r.at("missedBefore").to_number<int>(), 0) << json::serialize(r);
}

TEST_F(JobTest, AFailingTaskIsRetriedRetriesLimitTimes) {
  start_sim({"--instances", "2"});
  const auto td = batch_definition(sim(), "flaky", 100, 1);
  start_berth();
  berth().post_json("/v1/jobs", json::object{{"id", "flaky"}, {"taskDefinition", td}, {"schedule", "0 0 0 * * * * 2099"},
                                             {"retries", json::object{{"limit", 2}, {"delaySeconds", 1},
                                                                      {"maxDelaySeconds", 2}}}});
  berth().post_json("/v1/jobs/flaky/run", json::object{});
  ASSERT_TRUE(wait_until([&] { return runs_with_status(berth(), "flaky", "failed") == 1; }, 60s))
      << json::serialize(runs(berth(), "flaky"));
  auto run = runs(berth(), "flaky").at(0);
  EXPECT_EQ(run.at("attempt").to_number<int>(), 3);
  EXPECT_EQ(tasks_per_run(sim(), "flaky").at(std::string(run.at("id").as_string())), 3);
}

TEST_F(JobTest, BadInputIsRefusedNamingTheFieldAndNothingIsStored) {
  start_sim({"--instances", "1"});
  const auto td = batch_definition(sim(), "bad", 100);
  start_berth();
  struct Case {
    json::object body;
    std::string field;
  };
  std::vector<Case> cases{
      {json::object{{"id", "bad"}, {"taskDefinition", td}, {"schedule", "cron:61 * * * *"}}, "schedule"},
      {json::object{{"id", "bad"}, {"taskDefinition", td}, {"schedule", "*/2"}, {"timezone", "Mars/Base"}}, "timezone"},
      {json::object{{"id", "bad"}, {"taskDefinition", td}, {"schedule", "*/2"}, {"taskCount", 51}}, "taskCount"},
      {json::object{{"id", "bad"}, {"taskDefinition", td}, {"schedule", "*/2"}, {"colour", "red"}}, "colour"},
  };
  for (const auto& c : cases) {
    auto r = berth().api("POST", "/v1/jobs", json::serialize(c.body));
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find(c.field), std::string::npos) << r.body;
  }
  auto malformed = berth().api("POST", "/v1/jobs", "{\"id\": ");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(berth().api("GET", "/v1/jobs/bad").status, 404);
  EXPECT_TRUE(berth().alive());
}


// Chronos's client: its job hash at /scheduler/iso8601 with HTTP Basic credentials (the API token as password),
// "R3/start/PT2S" runs three times, PUT runs it once more, DELETE removes it; the job is a berth job throughout.
TEST_F(JobTest, ChronosFrontDrivesABerthJobWithBasicCredentials) {
  start_sim({"--instances", "2"});
  const auto td = batch_definition(sim(), "nightly", 200);
  BerthOptions options;
  options.api_token = "0123456789abcdef-token";
  start_berth(options);
  const berth::testing::HttpHeaders basic{{"Content-Type", "application/json"},
                                          {"Authorization", "Basic Y2hyb25vczowMTIzNDU2Nzg5YWJjZGVmLXRva2Vu"}};
  const berth::testing::HttpHeaders wrong{{"Content-Type", "application/json"},
                                          {"Authorization", "Basic Y2hyb25vczp3cm9uZy1wYXNzd29yZC0wMDAwMDA="}};
  auto chronos = [&](const std::string& method, const std::string& target, const std::string& body = {},
                     const berth::testing::HttpHeaders& headers = {}) {
    return berth::testing::http_call(berth().port(), method, target, body, headers.empty() ? basic : headers);
  };
  // The start a few seconds ahead, as a Chronos user writes it (UTC, 'Z').
  const auto start = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 3s;
  const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(start)};
  const std::chrono::hh_mm_ss time{start - std::chrono::floor<std::chrono::days>(start)};
  char schedule[48];
  std::snprintf(schedule, sizeof schedule, "R3/%04d-%02u-%02uT%02d:%02d:%02dZ/PT2S", static_cast<int>(day.year()),
                static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  const auto job = json::serialize(json::object{{"name", "nightly"}, {"command", td},
                                                {"schedule", schedule},
                                                {"epsilon", "PT30S"}, {"owner", "ops@example.com"}});
  EXPECT_EQ(chronos("POST", "/scheduler/iso8601", job, wrong).status, 401);
  auto posted = chronos("POST", "/scheduler/iso8601", job);
  ASSERT_EQ(posted.status, 204) << posted.body;
  ASSERT_TRUE(wait_until([&] { return runs_with_status(berth(), "nightly", "succeeded") >= 3; }, 60s))
      << json::serialize(runs(berth(), "nightly"));
  // R3: three slots, then no further one.
  auto v1 = berth().get_json("/v1/jobs/nightly");
  EXPECT_TRUE(v1.at("estimatedNextRun").is_null()) << json::serialize(v1);
  EXPECT_EQ(v1.at("taskDefinition").as_string(), td);
  auto listed = chronos("GET", "/scheduler/jobs");
  ASSERT_EQ(listed.status, 200);
  const auto listed_jobs = listed.json();
  ASSERT_EQ(listed_jobs.as_array().size(), 1u) << listed.body;
  const auto& chronos_job = listed_jobs.as_array().at(0);
  EXPECT_EQ(chronos_job.at("name"), "nightly");
  EXPECT_EQ(chronos_job.at("successCount"), 3) << listed.body;
  EXPECT_EQ(chronos_job.at("owner"), "ops@example.com");
  EXPECT_NE(chronos_job.at("lastSuccess"), "");
  // Run now, Chronos's way.
  ASSERT_EQ(chronos("PUT", "/scheduler/job/nightly").status, 204);
  ASSERT_TRUE(wait_until([&] { return runs_with_status(berth(), "nightly", "succeeded") >= 4; }, 60s))
      << json::serialize(runs(berth(), "nightly"));
  EXPECT_EQ(tasks_per_run(sim(), "nightly").size(), 4u);
  ASSERT_EQ(chronos("DELETE", "/scheduler/job/nightly").status, 204);
  EXPECT_EQ(berth().api("GET", "/v1/jobs/nightly").status, 404);
}

}  // namespace
}  // namespace berth::e2e
