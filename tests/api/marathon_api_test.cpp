// File: tests/api/marathon_api_test.cpp — Marathon's /v2 routes over a real SQLite store with a fake model and
// reactor. Requests and expected shapes are Marathon's own examples (tests/testdata/marathon, from
// mesosphere/marathon's REST reference), used verbatim; every app also shows as a berth service under /v1.
#include "http/api/api_v1.hpp"
#include "http/marathon/marathon_api.hpp"
#include "policy/ownership.hpp"
#include "run_blocking.hpp"
#include "store/sqlite_desired_state_store.hpp"

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

namespace berth::http::marathon {
namespace {
namespace json = boost::json;
using api::ApiRequest;
using api::ApiResponse;

json::value testdata(const std::string& name) {
  std::ifstream in(std::string(BERTH_TESTDATA_DIR) + "/marathon/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

std::string testdata_text(const std::string& name) { return json::serialize(testdata(name)); }

std::set<std::string> keys(const json::object& o) {
  std::set<std::string> out;
  for (const auto& kv : o) out.emplace(kv.key());
  return out;
}

// Every key of `got` is one Marathon's example has (berth adds none of its own), and `required` are present.
void expect_marathon_keys(const json::object& got, const json::object& example, std::set<std::string> extra = {}) {
  auto allowed = keys(example);
  allowed.insert(extra.begin(), extra.end());
  for (const auto& k : keys(got)) EXPECT_TRUE(allowed.count(k)) << "key not in Marathon's example: " << k;
}

class FakeModel : public api::ClusterView {
 public:
  std::optional<json::array> list_instances(std::string_view cluster) const override {
    if (cluster != "prod") return std::nullopt;
    return json::array{json::object{{"arn", "arn:aws:ecs:us-east-1:1:container-instance/prod/ci1"},
                                    {"ec2InstanceId", "i-0001"}}};
  }
  std::optional<json::array> list_tasks(std::string_view cluster) const override {
    if (cluster != "prod") return std::nullopt;
    return tasks;
  }
  std::vector<std::string> clusters() const override { return {"prod"}; }
  boost::asio::awaitable<std::optional<policy::CpuMemory>> task_definition_size(std::string ref) const override {
    if (ref == "web:1") co_return policy::CpuMemory{100, 32};
    co_return std::nullopt;
  }
  void add_task(const std::string& service, const std::string& id, const std::string& status) {
    tasks.push_back(json::object{
        {"arn", "arn:aws:ecs:us-east-1:1:task/prod/" + id},
        {"instance", "arn:aws:ecs:us-east-1:1:container-instance/prod/ci1"},
        {"taskDefinition", "web:1"},
        {"lastStatus", status},
        {"health", "UNKNOWN"},
        {"startedBy", policy::encode_started_by(policy::WorkloadKey::service(service))}});
  }
  json::array tasks;
};

class FakeReactor : public api::Reconcile {
 public:
  void mark_dirty(std::string_view) override {}
  void terminate_tasks(std::string_view) override {}
  void mark_service_dirty(std::string_view s) override { dirty.emplace_back(s); }
  void terminate_service_tasks(std::string_view s) override { terminated.emplace_back(s); }
  void kill_service_tasks(std::string_view s, const std::vector<std::string>& arns) override {
    for (const auto& a : arns) killed.push_back(std::string(s) + " " + a);
  }
  std::vector<std::string> dirty, terminated, killed;
};

class MarathonApiTest : public ::testing::Test {
 protected:
  MarathonApiTest() {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("berth-marathon-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    auto s = store::SqliteDesiredStateStore::open(io_.get_executor(), (dir_ / "berth.db").string());
    if (!s) throw std::runtime_error(s.error().message);
    store_ = std::move(*s);
    MarathonOptions options;
    options.leader = [this] { return leader_; };
    options.berth_version = "test";
    api_ = std::make_unique<MarathonApi>(*store_, model_, reactor_, [this] { return now_; },
                                         [this] { return "d-" + std::to_string(++next_id_); }, options);
    v1_ = std::make_unique<api::ApiV1>(*store_, model_, reactor_, [this] { return now_; },
                                       [this] { return "v1-" + std::to_string(++next_id_); });
  }
  ~MarathonApiTest() override {
    v1_.reset();
    api_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ApiResponse call(std::string method, std::string_view target, std::string body = {}) {
    now_ += std::chrono::seconds(1);  // every write gets its own version timestamp
    const ApiRequest request = ApiRequest::from_target(std::move(method), target, std::move(body));
    return berth::test::run_blocking(io_, api_->handle(request));
  }
  ApiResponse call_v1(std::string method, std::string_view target, std::string body = {}) {
    const ApiRequest request = ApiRequest::from_target(std::move(method), target, std::move(body));
    return berth::test::run_blocking(io_, v1_->handle(request));
  }
  static std::string header(const ApiResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return {};
  }
  // Ends the app's active deployment (what the controller does once its tasks are healthy).
  void complete_deployment(const std::string& service) {
    auto s = berth::test::run_blocking(io_, store_->get_service(service));
    ASSERT_TRUE(s);
    if (s->active_deployment_id.empty()) return;
    auto d = berth::test::run_blocking(io_, store_->get_service_deployment(s->active_deployment_id));
    ASSERT_TRUE(d);
    d->status = policy::DeploymentStatus::completed;
    d->ended_at = now_;
    ASSERT_TRUE(berth::test::run_blocking(io_, store_->update_service_deployment(*d)));
  }

  boost::asio::io_context io_;
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteDesiredStateStore> store_;
  FakeModel model_;
  FakeReactor reactor_;
  std::string leader_ = "127.0.0.1:8080";
  policy::SystemTime now_ = policy::SystemTime(std::chrono::seconds(1'790'000'000));
  int next_id_ = 0;
  std::unique_ptr<MarathonApi> api_;
  std::unique_ptr<api::ApiV1> v1_;
};

TEST_F(MarathonApiTest, PostAnAppAnswers201WithTheAppAndShowsAsABerthService) {
  auto r = call("POST", "/v2/apps", testdata_text("basic-3-docker-ecs.json"));
  ASSERT_EQ(r.status, 201) << json::serialize(r.body);
  EXPECT_EQ(header(r, "Location"), "/v2/apps/basic-3");
  EXPECT_EQ(header(r, "Marathon-Deployment-Id"), "d-1");
  const auto& app = r.body.as_object();
  // What was sent comes back as sent (id made absolute), with Marathon's status fields.
  auto sent = testdata("basic-3-docker-ecs.json").as_object();
  for (const auto& kv : sent) {
    if (kv.key() == "id") EXPECT_EQ(app.at("id"), json::value("/basic-3"));
    else EXPECT_EQ(app.at(kv.key()), kv.value()) << kv.key();
  }
  EXPECT_EQ(app.at("instances"), json::value(1));
  EXPECT_EQ(app.at("deployments"), (json::array{json::object{{"id", "d-1"}}}));
  EXPECT_EQ(app.at("version").as_string(), "2026-09-21T14:13:21.000Z");
  // cpus 0.5 is 512 units where web:1 reserves 100: accepted, with the warning.
  ASSERT_TRUE(app.contains("warnings"));
  EXPECT_EQ(app.at("warnings").as_array().size(), 1u);
  EXPECT_EQ(reactor_.dirty, std::vector<std::string>{"basic-3"});

  auto v1 = call_v1("GET", "/v1/services/basic-3");
  ASSERT_EQ(v1.status, 200) << json::serialize(v1.body);
  EXPECT_EQ(v1.body.at("taskDefinition"), json::value("web:1"));
  EXPECT_EQ(v1.body.at("desiredCount"), json::value(1));
  EXPECT_EQ(v1.body.at("cluster"), json::value("prod"));
  EXPECT_FALSE(v1.body.as_object().contains("frontMetadata"));

  auto get = call("GET", "/v2/apps/basic-3");
  ASSERT_EQ(get.status, 200);
  EXPECT_EQ(get.body.at("app").at("container"), sent.at("container"));
  auto list = call("GET", "/v2/apps");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body.at("apps").as_array().size(), 1u);
  EXPECT_EQ(list.body.at("apps").at(0).at("id"), json::value("/basic-3"));
}

TEST_F(MarathonApiTest, ErrorsAreMarathonsBodies) {
  const auto errors = testdata("errors.json");
  // 409 for an id taken, as Marathon's reference prints it. (Its example id "/existing_app" breaks Marathon's own
  // id rule, no '_': the same message for "/existing-app".)
  json::object existing{{"id", "/existing-app"}, {"cmd", "web:1"}};
  ASSERT_EQ(call("POST", "/v2/apps", json::serialize(existing)).status, 201);
  auto dup = call("POST", "/v2/apps", json::serialize(existing));
  EXPECT_EQ(dup.status, 409);
  std::string expected_message(errors.at("already_exists").at("message").as_string());
  expected_message.replace(expected_message.find("existing_app"), 12, "existing-app");
  EXPECT_EQ(dup.body, (json::object{{"message", expected_message}}));
  // 404 for an unknown app.
  auto missing = call("GET", "/v2/apps/not_existent");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, errors.at("app_not_found"));
  EXPECT_EQ(call("GET", "/v2/apps/not_existent/tasks").body, errors.at("app_not_found"));
  EXPECT_EQ(call("GET", "/v2/apps/not_existent/versions").body, errors.at("app_not_found"));
  // 422 naming the field, nothing created.
  json::object bad{{"id", "/bad"}, {"cmd", "web:1"}, {"upgradeStrategy", json::object{{"minimumHealthCapacity", 1.5}}}};
  auto invalid = call("POST", "/v2/apps", json::serialize(bad));
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(invalid.body, errors.at("object_not_valid"));
  EXPECT_EQ(call("GET", "/v2/apps/bad").status, 404);
  EXPECT_EQ(call_v1("GET", "/v1/services/bad").status, 404);
  // Marathon's full example asks for what ECS's task definition decides: a 422 naming each field.
  auto full = call("POST", "/v2/apps", testdata_text("app.json"));
  EXPECT_EQ(full.status, 422);
  EXPECT_EQ(full.body.at("message"), json::value("Object is not valid"));
  EXPECT_EQ(full.body.at("details").as_array().size(), 9u);
  EXPECT_EQ(call("GET", "/v2/apps/foo").status, 404);
  // 400 for malformed JSON, in Marathon's shape.
  auto malformed = call("POST", "/v2/apps", "{\"id\":");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.body.at("message"), errors.at("invalid_json").at("message"));
  expect_marathon_keys(malformed.body.as_object(), errors.at("invalid_json").as_object());
  // Unknown deployment, unknown task.
  auto no_plan = call("DELETE", "/v2/deployments/unknown_deployment");
  EXPECT_EQ(no_plan.status, 404);
  EXPECT_EQ(no_plan.body, errors.at("deployment_not_found"));
  auto no_task = call("DELETE", "/v2/apps/existing-app/tasks/not-existing");
  EXPECT_EQ(no_task.status, 404);
  EXPECT_EQ(no_task.body, errors.at("task_not_found"));
}

// A count change is Marathon's ScaleApplication deployment: listed (with the id answered) until the app's tasks
// match the count; DELETE rolls the count back, DELETE ?force=true stops listing it.
TEST_F(MarathonApiTest, ACountChangeIsAScaleDeploymentUntilTheTasksMatch) {
  ASSERT_EQ(call("POST", "/v2/apps", testdata_text("basic-3-docker-ecs.json")).status, 201);
  complete_deployment("basic-3");
  model_.add_task("basic-3", "t1", "RUNNING");
  EXPECT_TRUE(call("GET", "/v2/deployments").body.as_array().empty());

  auto scaled = call("PUT", "/v2/apps/basic-3", R"({"instances": 3})");
  ASSERT_EQ(scaled.status, 200) << json::serialize(scaled.body);
  const auto id = scaled.body.at("deploymentId");
  auto listed = call("GET", "/v2/deployments").body.as_array();
  ASSERT_EQ(listed.size(), 1u);
  const auto example = testdata("deployments.json").as_array().at(0).as_object();
  EXPECT_EQ(keys(listed.at(0).as_object()), keys(example));
  EXPECT_EQ(listed.at(0).at("id"), id);
  EXPECT_EQ(listed.at(0).at("affectedApps"), (json::array{"/basic-3"}));
  EXPECT_EQ(listed.at(0).at("steps").at(0).at("actions").at(0).at("action"), json::value("ScaleApplication"));
  EXPECT_EQ(listed.at(0).at("currentActions").at(0).at("action"), json::value("ScaleApplication"));
  EXPECT_EQ(call("GET", "/v2/apps/basic-3").body.at("app").at("deployments"), (json::array{json::object{{"id", id}}}));

  // Still listed while a task stages; gone once three run.
  model_.add_task("basic-3", "t2", "RUNNING");
  model_.add_task("basic-3", "t3", "PENDING");
  EXPECT_EQ(call("GET", "/v2/deployments").body.as_array().size(), 1u);
  model_.tasks.back().as_object()["lastStatus"] = "RUNNING";
  EXPECT_TRUE(call("GET", "/v2/deployments").body.as_array().empty());
  EXPECT_TRUE(call("GET", "/v2/apps/basic-3").body.at("app").at("deployments").as_array().empty());
  EXPECT_EQ(call("DELETE", "/v2/deployments/" + std::string(id.as_string())).status, 404);

  // Rolled back: DELETE answers the scale back to 3 (itself listed until one task is left).
  auto down = call("PUT", "/v2/apps/basic-3", R"({"instances": 1})");
  ASSERT_EQ(down.status, 200);
  auto rolled = call("DELETE", "/v2/deployments/" + std::string(down.body.at("deploymentId").as_string()));
  ASSERT_EQ(rolled.status, 200) << json::serialize(rolled.body);
  EXPECT_EQ(keys(rolled.body.as_object()), keys(testdata("deployments_result.json").as_object()));
  EXPECT_EQ(call_v1("GET", "/v1/services/basic-3").body.at("desiredCount"), json::value(3));
  EXPECT_TRUE(call("GET", "/v2/deployments").body.as_array().empty());  // three run already

  // Canceled with force: no longer listed, the count stays.
  auto up = call("PUT", "/v2/apps/basic-3", R"({"instances": 5})");
  ASSERT_EQ(up.status, 200);
  EXPECT_EQ(call("GET", "/v2/deployments").body.as_array().size(), 1u);
  EXPECT_EQ(call("DELETE", "/v2/deployments/" + std::string(up.body.at("deploymentId").as_string()) + "?force=true")
                .status,
            202);
  EXPECT_TRUE(call("GET", "/v2/deployments").body.as_array().empty());
  EXPECT_EQ(call_v1("GET", "/v1/services/basic-3").body.at("desiredCount"), json::value(5));
}

// A scale deployment is a store record: a berth restarted meanwhile (a new MarathonApi over the same store) still
// lists it and is locked by it. Once a request sees it done it is over: a task lost later does not reopen it.
TEST_F(MarathonApiTest, AScaleDeploymentOutlivesARestartAndEndsOnce) {
  // A record berth cannot read (say, left by another version) is skipped, then replaced by the next scale.
  ASSERT_TRUE(berth::test::run_blocking(io_, store_->put_record("marathon_scales", "basic-3", "not json", 0)));
  ASSERT_EQ(call("POST", "/v2/apps", testdata_text("basic-3-docker-ecs.json")).status, 201);
  complete_deployment("basic-3");
  model_.add_task("basic-3", "t1", "RUNNING");
  auto scaled = call("PUT", "/v2/apps/basic-3", R"({"instances": 2})");
  ASSERT_EQ(scaled.status, 200) << json::serialize(scaled.body);
  const auto id = scaled.body.at("deploymentId");

  api_ = std::make_unique<MarathonApi>(*store_, model_, reactor_, [this] { return now_; },
                                       [this] { return "d-" + std::to_string(++next_id_); }, MarathonOptions{});
  auto listed = call("GET", "/v2/deployments").body.as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed.at(0).at("id"), id);
  EXPECT_EQ(listed.at(0).at("steps").at(0).at("actions").at(0).at("action"), json::value("ScaleApplication"));
  EXPECT_EQ(call("PUT", "/v2/apps/basic-3", R"({"instances": 4})").status, 409);

  model_.add_task("basic-3", "t2", "RUNNING");
  EXPECT_TRUE(call("GET", "/v2/deployments").body.as_array().empty());
  model_.tasks.back().as_object()["lastStatus"] = "STOPPED";  // one of the two is lost after the scale ended
  EXPECT_TRUE(call("GET", "/v2/deployments").body.as_array().empty());
  EXPECT_TRUE(call("GET", "/v2/apps/basic-3").body.at("app").at("deployments").as_array().empty());
  EXPECT_EQ(call("PUT", "/v2/apps/basic-3", R"({"instances": 3})").status, 200);  // not locked
  // Nothing of the ended one is left in the store either.
  api_ = std::make_unique<MarathonApi>(*store_, model_, reactor_, [this] { return now_; },
                                       [this] { return "d-" + std::to_string(++next_id_); }, MarathonOptions{});
  listed = call("GET", "/v2/deployments").body.as_array();
  ASSERT_EQ(listed.size(), 1u);  // the count change to 3 just made
  EXPECT_NE(listed.at(0).at("id"), id);
}

TEST_F(MarathonApiTest, PutIsAPartialUpdateLockedByARunningDeployment) {
  ASSERT_EQ(call("POST", "/v2/apps", testdata_text("basic-3-docker-ecs.json")).status, 201);
  // The first deployment still runs: Marathon's lock, with its message and the deployment.
  auto locked = call("PUT", "/v2/apps/basic-3", R"({"instances": 3})");
  EXPECT_EQ(locked.status, 409);
  const auto example = testdata("errors.json").at("locked").as_object();
  EXPECT_EQ(keys(locked.body.as_object()), keys(example));
  EXPECT_EQ(locked.body.at("message"),
            json::value("App is locked by one or more deployments. Override with the option '?force=true'. View "
                        "details at '/v2/deployments/d-1'."));
  EXPECT_EQ(locked.body.at("deployments"), (json::array{json::object{{"id", "d-1"}}}));
  complete_deployment("basic-3");
  // {"instances": 3} scales (no new version: berth deploys nothing for a count).
  auto scaled = call("PUT", "/v2/apps/basic-3", R"({"instances": 3})");
  ASSERT_EQ(scaled.status, 200) << json::serialize(scaled.body);
  EXPECT_EQ(keys(scaled.body.as_object()), keys(testdata("deployments_result.json").as_object()));
  EXPECT_EQ(header(scaled, "Marathon-Deployment-Id"), scaled.body.at("deploymentId").as_string());
  auto v1 = call_v1("GET", "/v1/services/basic-3");
  EXPECT_EQ(v1.body.at("desiredCount"), json::value(3));
  EXPECT_EQ(v1.body.at("version"), json::value(1));
  auto app = call("GET", "/v2/apps/basic-3").body.at("app");
  EXPECT_EQ(app.at("instances"), json::value(3));
  EXPECT_EQ(app.at("container"), testdata("basic-3-docker-ecs.json").at("container"));  // kept
  EXPECT_EQ(app.at("version"), scaled.body.at("version"));
  // The scale is a deployment too: it locks the app until three tasks run, as Marathon locks an app while any
  // of its deployments runs.
  auto locked_by_scale = call("PUT", "/v2/apps/basic-3", R"({"cmd": "web:2"})");
  EXPECT_EQ(locked_by_scale.status, 409) << json::serialize(locked_by_scale.body);
  EXPECT_EQ(locked_by_scale.body.at("deployments"), (json::array{json::object{{"id", scaled.body.at("deploymentId")}}}));
  EXPECT_EQ(call("DELETE", "/v2/apps/basic-3").status, 409);
  for (const auto* t : {"t1", "t2", "t3"}) model_.add_task("basic-3", t, "RUNNING");
  // A new task definition is a new version and a deployment; labels are kept as sent.
  auto upgraded = call("PUT", "/v2/apps/basic-3", R"({"cmd": "web:2", "labels": {"owner": "zeus"}})");
  ASSERT_EQ(upgraded.status, 200) << json::serialize(upgraded.body);
  EXPECT_EQ(call_v1("GET", "/v1/services/basic-3").body.at("version"), json::value(2));
  app = call("GET", "/v2/apps/basic-3").body.at("app");
  EXPECT_EQ(app.at("cmd"), json::value("web:2"));
  EXPECT_EQ(app.at("labels"), (json::object{{"owner", "zeus"}}));
  EXPECT_EQ(app.at("deployments").at(0).at("id"), upgraded.body.at("deploymentId"));
  // A bad change is refused and changes nothing.
  auto refused = call("PUT", "/v2/apps/basic-3?force=true", R"({"constraints": [["rack_id", "UNIQUE"]]})");
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.body.at("details").at(0).at("path"), json::value("/constraints/0"));
  EXPECT_EQ(call_v1("GET", "/v1/services/basic-3").body.at("version"), json::value(2));
  // force=true overrides the lock.
  auto forced = call("PUT", "/v2/apps/basic-3?force=true", R"({"instances": 1})");
  EXPECT_EQ(forced.status, 200) << json::serialize(forced.body);
}

TEST_F(MarathonApiTest, AV1PutKeepsTheAppAndMarathonSeesItsChange) {
  ASSERT_EQ(call("POST", "/v2/apps", testdata_text("basic-3-docker-ecs.json")).status, 201);
  auto put = call_v1("PUT", "/v1/services/basic-3",
                     R"({"cluster": "prod", "taskDefinition": "web:2", "desiredCount": 2})");
  ASSERT_EQ(put.status, 200) << json::serialize(put.body);
  auto app = call("GET", "/v2/apps/basic-3");
  ASSERT_EQ(app.status, 200) << json::serialize(app.body);
  EXPECT_EQ(app.body.at("app").at("cmd"), json::value("web:2"));
  EXPECT_EQ(app.body.at("app").at("instances"), json::value(2));
  EXPECT_EQ(app.body.at("app").at("container"), testdata("basic-3-docker-ecs.json").at("container"));
  // A /v1 service is no Marathon app.
  ASSERT_EQ(call_v1("POST", "/v1/services", R"({"name": "plain", "cluster": "prod", "taskDefinition": "web:1",
                                                 "desiredCount": 1})").status, 200);
  EXPECT_EQ(call("GET", "/v2/apps/plain").status, 404);
  EXPECT_EQ(call("GET", "/v2/apps").body.at("apps").as_array().size(), 1u);
}

TEST_F(MarathonApiTest, PutCreatesAnAppThatDoesNotExist) {
  auto r = call("PUT", "/v2/apps/prod/web", R"({"cmd": "web:1", "instances": 2, "constraints": [["hostname", "UNIQUE"]]})");
  ASSERT_EQ(r.status, 201) << json::serialize(r.body);
  EXPECT_EQ(header(r, "Location"), "/v2/apps/prod/web");
  EXPECT_EQ(keys(r.body.as_object()), keys(testdata("deployments_result.json").as_object()));
  auto app = call("GET", "/v2/apps/prod/web");
  ASSERT_EQ(app.status, 200);
  EXPECT_EQ(app.body.at("app").at("id"), json::value("/prod/web"));
  EXPECT_EQ(app.body.at("app").at("constraints"), json::parse(R"([["hostname", "UNIQUE"]])"));
  auto v1 = call_v1("GET", "/v1/services/prod_web");
  ASSERT_EQ(v1.status, 200);
  EXPECT_EQ(v1.body.at("placementConstraints"), json::parse(R"([{"type": "distinctInstance"}])"));
  EXPECT_EQ(call("GET", "/v2/apps?id=/prod").body.at("apps").as_array().size(), 1u);
  EXPECT_EQ(call("GET", "/v2/apps?id=/other").body.at("apps").as_array().size(), 0u);
  EXPECT_EQ(call("GET", "/v2/apps?cmd=web:1").body.at("apps").as_array().size(), 1u);
}

TEST_F(MarathonApiTest, TasksAreTheServicesLiveTasksInMarathonsShape) {
  ASSERT_EQ(call("POST", "/v2/apps", R"({"id": "/prod/web", "cmd": "web:1", "instances": 2})").status, 201);
  model_.add_task("prod_web", "t1", "RUNNING");
  model_.add_task("prod_web", "t2", "PENDING");
  model_.add_task("prod_web", "t0", "STOPPED");
  model_.add_task("other", "t9", "RUNNING");
  auto r = call("GET", "/v2/apps/prod/web/tasks");
  ASSERT_EQ(r.status, 200) << json::serialize(r.body);
  const auto& tasks = r.body.at("tasks").as_array();
  ASSERT_EQ(tasks.size(), 2u);
  const auto example = testdata("tasks.json").at("tasks").at(0).as_object();
  for (const auto& t : tasks) expect_marathon_keys(t.as_object(), example);
  EXPECT_EQ(tasks[0].at("id"), json::value("t1"));
  EXPECT_EQ(tasks[0].at("appId"), json::value("/prod/web"));
  EXPECT_EQ(tasks[0].at("host"), json::value("i-0001"));
  EXPECT_EQ(tasks[0].at("state"), json::value("TASK_RUNNING"));
  EXPECT_EQ(tasks[1].at("state"), json::value("TASK_STAGING"));
  auto app = call("GET", "/v2/apps/prod/web").body.at("app");
  EXPECT_EQ(app.at("tasksRunning"), json::value(1));
  EXPECT_EQ(app.at("tasksStaged"), json::value(1));
  // apps.raml: the single GET embeds the tasks (Marathon adds Embed.Tasks "for compatibility"); the list only
  // with embed=apps.tasks (repeatable, beside other values) or its shorthand apps.failures.
  EXPECT_EQ(app.at("tasks"), json::value(tasks));
  EXPECT_FALSE(call("GET", "/v2/apps").body.at("apps").at(0).as_object().contains("tasks"));
  for (const char* target : {"/v2/apps?embed=apps.counts&embed=apps.tasks", "/v2/apps?embed=apps.failures"}) {
    auto listed = call("GET", target).body.at("apps").at(0);
    ASSERT_TRUE(listed.as_object().contains("tasks")) << target;
    EXPECT_EQ(listed.at("tasks"), json::value(tasks)) << target;
  }
  EXPECT_EQ(call("GET", "/v2/tasks").body.at("tasks").as_array().size(), 2u);
  EXPECT_EQ(call("GET", "/v2/tasks?status=running").body.at("tasks").as_array().size(), 1u);

  // Kill without scale: the task goes, the count stays (the plan replaces it).
  auto killed = call("DELETE", "/v2/apps/prod/web/tasks/t2");
  ASSERT_EQ(killed.status, 200) << json::serialize(killed.body);
  expect_marathon_keys(killed.body.at("task").as_object(), testdata("app_task.json").at("task").as_object(),
                       {"servicePorts"});
  EXPECT_EQ(reactor_.killed, std::vector<std::string>{"prod_web arn:aws:ecs:us-east-1:1:task/prod/t2"});
  EXPECT_EQ(call_v1("GET", "/v1/services/prod_web").body.at("desiredCount"), json::value(2));
  // Kill with scale=true: this task goes and the count drops by one.
  complete_deployment("prod_web");
  auto scaled = call("DELETE", "/v2/apps/prod/web/tasks/t1?scale=true");
  ASSERT_EQ(scaled.status, 200) << json::serialize(scaled.body);
  EXPECT_EQ(keys(scaled.body.as_object()), keys(testdata("deployments_result.json").as_object()));
  EXPECT_EQ(reactor_.killed.back(), "prod_web arn:aws:ecs:us-east-1:1:task/prod/t1");
  EXPECT_EQ(call_v1("GET", "/v1/services/prod_web").body.at("desiredCount"), json::value(1));
  // DELETE /v2/apps/{id}/tasks?host=: the app's tasks on that host (i-0001 holds both).
  reactor_.killed.clear();
  auto on_host = call("DELETE", "/v2/apps/prod/web/tasks?host=i-0002");
  ASSERT_EQ(on_host.status, 200) << json::serialize(on_host.body);
  EXPECT_TRUE(on_host.body.at("tasks").as_array().empty());
  auto all = call("DELETE", "/v2/apps/prod/web/tasks?host=i-0001");
  EXPECT_EQ(all.body.at("tasks").as_array().size(), 2u);
  EXPECT_EQ(reactor_.killed.size(), 2u);
  // POST /v2/tasks/delete: every id must be known.
  auto unknown = call("POST", "/v2/tasks/delete", R"({"ids": ["t1", "nope"]})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.body.at("message"), json::value("Invalid task id nope"));
  auto bulk = call("POST", "/v2/tasks/delete", R"({"ids": ["t1", "t2"]})");
  ASSERT_EQ(bulk.status, 200);
  EXPECT_EQ(bulk.body.at("tasks").as_array().size(), 2u);
}

TEST_F(MarathonApiTest, DeploymentsVersionsRestartAndDelete) {
  ASSERT_EQ(call("POST", "/v2/apps", R"({"id": "/web", "cmd": "web:1", "instances": 2})").status, 201);
  auto deployments = call("GET", "/v2/deployments");
  ASSERT_EQ(deployments.status, 200);
  ASSERT_EQ(deployments.body.as_array().size(), 1u);
  const auto& d = deployments.body.at(0).as_object();
  expect_marathon_keys(d, testdata("deployments.json").at(0).as_object());
  EXPECT_EQ(keys(d), keys(testdata("deployments.json").at(0).as_object()));
  EXPECT_EQ(d.at("id"), json::value("d-1"));
  EXPECT_EQ(d.at("affectedApps"), (json::array{"/web"}));
  EXPECT_EQ(d.at("currentActions").at(0).at("action"), json::value("StartApplication"));
  complete_deployment("web");
  EXPECT_TRUE(call("GET", "/v2/deployments").body.as_array().empty());

  // Restart: a new version and deployment; no task is killed: the plan replaces them rolling (replace_every_task).
  model_.add_task("web", "t1", "RUNNING");
  model_.add_task("web", "t2", "RUNNING");
  auto restarted = call("POST", "/v2/apps/web/restart");
  ASSERT_EQ(restarted.status, 200) << json::serialize(restarted.body);
  EXPECT_EQ(keys(restarted.body.as_object()), keys(testdata("deployments_result.json").as_object()));
  EXPECT_TRUE(reactor_.killed.empty());
  EXPECT_EQ(call_v1("GET", "/v1/services/web").body.at("version"), json::value(2));
  auto running = call("GET", "/v2/deployments").body;
  ASSERT_EQ(running.as_array().size(), 1u);
  EXPECT_EQ(running.at(0).at("id"), restarted.body.at("deploymentId"));
  EXPECT_EQ(running.at(0).at("currentActions").at(0).at("action"), json::value("RestartApplication"));
  // The restart marker is berth's: the app reads as it was sent.
  auto app = call("GET", "/v2/apps/web").body.at("app").as_object();
  EXPECT_FALSE(app.contains("berth"));

  // Versions: ISO timestamps, newest first; each one reads back the app as it was.
  auto versions = call("GET", "/v2/apps/web/versions");
  ASSERT_EQ(versions.status, 200);
  const auto& list = versions.body.at("versions").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0], app.at("version"));
  auto first = call("GET", "/v2/apps/web/versions/" + std::string(list[1].as_string()));
  ASSERT_EQ(first.status, 200) << json::serialize(first.body);
  EXPECT_EQ(first.body.at("id"), json::value("/web"));
  EXPECT_EQ(first.body.at("cmd"), json::value("web:1"));
  EXPECT_EQ(call("GET", "/v2/apps/web/versions/2001-01-01T00:00:00.000Z").status, 404);

  // DELETE /v2/deployments/{id}: rolled back to the version before (a new deployment).
  auto rolled = call("DELETE", "/v2/deployments/" + std::string(restarted.body.at("deploymentId").as_string()));
  ASSERT_EQ(rolled.status, 200) << json::serialize(rolled.body);
  EXPECT_EQ(keys(rolled.body.as_object()), keys(testdata("deployments_result.json").as_object()));
  EXPECT_EQ(call_v1("GET", "/v1/services/web").body.at("version"), json::value(3));
  // force=true cancels without a new deployment: 202, no body.
  auto canceled = call("DELETE", "/v2/deployments/" + std::string(rolled.body.at("deploymentId").as_string()) +
                                     "?force=true");
  EXPECT_EQ(canceled.status, 202);
  EXPECT_TRUE(canceled.body.is_null());
  EXPECT_TRUE(call("GET", "/v2/deployments").body.as_array().empty());

  // Delete: the service and its tasks go.
  auto deleted = call("DELETE", "/v2/apps/web");
  ASSERT_EQ(deleted.status, 200) << json::serialize(deleted.body);
  EXPECT_EQ(keys(deleted.body.as_object()), keys(testdata("deployments_result.json").as_object()));
  EXPECT_EQ(reactor_.terminated, std::vector<std::string>{"web"});
  EXPECT_EQ(call("GET", "/v2/apps/web").status, 404);
  EXPECT_EQ(call_v1("GET", "/v1/services/web").status, 404);
}

TEST_F(MarathonApiTest, InfoLeaderQueueAndRouting) {
  auto info = call("GET", "/v2/info");
  ASSERT_EQ(info.status, 200);
  expect_marathon_keys(info.body.as_object(), testdata("info.json").as_object());
  EXPECT_EQ(info.body.at("name"), json::value("marathon"));
  EXPECT_EQ(info.body.at("frameworkId"), json::value("berth-test"));
  EXPECT_EQ(info.body.at("leader"), json::value("127.0.0.1:8080"));
  EXPECT_EQ(info.body.at("http_config").at("http_port"), json::value(8080));
  expect_marathon_keys(info.body.at("marathon_config").as_object(),
                       testdata("info.json").at("marathon_config").as_object());
  auto leader = call("GET", "/v2/leader");
  EXPECT_EQ(leader.body, (json::object{{"leader", "127.0.0.1:8080"}}));
  leader_.clear();
  auto none = call("GET", "/v2/leader");
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(none.body, testdata("errors.json").at("no_leader"));
  EXPECT_EQ(call("GET", "/v2/queue").body, (json::object{{"queue", json::array{}}}));
  auto post_app = call("POST", "/v2/apps/web");
  EXPECT_EQ(post_app.status, 405);
  EXPECT_EQ(call("PATCH", "/v2/info").status, 405);
  EXPECT_EQ(call("GET", "/v2/nothing").status, 404);
}

}  // namespace
}  // namespace berth::http::marathon
