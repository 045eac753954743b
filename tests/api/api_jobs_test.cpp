// File: tests/api/api_jobs_test.cpp — job JSON (times, defaults, every bad field named) and every /v1/jobs route
// against a real SQLite store: create, list paging, CAS PUT, delete, run now, runs, suspend/resume, 400/404/409.
#include "api_fixture.hpp"

#include "http/api/api_job_json.hpp"

#include <date/date.h>

#include <algorithm>

namespace berth::http::api::test {
namespace {

using namespace std::chrono;

json::object body_of(json::object o) { return o; }

// A UTC instant from a calendar date and a time of day.
policy::SysSeconds utc(int y, unsigned m, unsigned d, seconds time_of_day = 0s) {
  return policy::SysSeconds(date::sys_days(date::year(y) / date::month(m) / date::day(d)) + time_of_day);
}

// Times as Python's datetime.isoformat() writes them (ECS Scheduler serializes with it), values from zoneinfo.
TEST(JobTimes, FormatsInTheJobsZoneWithItsOffset) {
  const policy::SystemTime t = utc(2026, 12, 3, 15h);
  EXPECT_EQ(format_zoned_time(t, "America/New_York"), "2026-12-03T10:00:00-05:00");
  EXPECT_EQ(format_zoned_time(t + 250ms, "Australia/Lord_Howe"), "2026-12-04T02:00:00.250000+11:00");
  EXPECT_EQ(format_zoned_time(policy::SystemTime(seconds(1'790'000'000)), "UTC"), "2026-09-21T14:13:20+00:00");
  EXPECT_EQ(format_zoned_time(policy::SystemTime(seconds(1'790'000'000)), "America/New_York"),
            "2026-09-21T10:13:20-04:00");
}

TEST(JobTimes, ParsesIso8601WithoutOffsetAsUtc) {
  const auto at = utc(2015, 10, 7, 13h + 44min + 53s);
  EXPECT_EQ(parse_iso8601("2015-10-07T13:44:53"), at);
  EXPECT_EQ(parse_iso8601("2015-10-07T13:44:53.123456+00:00"), at);
  EXPECT_EQ(parse_iso8601("2015-10-07T13:44:53Z"), at);
  EXPECT_EQ(parse_iso8601("2015-10-07T23:44:53.123456+10:00"), at);
  EXPECT_EQ(parse_iso8601("2015-10-07T07:44:53-0600"), at);
  EXPECT_EQ(parse_iso8601("2015-10-07"), utc(2015, 10, 7));
  for (auto bad : {"", "2015-10-07T", "2015-13-01T00:00:00", "2015-02-30T00:00:00", "2015-10-07T25:00:00",
                   "2015-10-07T13:44:53+1", "yesterday", "2015-10-07T13:44:53 UTC"}) {
    EXPECT_FALSE(parse_iso8601(bad)) << bad;
  }
}

TEST(JobFamily, IsTheTaskDefinitionWithoutRevisionOrArn) {
  EXPECT_EQ(task_definition_family("web"), "web");
  EXPECT_EQ(task_definition_family("web:3"), "web");
  EXPECT_EQ(task_definition_family("arn:aws:ecs:us-east-1:123:task-definition/batch-x:7"), "batch-x");
}

JobBodyContext create_context(std::vector<std::string> clusters = {"prod"}) {
  JobBodyContext ctx;
  ctx.clusters = std::move(clusters);
  ctx.seed = 42;
  return ctx;
}

std::vector<std::string> dotted_fields(const ParsedJob& p) {
  std::vector<std::string> out;
  for (const auto& e : p.errors) out.push_back(e.dotted());
  return out;
}

TEST(JobBody, DefaultsAsEcsSchedulerAndTheIssueSay) {
  auto p = parse_job_body(body_of({{"taskDefinition", "nightly:4"}, {"schedule", "0 0 3"}}), create_context());
  ASSERT_TRUE(p.errors.empty()) << p.errors.front().dotted();
  EXPECT_EQ(p.spec.id, "nightly");
  EXPECT_EQ(p.spec.cluster, "prod");
  EXPECT_EQ(p.spec.timezone, "UTC");
  EXPECT_EQ(p.spec.task_count, 1);
  EXPECT_FALSE(p.spec.max_count);
  EXPECT_EQ(p.spec.concurrency, policy::ConcurrencyPolicy::allow);
  EXPECT_EQ(p.spec.starting_deadline, 3600s);
  EXPECT_EQ(p.spec.retries, policy::JobRetries{});
  EXPECT_EQ(p.spec.history_limit.successful, 10);
  EXPECT_EQ(p.spec.history_limit.failed, 10);
}

TEST(JobBody, EveryFieldRead) {
  auto body = json::parse(R"({"id":"etl","cluster":"batch","taskDefinition":"etl:2","schedule":"cron:*/5 * * * *",
    "timezone":"Europe/London","scheduleStart":"2026-01-01T00:00:00","scheduleEnd":"2027-01-01T00:00:00+01:00",
    "suspended":true,"taskCount":3,"maxCount":7,"trigger":{"type":"sqs","queueName":"work.fifo","messagesPerTask":5},
    "overrides":[{"containerName":"app","environment":{"MODE":"full"}}],"concurrencyPolicy":"Forbid",
    "startingDeadlineSeconds":60,"retries":{"limit":2,"delaySeconds":5,"maxDelaySeconds":50},
    "historyLimit":{"successful":3,"failed":4}})").as_object();
  auto p = parse_job_body(body, create_context());
  ASSERT_TRUE(p.errors.empty()) << p.errors.front().dotted() << ": " << p.errors.front().why;
  const auto& s = p.spec;
  EXPECT_EQ(s.id, "etl");
  EXPECT_EQ(s.cluster, "batch");
  EXPECT_EQ(s.schedule, "cron:*/5 * * * *");
  EXPECT_EQ(s.schedule_end, utc(2026, 12, 31, 23h));
  EXPECT_TRUE(s.suspended);
  EXPECT_EQ(s.max_count, 7);
  ASSERT_TRUE(s.trigger);
  EXPECT_EQ(s.trigger->queue_name, "work.fifo");
  EXPECT_EQ(s.trigger->messages_per_task, 5);
  ASSERT_EQ(s.overrides.size(), 1u);
  EXPECT_EQ(s.overrides[0].environment.at("MODE"), "full");
  EXPECT_EQ(s.concurrency, policy::ConcurrencyPolicy::forbid);
  EXPECT_EQ(s.retries.limit, 2);
  EXPECT_EQ(s.retries.max_delay, 50s);
  EXPECT_EQ(s.history_limit.failed, 4);
}

TEST(JobBody, QuestionMarksAreDrawnOnceAndStoredDrawn) {
  auto p = parse_job_body(body_of({{"taskDefinition", "t"}, {"schedule", "? ? ? * * * * *"}}), create_context());
  ASSERT_TRUE(p.errors.empty());
  EXPECT_EQ(p.spec.schedule.find('?'), std::string::npos) << p.spec.schedule;
  EXPECT_TRUE(p.spec.schedule.ends_with(" * * * * *")) << p.spec.schedule;
}

TEST(JobBody, ClusterDefaultsOnlyWhenBerthWatchesExactlyOne) {
  auto body = body_of({{"taskDefinition", "t"}, {"schedule", "0"}});
  auto several = parse_job_body(body, create_context({"a", "b"}));
  ASSERT_EQ(dotted_fields(several), std::vector<std::string>{"cluster"});
  EXPECT_NE(several.errors[0].why.find("ambiguous"), std::string::npos);
  auto none = parse_job_body(body, create_context({}));
  ASSERT_EQ(dotted_fields(none), std::vector<std::string>{"cluster"});
  body["cluster"] = "b";
  EXPECT_TRUE(parse_job_body(body, create_context({"a", "b"})).errors.empty());
}

TEST(JobBody, EveryBadFieldIsNamedAtOnce) {
  auto body = json::parse(R"({"taskDefinition":"bad/name.x","schedule":"0 99","timezone":"Mars/Olympus",
    "scheduleStart":"2026-02-01T00:00:00","scheduleEnd":"2026-01-01T00:00:00","taskCount":0,"maxCount":51,
    "trigger":{"type":"sqs"},"overrides":[{"environment":{"A":1}}],"concurrencyPolicy":"Sometimes",
    "startingDeadlineSeconds":0,"retries":{"limit":11},"historyLimit":{"failed":101},"colour":"blue"})").as_object();
  auto p = parse_job_body(body, create_context());
  auto fields = dotted_fields(p);
  for (auto want : {"taskDefinition", "schedule", "timezone", "scheduleEnd", "taskCount", "maxCount",
                    "trigger.queueName", "overrides[0].containerName", "overrides[0].environment.A",
                    "concurrencyPolicy", "startingDeadlineSeconds", "retries.limit", "historyLimit.failed", "colour"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), want), fields.end()) << want;
  }
  const auto unknown = std::find_if(p.errors.begin(), p.errors.end(), [](auto& e) { return e.dotted() == "colour"; });
  ASSERT_NE(unknown, p.errors.end());
  EXPECT_EQ(unknown->code, "unknown_field");
  const auto schedule = std::find_if(p.errors.begin(), p.errors.end(), [](auto& e) { return e.dotted() == "schedule"; });
  ASSERT_NE(schedule, p.errors.end());
  EXPECT_NE(schedule->why.find("field 2"), std::string::npos) << schedule->why;  // the parser's position
}

TEST(JobBody, RequiredFields) {
  auto p = parse_job_body(json::object{}, create_context());
  auto fields = dotted_fields(p);
  EXPECT_NE(std::find(fields.begin(), fields.end(), "taskDefinition"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "schedule"), fields.end());
}

// --- /v1/jobs over the store -----------------------------------------------------------------------------------

class ApiJobsTest : public ApiFixture {
 protected:
  ApiResponse create_job(std::string_view id, std::string_view schedule = "0 0 12",
                         std::string_view zone = "America/New_York") {
    return call("POST", "/v1/jobs",
                json::serialize(body_of({{"id", id}, {"taskDefinition", "report:1"}, {"schedule", schedule},
                                         {"timezone", zone}})));
  }
  std::size_t stored_jobs() {
    auto all = berth::test::run_blocking(io_, store_->list_jobs(""));
    if (!all) throw std::runtime_error(all.error().message);
    return all->size();
  }
  policy::Job stored_job(std::string id) {
    auto j = berth::test::run_blocking(io_, store_->get_job(std::move(id)));
    if (!j) throw std::runtime_error(j.error().message);
    return *j;
  }
};

TEST_F(ApiJobsTest, CreateAnswers200WithLocationAndStartsTheCursorAtCreation) {
  now_ += 250ms;
  auto r = create_job("report");
  ASSERT_EQ(r.status, 200) << json::serialize(r.body);
  EXPECT_EQ(header(r, "Location"), "/v1/jobs/report");
  const auto& o = r.body.as_object();
  EXPECT_EQ(o.at("id"), "report");
  EXPECT_EQ(o.at("cluster"), "prod");
  EXPECT_EQ(o.at("revision").as_int64(), 1);
  // now is 2026-09-21T10:13:20.25-04:00: the next noon in New York is today's.
  EXPECT_EQ(o.at("estimatedNextRun"), "2026-09-21T12:00:00-04:00");
  EXPECT_EQ(o.at("createdAt"), "2026-09-21T10:13:20.250000-04:00");
  EXPECT_FALSE(o.contains("lastRun"));
  EXPECT_EQ(stored_job("report").handled_through, policy::SysSeconds(seconds(1'790'000'000)));
  EXPECT_EQ(create_job("report").status, 409);
  EXPECT_EQ(error_code(create_job("report")), "already_exists");
}

TEST_F(ApiJobsTest, BadBodiesAre400NamingTheFieldAndStoreNothing) {
  struct Case {
    std::string body, code, field;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"taskDefinition":"t","schedule":"0 61"})", "invalid_field", "schedule"},
           {R"({"taskDefinition":"t","schedule":"0","timezone":"Nowhere/City"})", "invalid_field", "timezone"},
           {R"({"taskDefinition":"t","schedule":"0","taskCont":2})", "unknown_field", "taskCont"},
           {R"({"schedule":"0"})", "missing_field", "taskDefinition"},
           {R"({"taskDefinition":"t","schedule":"0","revision":3})", "unknown_field", "revision"},
           {R"({"taskDefinition":"t","schedule":)", "invalid_json", ""},
       }) {
    auto r = call("POST", "/v1/jobs", c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(error_code(r), c.code) << c.body;
    const std::string message(r.body.at("error").at("message").as_string());
    EXPECT_NE(message.find(c.field), std::string::npos) << message;
  }
  EXPECT_EQ(stored_jobs(), 0u);
}

TEST_F(ApiJobsTest, ListPagesByIdWithNextToken) {
  for (auto id : {"c", "a", "e", "b", "d"}) ASSERT_EQ(create_job(id).status, 200);
  auto first = call("GET", "/v1/jobs?limit=2");
  ASSERT_EQ(first.status, 200);
  const auto& items = first.body.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("id"), "a");
  EXPECT_EQ(items[1].at("id"), "b");
  EXPECT_EQ(first.body.at("nextToken"), "b");
  auto last = call("GET", "/v1/jobs?limit=3&nextToken=b");
  ASSERT_EQ(last.body.at("items").as_array().size(), 3u);
  EXPECT_EQ(last.body.at("items").at(2).at("id"), "e");
  EXPECT_FALSE(last.body.as_object().contains("nextToken"));
  EXPECT_EQ(call("GET", "/v1/jobs?cluster=other").body.at("items").as_array().size(), 0u);
  EXPECT_EQ(call("GET", "/v1/jobs?limit=0").status, 400);
  EXPECT_EQ(call("GET", "/v1/jobs?skip=1").status, 400);
}

TEST_F(ApiJobsTest, GetAndDeleteAnd404) {
  ASSERT_EQ(create_job("report").status, 200);
  auto got = call("GET", "/v1/jobs/report");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body.at("taskDefinition"), "report:1");
  auto deleted = call("DELETE", "/v1/jobs/report");
  ASSERT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.body.at("id"), "report");
  EXPECT_EQ(stored_jobs(), 0u);
  for (auto [method, path] : {std::pair{"GET", "/v1/jobs/report"}, std::pair{"DELETE", "/v1/jobs/report"},
                              std::pair{"POST", "/v1/jobs/report/run"}, std::pair{"GET", "/v1/jobs/report/runs"},
                              std::pair{"POST", "/v1/jobs/report/suspend"}, std::pair{"POST", "/v1/jobs/report/resume"}}) {
    auto r = call(method, path);
    EXPECT_EQ(r.status, 404) << method << " " << path;
    EXPECT_EQ(error_code(r), "not_found") << method << " " << path;
  }
  EXPECT_EQ(call("PUT", "/v1/jobs/report", R"({"taskDefinition":"t","schedule":"0"})").status, 404);
}

TEST_F(ApiJobsTest, PutReplacesTheWholeSpecWithCompareAndSet) {
  ASSERT_EQ(call("POST", "/v1/jobs", R"({"id":"r","taskDefinition":"t:1","schedule":"0","taskCount":5})").status, 200);
  const auto cursor = stored_job("r").handled_through;
  now_ += 1h;
  auto put = call("PUT", "/v1/jobs/r", R"({"taskDefinition":"t:2","schedule":"0 30","timezone":"Asia/Tokyo","revision":1})");
  ASSERT_EQ(put.status, 200) << json::serialize(put.body);
  EXPECT_EQ(put.body.at("revision").as_int64(), 2);
  EXPECT_EQ(put.body.at("taskCount").as_int64(), 1);  // whole spec: absent fields take their defaults
  const auto job = stored_job("r");
  EXPECT_EQ(job.spec.task_definition, "t:2");
  EXPECT_EQ(job.spec.timezone, "Asia/Tokyo");
  EXPECT_EQ(job.handled_through, cursor);  // a schedule or zone change keeps the cursor
  auto stale = call("PUT", "/v1/jobs/r", R"({"taskDefinition":"t:3","schedule":"0","revision":1})");
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(error_code(stale), "conflict");
  EXPECT_EQ(stored_job("r").spec.task_definition, "t:2");
  auto bad = call("PUT", "/v1/jobs/r", R"({"taskDefinition":"t:3","schedule":"0","id":"other"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(call("PUT", "/v1/jobs/r", R"({"taskDefinition":"t:3","schedule":"0","cluster":"other"})").status, 400);
  EXPECT_EQ(stored_job("r").revision, 2);
}

TEST_F(ApiJobsTest, RunNowRecordsARequestedManualRun) {
  ASSERT_EQ(create_job("report").status, 200);
  const auto before = stored_job("report");
  auto r = call("POST", "/v1/jobs/report/run");
  ASSERT_EQ(r.status, 202) << json::serialize(r.body);
  EXPECT_EQ(r.body.at("id"), json::value("manual-" + std::to_string(1'790'000'000'000LL)));
  EXPECT_EQ(r.body.at("job"), "report");
  EXPECT_EQ(r.body.at("status"), "requested");
  EXPECT_FALSE(r.body.as_object().contains("slot"));
  EXPECT_EQ(stored_job("report").spec, before.spec);
  EXPECT_EQ(stored_job("report").handled_through, before.handled_through);
  now_ += 5s;
  ASSERT_EQ(call("POST", "/v1/jobs/report/run").status, 202);
  auto runs = call("GET", "/v1/jobs/report/runs");
  ASSERT_EQ(runs.status, 200);
  const auto& items = runs.body.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("id"), json::value("manual-" + std::to_string(1'790'000'005'000LL)));  // newest first
  EXPECT_EQ(call("GET", "/v1/jobs/report/runs?limit=1").body.at("items").as_array().size(), 1u);
  EXPECT_EQ(call("GET", "/v1/jobs/report").body.at("lastRun"), "2026-09-21T10:13:25-04:00");
}

TEST_F(ApiJobsTest, ResumeSkipsTheSlotsItWasSuspendedThrough) {
  ASSERT_EQ(create_job("report").status, 200);
  auto s = call("POST", "/v1/jobs/report/suspend");
  ASSERT_EQ(s.status, 200);
  EXPECT_TRUE(s.body.at("suspended").as_bool());
  EXPECT_TRUE(s.body.at("estimatedNextRun").is_null());
  now_ += 50h + 500ms;
  auto r = call("POST", "/v1/jobs/report/resume");
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(r.body.at("suspended").as_bool());
  EXPECT_EQ(stored_job("report").handled_through, policy::SysSeconds(seconds(1'790'000'000 + 50 * 3600)));
  EXPECT_EQ(r.body.at("estimatedNextRun"), "2026-09-24T12:00:00-04:00");  // resumed at 12:13:20-04:00
  // Resuming a job that is not suspended changes nothing.
  const auto rev = stored_job("report").revision;
  now_ += 1h;
  ASSERT_EQ(call("POST", "/v1/jobs/report/resume").status, 200);
  EXPECT_EQ(stored_job("report").revision, rev);
}

}  // namespace
}  // namespace berth::http::api::test
