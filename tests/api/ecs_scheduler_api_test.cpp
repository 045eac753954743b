// File: tests/api/ecs_scheduler_api_test.cpp — ECS Scheduler's /jobs against a real SQLite store. Expected shapes,
// messages and codes are taken from drmonkeysee/ecs-scheduler (webapi/jobs.py, serialization.py and their tests
// test/webapi/test_jobs.py, test/test_serialization.py), not from berth's code.
#include "api_fixture.hpp"

namespace berth::http::api::test {
namespace {

class EcsSchedulerApiTest : public ApiFixture {
 protected:
  ApiResponse post_job(std::string body) { return call_ecs("POST", "/jobs", std::move(body)); }
  void create_jobs(int n) {
    for (int i = 0; i < n; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "job%02d", i);
      ASSERT_EQ(post_job(R"({"id":")" + std::string(id) + R"(","taskDefinition":"t","schedule":"0"})").status, 201);
    }
  }
  static json::value link(std::string_view id) {
    return json::object{{"href", "/jobs/" + std::string(id)}, {"rel", "item"}, {"title", "Job for " + std::string(id)}};
  }
  std::size_t stored_jobs() {
    auto all = berth::test::run_blocking(io_, store_->list_jobs(""));
    if (!all) throw std::runtime_error(all.error().message);
    return all->size();
  }
};

TEST_F(EcsSchedulerApiTest, PostAnswers201WithIdAndLink) {
  auto r = post_job(R"({"taskDefinition":"foobar","schedule":"*"})");
  ASSERT_EQ(r.status, 201) << json::serialize(r.body);
  EXPECT_EQ(r.body, (json::value(json::object{{"id", "foobar"}, {"link", link("foobar")}})));
  // The id alone names the task definition too (JobCreateSchema loads id from taskDefinition).
  auto by_id = post_job(R"({"id":"foo","schedule":"*"})");
  ASSERT_EQ(by_id.status, 201);
  EXPECT_EQ(call_ecs("GET", "/jobs/foo").body.at("taskDefinition"), "foo");
}

TEST_F(EcsSchedulerApiTest, DuplicateIs409WithItsMessage) {
  ASSERT_EQ(post_job(R"({"taskDefinition":"foobar","schedule":"*"})").status, 201);
  auto r = post_job(R"({"taskDefinition":"foobar","schedule":"0"})");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body, (json::value(json::object{{"message", "Job foobar already exists."}})));
}

TEST_F(EcsSchedulerApiTest, WithoutAJsonContentTypeIs415) {
  const json::value expected =
      json::object{{"message", "Header Content-Type: application/json required to send a request body."}};
  for (std::string ct : {"", "application/x-www-form-urlencoded", "text/plain"}) {
    auto r = call_ecs("POST", "/jobs", R"({"taskDefinition":"a","schedule":"*"})", ct);
    EXPECT_EQ(r.status, 415) << ct;
    EXPECT_EQ(r.body, expected);
  }
  EXPECT_EQ(stored_jobs(), 0u);
  EXPECT_EQ(call_ecs("POST", "/jobs", R"({"taskDefinition":"a","schedule":"*"})", "application/json; charset=utf-8")
                .status,
            201);
  auto put = call_ecs("PUT", "/jobs/a", R"({"taskCount":2})", "");
  EXPECT_EQ(put.status, 415);
  EXPECT_EQ(put.body, expected);
}

TEST_F(EcsSchedulerApiTest, BadFieldsAre400MessagesByFieldAndStoreNothing) {
  auto r = post_job(R"({"taskDefinition":"a","schedule":"0 61","timezone":"FOO","taskCount":51,
                        "trigger":{"type":"sqs"},"colour":"red"})");
  ASSERT_EQ(r.status, 400);
  const auto& messages = r.body.at("messages").as_object();
  for (auto field : {"schedule", "timezone", "taskCount", "colour"}) {
    ASSERT_TRUE(messages.contains(field)) << field << " in " << json::serialize(r.body);
    ASSERT_TRUE(messages.at(field).is_array());
    EXPECT_TRUE(messages.at(field).as_array().at(0).is_string());
  }
  // Nested as marshmallow nests a Nested schema's errors.
  ASSERT_TRUE(messages.at("trigger").at("queueName").is_array()) << json::serialize(r.body);
  auto missing = post_job(R"({})");
  ASSERT_EQ(missing.status, 400);
  EXPECT_TRUE(missing.body.at("messages").as_object().contains("taskDefinition"));
  EXPECT_TRUE(missing.body.at("messages").as_object().contains("schedule"));
  auto malformed = post_job(R"({"taskDefinition":)");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_TRUE(malformed.body.at("message").is_string());
  EXPECT_EQ(stored_jobs(), 0u);
}

TEST_F(EcsSchedulerApiTest, GetAnswersTheJobWithItsLinkAndZonedTimes) {
  ASSERT_EQ(post_job(R"({"taskDefinition":"rep","schedule":"0 0 12","timezone":"America/New_York",
                         "scheduleStart":"2026-01-01T05:00:00","maxCount":4})")
                .status,
            201);
  auto r = call_ecs("GET", "/jobs/rep");
  ASSERT_EQ(r.status, 200);
  const auto& o = r.body.as_object();
  EXPECT_EQ(o.at("id"), "rep");
  EXPECT_EQ(o.at("link"), link("rep"));
  EXPECT_EQ(o.at("taskDefinition"), "rep");
  EXPECT_EQ(o.at("schedule"), "0 0 12");
  EXPECT_EQ(o.at("taskCount").as_int64(), 1);
  EXPECT_EQ(o.at("maxCount").as_int64(), 4);
  EXPECT_EQ(o.at("scheduleStart"), "2026-01-01T00:00:00-05:00");  // no offset given: UTC
  EXPECT_EQ(o.at("estimatedNextRun"), "2026-09-21T12:00:00-04:00");
  EXPECT_FALSE(o.contains("scheduleEnd"));
  EXPECT_FALSE(o.contains("lastRun"));
}

TEST_F(EcsSchedulerApiTest, LastRunAndItsTasksComeFromTheNewestRun) {
  ASSERT_EQ(post_job(R"({"taskDefinition":"rep","schedule":"0 0 12"})").status, 201);
  auto job = berth::test::run_blocking(io_, store_->get_job("rep"));
  ASSERT_TRUE(job);
  policy::JobRun run;
  run.job = "rep";
  run.id = "1790000100";
  run.slot = policy::SysSeconds(std::chrono::seconds(1'790'000'100));
  run.status = policy::RunStatus::running;
  run.created_at = policy::SystemTime(std::chrono::seconds(1'790'000'100)) + std::chrono::microseconds(777777);
  policy::JobRunTask task;
  task.task_arn = "arn:aws:ecs:us-east-1:1:task/prod/t1";
  task.instance_arn = "arn:aws:ecs:us-east-1:1:container-instance/prod/i1";
  run.tasks.push_back(task);
  job->handled_through = *run.slot;
  ASSERT_TRUE(berth::test::run_blocking(io_, store_->start_run(*job, run)));
  auto r = call_ecs("GET", "/jobs/rep");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.at("lastRun"), "2026-09-21T14:15:00.777777+00:00");
  EXPECT_EQ(r.body.at("lastRunTasks"),
            (json::value(json::array{json::object{{"taskId", "arn:aws:ecs:us-east-1:1:task/prod/t1"},
                                                  {"hostId", "arn:aws:ecs:us-east-1:1:container-instance/prod/i1"}}})));
}

TEST_F(EcsSchedulerApiTest, PutUnsuspendingResumesFromNow) {
  ASSERT_EQ(post_job(R"({"taskDefinition":"rep","schedule":"0 0 12","suspended":true})").status, 201);
  now_ += std::chrono::hours(72);
  ASSERT_EQ(call_ecs("PUT", "/jobs/rep", R"({"suspended":false})").status, 200);
  auto job = berth::test::run_blocking(io_, store_->get_job("rep"));
  ASSERT_TRUE(job);
  EXPECT_EQ(job->handled_through, policy::SysSeconds(std::chrono::seconds(1'790'000'000 + 72 * 3600)));
}

TEST_F(EcsSchedulerApiTest, UnknownIdIs404WithItsMessage) {
  const json::value expected = json::object{{"message", "Job nope does not exist."}};
  for (auto method : {"GET", "DELETE"}) {
    auto r = call_ecs(method, "/jobs/nope");
    EXPECT_EQ(r.status, 404) << method;
    EXPECT_EQ(r.body, expected) << method;
  }
  // The lookup comes before the body: an unknown job with a bad body is still a 404.
  auto put = call_ecs("PUT", "/jobs/nope", R"({"taskCount":"broken"})");
  EXPECT_EQ(put.status, 404);
  EXPECT_EQ(put.body, expected);
}

TEST_F(EcsSchedulerApiTest, PutIsAPartialUpdate) {
  ASSERT_EQ(post_job(R"({"taskDefinition":"foobar","schedule":"0 0 3","taskCount":4,"timezone":"Europe/Paris"})").status,
            201);
  auto r = call_ecs("PUT", "/jobs/foobar", R"({"taskCount":30})");
  ASSERT_EQ(r.status, 200) << json::serialize(r.body);
  EXPECT_EQ(r.body, (json::value(json::object{{"id", "foobar"}, {"link", link("foobar")}})));
  auto got = call_ecs("GET", "/jobs/foobar").body;
  EXPECT_EQ(got.at("taskCount").as_int64(), 30);
  EXPECT_EQ(got.at("schedule"), "0 0 3");
  EXPECT_EQ(got.at("timezone"), "Europe/Paris");
  // A GET answer PUT back (read-only fields and all) is accepted.
  got.as_object()["suspended"] = true;
  EXPECT_EQ(call_ecs("PUT", "/jobs/foobar", json::serialize(got)).status, 200);
  EXPECT_TRUE(call_ecs("GET", "/jobs/foobar").body.at("suspended").as_bool());
  auto bad = call_ecs("PUT", "/jobs/foobar", R"({"taskCount":"broken"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(bad.body.at("messages").as_object().contains("taskCount"));
  EXPECT_EQ(call_ecs("GET", "/jobs/foobar").body.at("taskCount").as_int64(), 30);
}

TEST_F(EcsSchedulerApiTest, DeleteAnswersTheId) {
  ASSERT_EQ(post_job(R"({"taskDefinition":"foobar","schedule":"*"})").status, 201);
  auto r = call_ecs("DELETE", "/jobs/foobar");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, (json::value(json::object{{"id", "foobar"}})));
  EXPECT_EQ(call_ecs("GET", "/jobs/foobar").status, 404);
}

TEST_F(EcsSchedulerApiTest, ListPagesWithSkipAndCount) {
  create_jobs(25);
  auto first = call_ecs("GET", "/jobs");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.body.at("jobs").as_array().size(), 10u);
  EXPECT_EQ(first.body.at("jobs").at(0).at("id"), "job00");
  EXPECT_EQ(first.body.at("jobs").at(0).at("link"), link("job00"));
  EXPECT_FALSE(first.body.as_object().contains("prev"));  // skip -10: out of range
  EXPECT_EQ(first.body.at("next"), "/jobs?skip=10");

  // PaginationSchema drops parameters at their defaults, and the whole link when both are (skip 0, count 10).
  auto second = call_ecs("GET", "/jobs?skip=10");
  EXPECT_EQ(second.body.at("jobs").at(0).at("id"), "job10");
  EXPECT_FALSE(second.body.as_object().contains("prev"));
  EXPECT_EQ(second.body.at("next"), "/jobs?skip=20");

  auto last = call_ecs("GET", "/jobs?skip=20");
  EXPECT_EQ(last.body.at("jobs").as_array().size(), 5u);
  EXPECT_EQ(last.body.at("prev"), "/jobs?skip=10");
  EXPECT_FALSE(last.body.as_object().contains("next"));  // skip 30 >= 25

  auto small = call_ecs("GET", "/jobs?skip=5&count=5");
  ASSERT_EQ(small.body.at("jobs").as_array().size(), 5u);
  EXPECT_EQ(small.body.at("jobs").at(0).at("id"), "job05");
  EXPECT_EQ(small.body.at("prev"), "/jobs?count=5");
  EXPECT_EQ(small.body.at("next"), "/jobs?skip=10&count=5");

  auto negative = call_ecs("GET", "/jobs?skip=-4");  // taken as 0
  EXPECT_EQ(negative.body.at("jobs").at(0).at("id"), "job00");

  auto beyond = call_ecs("GET", "/jobs?skip=40");
  EXPECT_EQ(beyond.body.at("jobs").as_array().size(), 0u);
  EXPECT_FALSE(beyond.body.as_object().contains("next"));
  EXPECT_FALSE(beyond.body.as_object().contains("prev"));  // skip 30 >= 25: out of range too
}

TEST_F(EcsSchedulerApiTest, EmptyListHasNoLinks) {
  auto r = call_ecs("GET", "/jobs?skip=4&count=12");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, (json::value(json::object{{"jobs", json::array{}}})));
}

TEST_F(EcsSchedulerApiTest, BadPaginationIs400NamingTheParameters) {
  auto r = call_ecs("GET", "/jobs?skip=blah&count=bar");
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(r.body, (json::value(json::object{
                        {"messages", json::object{{"skip", json::array{"Not a valid integer."}},
                                                  {"count", json::array{"Not a valid integer."}}}}})));
}

}  // namespace
}  // namespace berth::http::api::test
