// File: tests/api/chronos_api_test.cpp — Chronos's /scheduler routes against a real SQLite store. Request bodies are
// Chronos's own examples (tests/testdata/chronos, from mesos/chronos docs/docs/api.md); codes and error bodies as
// its Iso8601JobResource / JobManagementResource (204 on success, 400 ApiResult {"status","message"}).
#include "api_fixture.hpp"

#include "http/api/chronos_api.hpp"

#include <fstream>
#include <sstream>

namespace berth::http::api::test {
namespace {

json::object chronos_example(const std::string& file) {
  std::ifstream in(std::string(BERTH_TESTDATA_DIR) + "/chronos/" + file);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str()).as_object();
}

class ChronosApiTest : public ApiFixture {
 protected:
  ChronosApiTest() { clusters_.watched = {"default"}; }

  ApiResponse call_chronos(std::string method, std::string_view target, std::string body = {},
                           std::string content_type = "application/json") {
    ApiRequest request = ApiRequest::from_target(std::move(method), target, std::move(body));
    request.content_type = std::move(content_type);
    return berth::test::run_blocking(io_, chronos_.handle(request));
  }
  ApiResponse post(const json::object& job, std::string_view path = "/scheduler/iso8601") {
    return call_chronos("POST", path, json::serialize(job));
  }
  // The docs' scheduled job with what berth can run: a task definition as command, a start in the future.
  json::object runnable_job() {
    auto job = chronos_example("scheduled-job.json");
    job["command"] = "sleeper:1";
    job["schedule"] = "R10/2026-10-01T05:52:00Z/PT2S";
    return job;
  }
  std::size_t stored_jobs() {
    auto all = berth::test::run_blocking(io_, store_->list_jobs(""));
    if (!all) throw std::runtime_error(all.error().message);
    return all->size();
  }
  static std::string message_of(const ApiResponse& r) {
    const auto* o = r.body.if_object();
    return o && o->contains("message") ? std::string(o->at("message").as_string()) : std::string();
  }
  json::object listed(std::string_view name) {
    auto r = call_chronos("GET", "/scheduler/jobs");
    EXPECT_EQ(r.status, 200);
    for (const auto& j : r.body.as_array())
      if (j.at("name").as_string() == name) return j.as_object();
    ADD_FAILURE() << name << " not listed in " << json::serialize(r.body);
    return {};
  }

  ChronosApi chronos_{*store_, clusters_, [this] { return now_; }};
};

TEST_F(ChronosApiTest, TheDocsExampleIsRefusedAsChronosWouldNamingTheFields) {
  // Chronos itself refuses it today: its start (2012) is more than a year in the past. berth also cannot run a
  // shell command: 'command' names the task definition.
  auto r = post(chronos_example("scheduled-job.json"));
  ASSERT_EQ(r.status, 400) << json::serialize(r.body);
  EXPECT_EQ(r.body.at("status"), "Bad Request");
  EXPECT_NE(message_of(r).find("schedule"), std::string::npos) << message_of(r);
  EXPECT_NE(message_of(r).find("more than 1 year in the past"), std::string::npos) << message_of(r);
  EXPECT_EQ(stored_jobs(), 0u);
  auto job = chronos_example("scheduled-job.json");
  job["schedule"] = "R10/2026-10-01T05:52:00Z/PT2S";
  r = post(job);
  ASSERT_EQ(r.status, 400);
  EXPECT_NE(message_of(r).find("command"), std::string::npos) << message_of(r);
  EXPECT_EQ(stored_jobs(), 0u);
}

TEST_F(ChronosApiTest, PostAnswers204AndTheJobIsABerthJob) {
  auto r = post(runnable_job());
  ASSERT_EQ(r.status, 204) << json::serialize(r.body);
  EXPECT_TRUE(r.body.is_null());
  auto v1 = call("GET", "/v1/jobs/SAMPLE_JOB1");
  ASSERT_EQ(v1.status, 200) << json::serialize(v1.body);
  EXPECT_EQ(v1.body.at("taskDefinition"), "sleeper:1");
  EXPECT_EQ(v1.body.at("schedule"), "R10/2026-10-01T05:52:00Z/PT2S");
  EXPECT_EQ(v1.body.at("cluster"), "default");
  EXPECT_EQ(v1.body.at("startingDeadlineSeconds"), 900);  // epsilon PT15M
  EXPECT_EQ(v1.body.at("concurrencyPolicy"), "Forbid");   // concurrent defaults to false
  EXPECT_EQ(v1.body.at("retries").at("limit"), 2);         // Chronos's default retries
  EXPECT_EQ(v1.body.at("suspended"), false);
}

TEST_F(ChronosApiTest, ListAnswersTheJobInChronosShapeWithWhatWasPosted) {
  ASSERT_EQ(post(runnable_job()).status, 204);
  const auto j = listed("SAMPLE_JOB1");
  EXPECT_EQ(j.at("command"), "sleeper:1");
  EXPECT_EQ(j.at("schedule"), "R10/2026-10-01T05:52:00Z/PT2S");
  EXPECT_EQ(j.at("epsilon"), "PT15M");
  EXPECT_EQ(j.at("owner"), "bob@airbnb.com");
  EXPECT_EQ(j.at("async"), false);
  EXPECT_EQ(j.at("disabled"), false);
  EXPECT_EQ(j.at("retries"), 2);
  EXPECT_EQ(j.at("successCount"), 0);
  EXPECT_EQ(j.at("errorCount"), 0);
  EXPECT_EQ(j.at("lastSuccess"), "");
  EXPECT_EQ(j.at("lastError"), "");
  EXPECT_EQ(j.at("scheduleTimeZone"), "UTC");
  // The fields JobSerializer always writes are there.
  for (auto field : {"shell", "executor", "executorFlags", "ownerName", "description", "cpus", "disk", "mem",
                     "softError", "dataProcessingJobType", "errorsSinceLastSuccess", "uris", "environmentVariables",
                     "arguments", "highPriority", "runAsUser"}) {
    EXPECT_TRUE(j.contains(field)) << field;
  }
  // Listed back as posted: a GET answer posted again is accepted (read-only counts are ignored).
  ASSERT_EQ(post(j).status, 204);
}

TEST_F(ChronosApiTest, PostingAnExistingNameReplacesTheJob) {
  ASSERT_EQ(post(runnable_job()).status, 204);
  auto job = runnable_job();
  job["disabled"] = true;
  job["scheduleTimeZone"] = "America/New_York";
  job["concurrent"] = true;
  ASSERT_EQ(post(job, "/v1/scheduler/iso8601").status, 204);
  auto v1 = call("GET", "/v1/jobs/SAMPLE_JOB1");
  EXPECT_EQ(v1.body.at("suspended"), true);
  EXPECT_EQ(v1.body.at("timezone"), "America/New_York");
  EXPECT_EQ(v1.body.at("concurrencyPolicy"), "Allow");
  EXPECT_EQ(stored_jobs(), 1u);
}

TEST_F(ChronosApiTest, FieldsBerthCannotHonourAre400NamingThem) {
  // The docs' sample job: arguments, fetch and environment variables have no ECS task-definition meaning here.
  auto sample = chronos_example("sample-job.json");
  sample["command"] = "camus:3";
  sample["schedule"] = "R/2026-10-08T20:00:00.000Z/PT2H";
  auto r = post(sample);
  ASSERT_EQ(r.status, 400);
  for (auto field : {"arguments", "fetch", "environmentVariables"})
    EXPECT_NE(message_of(r).find(field), std::string::npos) << field << " in " << message_of(r);
  auto docker = chronos_example("docker-job.json");
  docker["command"] = "ubuntu:1";
  docker["schedule"] = "R/2026-10-25T17:22:00Z/PT2M";
  r = post(docker);
  ASSERT_EQ(r.status, 400);
  EXPECT_NE(message_of(r).find("container"), std::string::npos) << message_of(r);
  // Without them the sample is taken, its cpus/mem kept as sent.
  sample.erase("arguments");
  sample.erase("fetch");
  sample.erase("environmentVariables");
  ASSERT_EQ(post(sample).status, 204);
  const auto j = listed("camus_kafka2hdfs");
  EXPECT_EQ(j.at("cpus"), 1.0);
  EXPECT_EQ(j.at("mem"), 1024);
  EXPECT_EQ(j.at("shell"), false);
  EXPECT_EQ(j.at("epsilon"), "PT30M");
  EXPECT_EQ(j.at("successCount"), 0);  // counted by berth, not taken from the body
}

TEST_F(ChronosApiTest, BadBodiesAre400Or415AndStoreNothing) {
  auto job = runnable_job();
  EXPECT_EQ(call_chronos("POST", "/scheduler/iso8601", json::serialize(job), "").status, 415);
  EXPECT_EQ(call_chronos("POST", "/scheduler/iso8601", R"({"name":)").status, 400);
  auto unknown = runnable_job();
  unknown["colour"] = "red";
  auto r = post(unknown);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(message_of(r).find("colour"), std::string::npos);
  auto bad = runnable_job();
  bad["epsilon"] = "15 minutes";
  bad["scheduleTimeZone"] = "Mars/Olympus";
  r = post(bad);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(message_of(r).find("epsilon"), std::string::npos) << message_of(r);
  EXPECT_NE(message_of(r).find("scheduleTimeZone"), std::string::npos) << message_of(r);
  auto cron = runnable_job();
  cron["schedule"] = "cron:*/5 * * * *";
  r = post(cron);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(message_of(r).find("Cannot parse schedule"), std::string::npos) << message_of(r);
  auto spaced = runnable_job();
  spaced["name"] = "my job";  // Chronos allows whitespace; berth's job names do not
  r = post(spaced);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(message_of(r).find("name"), std::string::npos);
  EXPECT_EQ(post(json::object{}).status, 400);
  EXPECT_EQ(stored_jobs(), 0u);
}

TEST_F(ChronosApiTest, PutRunsTheJobNowAndDeleteRemovesIt) {
  ASSERT_EQ(post(runnable_job()).status, 204);
  auto run = call_chronos("PUT", "/scheduler/job/SAMPLE_JOB1");
  ASSERT_EQ(run.status, 204) << json::serialize(run.body);
  auto runs = call("GET", "/v1/jobs/SAMPLE_JOB1/runs");
  ASSERT_EQ(runs.body.at("items").as_array().size(), 1u);
  EXPECT_EQ(runs.body.at("items").at(0).at("status"), "requested");
  auto missing = call_chronos("PUT", "/scheduler/job/nope");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.body, (json::value(json::object{{"status", "Bad Request"}, {"message", "Job 'nope' not found"}})));
  ASSERT_EQ(call_chronos("DELETE", "/v1/scheduler/job/SAMPLE_JOB1").status, 204);
  EXPECT_EQ(call("GET", "/v1/jobs/SAMPLE_JOB1").status, 404);
  EXPECT_EQ(call_chronos("DELETE", "/scheduler/job/SAMPLE_JOB1").status, 400);
  EXPECT_EQ(call_chronos("GET", "/scheduler/jobs").body, json::value(json::array{}));
}

TEST_F(ChronosApiTest, AV1PutKeepsTheChronosFields) {
  ASSERT_EQ(post(runnable_job()).status, 204);
  auto v1 = call("GET", "/v1/jobs/SAMPLE_JOB1").body.as_object();
  auto r = call("PUT", "/v1/jobs/SAMPLE_JOB1",
                json::serialize(json::object{{"taskDefinition", "sleeper:2"}, {"schedule", v1.at("schedule")}}));
  ASSERT_EQ(r.status, 200) << json::serialize(r.body);
  const auto j = listed("SAMPLE_JOB1");
  EXPECT_EQ(j.at("command"), "sleeper:2");
  EXPECT_EQ(j.at("owner"), "bob@airbnb.com");
}

}  // namespace
}  // namespace berth::http::api::test
