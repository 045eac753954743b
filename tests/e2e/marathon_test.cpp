// File: tests/e2e/marathon_test.cpp — Marathon's /v2 end to end (berth + berth-sim): an app posted in Marathon's
// shape (tests/testdata/marathon, from Marathon's docs) runs as a berth service, shows its tasks RUNNING through
// /v2/apps/{id}/tasks and the same service under /v1/services, scales with PUT, loses one named task with
// scale=true, restarts (a deployment that replaces every task) and is deleted; GET /v2/events streams the
// events of an app's creation, scale and deletion in order, shaped as Marathon's docs print them
// (tests/testdata/marathon/events.*).
#include "e2e_fixture.hpp"
#include "stream_reader.hpp"
#include "swagger_check.hpp"

#include <boost/json/parse.hpp>

#include <fstream>
#include <sstream>

namespace berth::e2e {
namespace {

using MarathonTest = E2eTest;

json::value testdata(const std::string& name) {
  std::ifstream in(std::string(BERTH_TESTDATA_DIR) + "/marathon/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

std::set<std::string> live_arns(const SimProcess& sim, const std::string& family) {
  std::set<std::string> out;
  for (const auto& [instance, tasks] : sim_view(sim).live_by_instance(family))
    for (const auto& t : tasks) out.insert(t.arn);
  return out;
}

std::set<std::string> running_arns(const SimProcess& sim, const std::string& family) {
  std::set<std::string> out;
  for (const auto& [instance, tasks] : sim_view(sim).live_by_instance(family))
    for (const auto& t : tasks)
      if (t.last_status == "RUNNING") out.insert(t.arn);
  return out;
}

std::string task_id(const std::string& arn) { return arn.substr(arn.rfind('/') + 1); }

// Marathon's AppDefinition JSON schema as the one response of a one-path Swagger 2.0 file, so SwaggerCheck
// (python3-jsonschema) validates app definitions against it.
std::filesystem::path app_definition_swagger(const std::filesystem::path& dir) {
  json::object schema = testdata("AppDefinition.json").as_object();
  json::value definitions = schema["definitions"];
  schema.erase("definitions");
  schema.erase("$schema");
  json::object swagger{
      {"swagger", "2.0"},
      {"paths", json::object{{"/v2/apps/{id}",
                              json::object{{"get", json::object{{"responses",
                                                                 json::object{{"200", json::object{{"schema", schema}}}}}}}}}}},
      {"definitions", definitions}};
  const auto path = dir / "marathon-app-definition-swagger.json";
  std::ofstream(path) << json::serialize(swagger);
  return path;
}

// The definition part of an app answer: without the status fields Marathon's GET adds beside the definition.
json::value definition_of(json::object app) {
  for (const char* k :
       {"tasksStaged", "tasksRunning", "tasksHealthy", "tasksUnhealthy", "deployments", "tasks", "warnings"})
    app.erase(k);
  return app;
}

TEST_F(MarathonTest, AnAppRunsScalesLosesATaskRestartsAndIsDeletedAsABerthService) {
  start_sim({"--instances", "3"});
  // The task definition the app's cmd names: 100 CPU units, where the app says cpus 0.5 (a warning).
  ASSERT_EQ(register_task_definition(sim(), "web", 100, 32), "web:1");
  start_berth();
  EXPECT_EQ(berth().api("GET", "/ping").body, "pong");

  // POST /v2/apps with Marathon's Docker example (cmd: the task definition, the driver's convention).
  auto posted = berth().api("POST", "/v2/apps", json::serialize(testdata("basic-3-docker-ecs.json")));
  ASSERT_EQ(posted.status, 201u) << posted.body;
  EXPECT_EQ(posted.header("Location"), "/v2/apps/basic-3");
  const auto app = posted.json();
  EXPECT_EQ(app.at("id"), "/basic-3");
  EXPECT_EQ(app.at("warnings").as_array().size(), 1u) << json::serialize(app);

  // Its task RUNNING through /v2/apps/{id}/tasks, and the same service under /v1/services.
  auto marathon_tasks = [&] { return berth().get_json("/v2/apps/basic-3/tasks").at("tasks").as_array(); };
  auto running_in_marathon = [&] {
    std::size_t n = 0;
    for (const auto& t : marathon_tasks()) n += t.at("state") == "TASK_RUNNING" ? 1 : 0;
    return n;
  };
  ASSERT_TRUE(wait_until([&] { return running_in_marathon() == 1; }, converge_timeout));
  EXPECT_EQ(running_arns(sim(), "web").size(), 1u);
  auto service = berth().get_json("/v1/services/basic-3");
  EXPECT_EQ(service.at("taskDefinition"), "web:1");
  EXPECT_EQ(service.at("desiredCount"), 1);
  auto deployments_done = [&] { return berth().get_json("/v2/deployments").as_array().empty(); };
  ASSERT_TRUE(wait_until(deployments_done, converge_timeout));

  // Scale with PUT {"instances": 3}.
  auto scaled = berth().api("PUT", "/v2/apps/basic-3", R"({"instances": 3})");
  ASSERT_EQ(scaled.status, 200u) << scaled.body;
  const json::value scale_id = scaled.json().at("deploymentId");
  // The scale is a deployment (ScaleApplication) until its tasks run: a client waiting for its id to leave
  // /v2/deployments returns with three tasks running, not at once.
  const bool listed = [&] {
    const json::value deployments = berth().get_json("/v2/deployments");
    for (const auto& d : deployments.as_array())
      if (d.at("id") == scale_id) return true;
    return false;
  }();
  EXPECT_TRUE(listed || running_in_marathon() == 3);
  ASSERT_TRUE(wait_until(deployments_done, converge_timeout));
  EXPECT_EQ(running_in_marathon(), 3u);
  ASSERT_TRUE(wait_until([&] { return running_arns(sim(), "web").size() == 3; }, converge_timeout));
  EXPECT_EQ(berth().get_json("/v1/services/basic-3").at("desiredCount"), 3);

  // Kill one named task with scale=true: that task goes, and two stay.
  const auto before_kill = running_arns(sim(), "web");
  const std::string victim = *before_kill.begin();
  auto killed = berth().api("DELETE", "/v2/apps/basic-3/tasks/" + task_id(victim) + "?scale=true");
  ASSERT_EQ(killed.status, 200u) << killed.body;
  ASSERT_TRUE(wait_until(
      [&] {
        auto live = live_arns(sim(), "web");
        return live.size() == 2 && !live.count(victim);
      },
      converge_timeout));
  EXPECT_EQ(berth().get_json("/v1/services/basic-3").at("desiredCount"), 2);
  EXPECT_EQ(berth().get_json("/v2/apps/basic-3").at("app").at("instances"), 2);

  // What GET answers is a Marathon app definition (its AppDefinition schema), and so is what was posted.
  berth::testing::SwaggerCheck schema(app_definition_swagger(berth().log_path().parent_path()));
  schema.record("get", "/v2/apps/{id}", 200, testdata("basic-3-docker-ecs.json"), "posted");
  schema.record("get", "/v2/apps/{id}", 200, definition_of(berth().get_json("/v2/apps/basic-3").at("app").as_object()),
                "answered");
  EXPECT_EQ(schema.errors(), std::vector<std::string>{});

  // Restart: a deployment; every task is replaced, rolling: with Marathon's default upgradeStrategy
  // (minimumHealthCapacity 1) two stay RUNNING throughout, as Marathon restarts.
  ASSERT_TRUE(wait_until(deployments_done, converge_timeout));
  const auto before_restart = running_arns(sim(), "web");
  ASSERT_EQ(before_restart.size(), 2u);
  std::atomic<std::size_t> fewest_running{2};
  Sampler sampler([&] {
    const auto n = running_arns(sim(), "web").size();
    if (n < fewest_running) fewest_running = n;
  });
  auto restarted = berth().api("POST", "/v2/apps/basic-3/restart");
  ASSERT_EQ(restarted.status, 200u) << restarted.body;
  const std::string deployment_id(restarted.json().at("deploymentId").as_string());
  EXPECT_EQ(berth().get_json("/v1/services/basic-3").at("activeDeploymentId"), json::value(deployment_id));
  ASSERT_TRUE(wait_until(
      [&] {
        auto now = running_arns(sim(), "web");
        if (now.size() != 2) return false;
        for (const auto& arn : now)
          if (before_restart.count(arn)) return false;
        return live_arns(sim(), "web").size() == 2;
      },
      converge_timeout));
  ASSERT_TRUE(wait_until(deployments_done, converge_timeout));
  sampler.stop();
  EXPECT_GE(fewest_running.load(), 2u) << "the restart went below minimumHealthCapacity";
  EXPECT_EQ(berth().get_json("/v1/services/basic-3").at("version"), 2);
  EXPECT_EQ(berth().get_json("/v2/apps/basic-3/versions").at("versions").as_array().size(), 2u);

  // Delete: the app, its service and its tasks go.
  auto deleted = berth().api("DELETE", "/v2/apps/basic-3");
  ASSERT_EQ(deleted.status, 200u) << deleted.body;
  ASSERT_TRUE(wait_until([&] { return live_arns(sim(), "web").empty(); }, converge_timeout));
  EXPECT_EQ(berth().api("GET", "/v1/services/basic-3").status, 404u);
  EXPECT_EQ(berth().api("GET", "/v2/apps/basic-3").status, 404u);
  EXPECT_TRUE(berth().get_json("/v2/apps").at("apps").as_array().empty());
  // Marathon's clients send HTTP Basic: the token is the password (any user name).
  const berth::testing::HttpHeaders basic{{"Authorization", "Basic bWFyYXRob246bWFyYXRob24tZnJvbnQtdG9rZW4tMDEyMzQ1Njc4OQ=="}};  // marathon:<token>
  EXPECT_EQ(berth::testing::http_call(berth().port(), "GET", "/v2/info", {}, basic).status, 200u);
  EXPECT_EQ(berth::testing::http_call(berth().port(), "GET", "/ping", {}, basic).body, "pong");
}

// One SSE frame of /v2/events: "event: <type>\ndata: <json>\n\n" (Marathon's examples/events.txt).
struct SseEvent {
  std::string type;
  json::object data;
};
std::optional<SseEvent> parse_frame(const std::string& chunk) {
  if (chunk.rfind("event: ", 0) != 0) return std::nullopt;  // a heartbeat comment
  const auto eol = chunk.find('\n');
  const auto data_at = chunk.find("\ndata: ");
  if (eol == std::string::npos || data_at != eol || chunk.size() < 2 || chunk.substr(chunk.size() - 2) != "\n\n")
    throw std::runtime_error("not an SSE frame: " + chunk);
  const auto body = chunk.substr(data_at + 7, chunk.size() - 2 - (data_at + 7));
  return SseEvent{chunk.substr(7, eol - 7), json::parse(body).as_object()};
}

std::set<std::string> keys(const json::object& o) {
  std::set<std::string> out;
  for (const auto& kv : o) out.insert(std::string(kv.key()));
  return out;
}

TEST_F(MarathonTest, EventsStreamAnAppsCreationInMarathonsShapes) {
  start_sim({"--instances", "2"});
  ASSERT_EQ(register_task_definition(sim(), "web", 100, 32), "web:1");
  start_berth();
  const json::object examples = testdata("events.json").as_object();

  StreamReader stream(berth().port(), "/v2/events", "Accept: text/event-stream\r\n");
  ASSERT_EQ(stream.status(), 200u) << stream.head();
  EXPECT_NE(stream.head().find("text/event-stream"), std::string::npos) << stream.head();
  EXPECT_NE(stream.head().find("no-cache"), std::string::npos) << stream.head();
  // The first event names the client's address, as Marathon's event_stream_attached does.
  {
    std::optional<SseEvent> attached;
    const auto attach_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!attached) {
      auto chunk = stream.next_chunk(attach_deadline);
      ASSERT_TRUE(chunk) << "no event_stream_attached";
      attached = parse_frame(*chunk);
    }
    EXPECT_EQ(attached->type, "event_stream_attached");
    EXPECT_EQ(attached->data.at("remoteAddress"), "127.0.0.1");
  }
  EXPECT_EQ(berth().request("GET", "/v2/events", {}, {{"Accept", "application/json"}}).status, 406u);
  // A filtered stream beside it: only deployment_success.
  StreamReader filtered(berth().port(), "/v2/events?event_type=deployment_success", "Accept: text/event-stream\r\n");
  ASSERT_EQ(filtered.status(), 200u) << filtered.head();

  auto posted = berth().api("POST", "/v2/apps", json::serialize(testdata("basic-3-docker-ecs.json")));
  ASSERT_EQ(posted.status, 201u) << posted.body;
  const std::string deployment_id(posted.json().at("deployments").at(0).at("id").as_string());

  // In order: the app posted, its deployment started, its task running, the deployment done (other events
  // between them, such as the task's staging or event_stream_attached, are skipped).
  const std::vector<std::string> wanted{"api_post_event", "deployment_info", "status_update_event",
                                        "deployment_success"};
  std::vector<SseEvent> got;
  const auto deadline = std::chrono::steady_clock::now() + converge_timeout;
  while (got.size() < wanted.size()) {
    auto chunk = stream.next_chunk(deadline);
    ASSERT_TRUE(chunk) << "stream ended or went quiet; next wanted " << wanted[got.size()];
    auto event = parse_frame(*chunk);
    if (!event || event->type != wanted[got.size()]) continue;
    if (event->type == "status_update_event" && event->data.at("taskStatus") != "TASK_RUNNING") continue;
    got.push_back(std::move(*event));
  }
  for (const auto& e : got) {
    EXPECT_EQ(e.data.at("eventType"), json::value(e.type));
    // The keys of Marathon's documented example of that event (message: in the REST reference's sample).
    auto expected = keys(examples.at(e.type).as_object());
    if (e.type == "status_update_event") expected.insert("message");
    EXPECT_EQ(keys(e.data), expected) << json::serialize(e.data);
    EXPECT_EQ(std::string(e.data.at("timestamp").as_string()).size(), 24u) << e.data.at("timestamp");  // ms, Z
  }
  EXPECT_EQ(got[0].data.at("appDefinition").at("id"), "/basic-3");
  EXPECT_EQ(got[0].data.at("uri"), "/v2/apps/basic-3");
  EXPECT_EQ(got[1].data.at("plan").at("id"), json::value(deployment_id));
  EXPECT_EQ(got[1].data.at("plan").at("steps").at(0).at("app"), "/basic-3");
  EXPECT_EQ(got[2].data.at("appId"), "/basic-3");
  const auto running = running_arns(sim(), "web");
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(got[2].data.at("taskId"), json::value(task_id(*running.begin())));
  EXPECT_TRUE(got[2].data.at("host").as_string().starts_with("i-")) << got[2].data.at("host");
  EXPECT_EQ(got[2].data.at("version"), got[1].data.at("plan").at("version"));
  EXPECT_EQ(got[3].data.at("id"), json::value(deployment_id));

  // The filtered stream: deployment_success and nothing else.
  const auto filtered_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto only = filtered.next_chunk(filtered_deadline);
  while (only && !parse_frame(*only)) only = filtered.next_chunk(filtered_deadline);
  ASSERT_TRUE(only);
  EXPECT_EQ(parse_frame(*only)->type, "deployment_success");

  // A count change: Marathon's ScaleApplication deployment, announced, then done once the second task runs.
  auto scaled = berth().api("PUT", "/v2/apps/basic-3", R"({"instances": 2})");
  ASSERT_EQ(scaled.status, 200u) << scaled.body;
  const json::value scale_id = scaled.json().at("deploymentId");
  bool scale_started = false, second_running = false;
  for (;;) {
    auto chunk = stream.next_chunk(deadline);
    ASSERT_TRUE(chunk) << "no scale deployment events; started=" << scale_started;
    auto event = parse_frame(*chunk);
    if (!event) continue;
    if (event->type == "deployment_info" && event->data.at("plan").at("id") == scale_id) {
      EXPECT_EQ(event->data.at("plan").at("steps").at(0).at("action"), "ScaleApplication");
      EXPECT_EQ(keys(event->data), keys(examples.at("deployment_info").as_object()));
      scale_started = true;
    }
    if (event->type == "status_update_event" && event->data.at("taskStatus") == "TASK_RUNNING") second_running = true;
    if (event->type == "deployment_success" && event->data.at("id") == scale_id) break;
  }
  EXPECT_TRUE(scale_started);
  EXPECT_TRUE(second_running);
  EXPECT_EQ(running_arns(sim(), "web").size(), 2u);

  // Deleting the app: app_terminated_event, then its tasks stop (TASK_KILLED: berth stopped them).
  ASSERT_EQ(berth().api("DELETE", "/v2/apps/basic-3").status, 200u);
  // No api_post_event in between: the service row rewritten at the deployment's end is no new definition.
  bool terminated = false, killed = false;
  while (!killed) {
    auto chunk = stream.next_chunk(deadline);
    ASSERT_TRUE(chunk) << "no app_terminated_event / TASK_KILLED; terminated=" << terminated;
    auto event = parse_frame(*chunk);
    if (!event) continue;
    EXPECT_NE(event->type, "api_post_event") << *chunk;
    if (event->type == "app_terminated_event") {
      EXPECT_EQ(event->data.at("appId"), "/basic-3");
      EXPECT_EQ(keys(event->data), keys(examples.at("app_terminated_event").as_object()));
      terminated = true;
    }
    if (event->type == "status_update_event" && event->data.at("taskStatus") == "TASK_KILLED") killed = true;
  }
  EXPECT_TRUE(terminated);
}

// The front follows api.auth_token like every other route.
TEST_F(MarathonTest, RoutesNeedTheApiToken) {
  start_sim({"--instances", "1"});
  BerthOptions options;
  options.api_token = "marathon-front-token-0123456789";
  start_berth(options);
  EXPECT_EQ(berth().api("GET", "/v2/apps").status, 200u);  // BerthProcess sends the token
  for (const char* target : {"/v2/apps", "/v2/info", "/v2/apps/web", "/ping"})
    EXPECT_EQ(berth::testing::http_call(berth().port(), "GET", target).status, 401u) << target;
  EXPECT_EQ(berth::testing::http_call(berth().port(), "POST", "/v2/apps", R"({"id":"/web","cmd":"web:1"})").status,
            401u);
  EXPECT_TRUE(berth().get_json("/v2/apps").at("apps").as_array().empty());
  // Marathon's clients send HTTP Basic: the token is the password (any user name).
  const berth::testing::HttpHeaders basic{{"Authorization", "Basic bWFyYXRob246bWFyYXRob24tZnJvbnQtdG9rZW4tMDEyMzQ1Njc4OQ=="}};  // marathon:<token>
  EXPECT_EQ(berth::testing::http_call(berth().port(), "GET", "/v2/info", {}, basic).status, 200u);
  EXPECT_EQ(berth::testing::http_call(berth().port(), "GET", "/ping", {}, basic).body, "pong");
}

}  // namespace
}  // namespace berth::e2e
