// File: tests/integration/runtime_test.cpp — unit tests of the wiring pieces: AWS error mapping, the router ->
// ApiV1 adapter, the store-backed desired state (deployment verdicts) and the launch journal's crash recovery.
#include "http/api_routes.hpp"
#include "reactor/cluster_model.hpp"
#include "reactor/daemon_state_access.hpp"
#include "reactor/ecs_api_adapter.hpp"
#include "reactor/launch_journal.hpp"
#include "run_blocking.hpp"
#include "store/sqlite_desired_state_store.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <filesystem>
#include <random>

namespace {

namespace json = boost::json;
namespace asio = boost::asio;
using namespace berth;
using std::chrono::system_clock;

// ---------------------------------------------------------------------------------------------------------------
TEST(EcsErrorMapping, ThrottlingIsThrottled) {
  aws::AwsError e;
  e.type = "ThrottlingException";
  e.http_status = 400;
  e.error_class = aws::ErrorClass::throttling;
  EXPECT_EQ(reactor::to_ecs_error(e).kind, reactor::EcsError::Kind::throttled);
  EXPECT_EQ(reactor::to_ecs_error(e).code, "ThrottlingException");
}

TEST(EcsErrorMapping, MaybeExecutedIsUnknown) {
  // A read timeout after the request was written: ECS may have acted on it.
  auto timeout = aws::transport_error(asio::error::timed_out, /*request_sent=*/true);
  EXPECT_EQ(reactor::to_ecs_error(timeout).kind, reactor::EcsError::Kind::unknown);
  // A 5xx: the client marks it as possibly executed.
  aws::HttpResponse server_response;
  server_response.status = 500;
  server_response.body = R"({"__type":"ServerException","message":"boom"})";
  auto server = aws::parse_error_response(server_response);
  ASSERT_TRUE(server.outcome_unknown());
  EXPECT_EQ(reactor::to_ecs_error(server).kind, reactor::EcsError::Kind::unknown);
  // The request went out but the answer was unusable: the tasks may exist.
  auto undecodable = aws::client_error("SerializationException", "response is not a JSON object");
  undecodable.maybe_executed = true;
  EXPECT_EQ(reactor::to_ecs_error(undecodable).kind, reactor::EcsError::Kind::unknown);
}

TEST(EcsErrorMapping, NothingSentIsRejectedNotInDoubt) {
  // A connect failure: no byte reached ECS, so the launch is not in doubt and can be planned again.
  auto refused = aws::transport_error(asio::error::connection_refused, /*request_sent=*/false);
  EXPECT_FALSE(refused.outcome_unknown());
  EXPECT_EQ(reactor::to_ecs_error(refused).kind, reactor::EcsError::Kind::rejected);
}

TEST(EcsErrorMapping, ClientErrorsAreRejected) {
  aws::AwsError e;
  e.type = "ClientException";
  e.http_status = 400;
  e.error_class = aws::ErrorClass::permanent;
  EXPECT_EQ(reactor::to_ecs_error(e).kind, reactor::EcsError::Kind::rejected);
  // Refused before sending (argument validation): nothing happened either.
  auto local = aws::client_error("InvalidParameterException", "too many instances");
  EXPECT_EQ(reactor::to_ecs_error(local).kind, reactor::EcsError::Kind::rejected);
}

// ---------------------------------------------------------------------------------------------------------------
class TempStore : public ::testing::Test {
 protected:
  TempStore() {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("berth-runtime-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    auto s = store::SqliteDesiredStateStore::open(io_.get_executor(), (dir_ / "berth.db").string());
    if (!s) throw std::runtime_error(s.error().message);
    store_ = std::move(*s);
  }
  ~TempStore() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  policy::Environment make_env(const std::string& name, const std::string& td) {
    policy::Environment env;
    env.name = name;
    env.cluster = "default";
    env.task_definition = td;
    env.created_at = env.updated_at = system_clock::now();
    return env;
  }
  policy::Deployment make_deployment(const std::string& id, const std::string& env, const std::string& td) {
    policy::Deployment d;
    d.id = id;
    d.environment = env;
    d.task_definition = td;
    d.created_at = system_clock::now();
    return d;
  }

  // Runs one call of the asynchronous interfaces (store, state access, journal) to completion.
  template <class T>
  T run(asio::awaitable<T> work) {
    return berth::test::run_blocking(io_, std::move(work));
  }
  // The synchronous engine under the store: how the tests set up and inspect rows.
  store::SqliteStore& engine() { return store_->engine(); }

  asio::io_context io_;
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteDesiredStateStore> store_;
};

// ---------------------------------------------------------------------------------------------------------------
class FakeView : public http::api::ClusterView, public http::api::Reconcile {
 public:
  std::optional<json::array> list_instances(std::string_view c) const override {
    if (c != "default") return std::nullopt;
    return json::array{json::object{{"arn", "i1"}}};
  }
  std::optional<json::array> list_tasks(std::string_view c) const override {
    if (c != "default") return std::nullopt;
    return json::array{};
  }
  void mark_dirty(std::string_view env) override { dirty.emplace_back(env); }
  void terminate_tasks(std::string_view env) override { terminated.emplace_back(env); }
  void mark_service_dirty(std::string_view s) override { dirty_services.emplace_back(s); }
  void terminate_service_tasks(std::string_view s) override { terminated_services.emplace_back(s); }
  std::vector<std::string> dirty_services, terminated_services;
  std::vector<std::string> dirty, terminated;
};

class ApiRoutes : public TempStore {
 protected:
  ApiRoutes()
      : api_(*store_, view_, view_, [] { return system_clock::now(); }, http::api::random_deployment_id, {}) {
    http::add_api_routes(router_, api_, [] { return json::object{{"ok", true}}; });
  }
  http::Response call(http::Verb method, std::string path, std::string body = {},
                      std::map<std::string, std::string> query = {}) {
    http::Request req;
    req.method = method;
    req.path = std::move(path);
    req.body = std::move(body);
    req.query = std::move(query);
    return run(router_.dispatch(std::move(req)));
  }
  static std::string header(const http::Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return {};
  }

  FakeView view_;
  http::api::ApiV1 api_;
  http::Router router_;
};

TEST_F(ApiRoutes, CreateReturns200WithLocationAndMarksDirty) {
  auto r = call(http::Verb::post, "/v1/environments",
                R"({"name":"web","instanceGroup":{"cluster":"default"},"taskDefinition":"web:1"})");
  EXPECT_EQ(r.status, 200u) << r.body;  // Blox's swagger: 200
  EXPECT_EQ(header(r, "Location"), "/v1/environments/web");
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(json::parse(r.body).at("name").as_string(), "web");
  EXPECT_EQ(view_.dirty, std::vector<std::string>{"web"});

  auto got = call(http::Verb::get, "/v1/environments/web/deployments");
  EXPECT_EQ(got.status, 200u);
  EXPECT_EQ(json::parse(got.body).at("items").as_array().size(), 1u);
}

TEST_F(ApiRoutes, QueryParametersReachTheApi) {
  call(http::Verb::post, "/v1/environments",
       R"({"name":"web","instanceGroup":{"cluster":"default"},"taskDefinition":"web:1"})");
  auto del = call(http::Verb::delete_, "/v1/environments/web", {}, {{"terminateTasks", "true"}});
  EXPECT_EQ(del.status, 200u) << del.body;
  EXPECT_EQ(view_.terminated, std::vector<std::string>{"web"});
  auto bad = call(http::Verb::get, "/v1/environments", {}, {{"bogus", "1"}});
  EXPECT_EQ(bad.status, 400u);
}

TEST_F(ApiRoutes, WrongMethodIs405WithAllowAndUnknownPathIs404) {
  auto r = call(http::Verb::patch, "/v1/environments");
  EXPECT_EQ(r.status, 405u);
  EXPECT_NE(header(r, "Allow").find("POST"), std::string::npos);
  auto missing = call(http::Verb::get, "/v1/nothing/here");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_TRUE(json::parse(missing.body).as_object().contains("error"));
}

TEST_F(ApiRoutes, StatsAndClusterViews) {
  auto s = call(http::Verb::get, "/v1/stats");
  EXPECT_EQ(s.status, 200u);
  EXPECT_EQ(json::parse(s.body).at("ok").as_bool(), true);
  auto i = call(http::Verb::get, "/v1/clusters/default/instances");
  EXPECT_EQ(i.status, 200u);
  EXPECT_EQ(json::parse(i.body).at("instances").as_array().size(), 1u);
  EXPECT_EQ(call(http::Verb::get, "/v1/clusters/other/tasks").status, 404u);
}

TEST(ApiResponseAdapter, EmptyBodyHasNoContentTypeAndHeadersPassThrough) {
  http::api::ApiResponse a;
  a.status = 503;
  a.headers.emplace_back("Retry-After", "5");
  auto r = http::to_http_response(a);
  EXPECT_EQ(r.status, 503u);
  EXPECT_TRUE(r.body.empty());
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
}

// ---------------------------------------------------------------------------------------------------------------
class DesiredState : public TempStore {};

TEST_F(DesiredState, CompletedDeploymentPersistsCountsAndClearsTheActiveDeployment) {
  ASSERT_TRUE(engine().create_environment_with_deployment(make_env("web", "web:1"), make_deployment("d1", "web", "web:1")));
  reactor::DaemonStateAccess state(*store_);
  auto d = run(state.deployment("d1")).value();
  ASSERT_TRUE(d);
  d->status = policy::DeploymentStatus::running;
  d->started_at = system_clock::now();
  d->desired_count = 3;
  d->updated_count = 1;
  run(state.save_deployment(*d));
  EXPECT_EQ(engine().get_deployment("d1")->updated_count, 1u);
  EXPECT_EQ(engine().get_deployment("d1")->status, policy::DeploymentStatus::running);

  d->status = policy::DeploymentStatus::completed;
  d->updated_count = 3;
  d->ended_at = system_clock::now();
  run(state.save_deployment(*d));
  auto stored = engine().get_deployment("d1");
  EXPECT_EQ(stored->status, policy::DeploymentStatus::completed);
  EXPECT_EQ(stored->updated_count, 3u);
  EXPECT_TRUE(engine().get_environment("web")->active_deployment_id.empty());
  EXPECT_EQ(state.stats().deployments_finished, 1u);
}

TEST_F(DesiredState, RollbackSetsThePreviousTaskDefinitionBack) {
  ASSERT_TRUE(engine().create_environment_with_deployment(make_env("web", "web:1"), make_deployment("d1", "web", "web:1")));
  ASSERT_TRUE(engine().finish_deployment("d1", policy::DeploymentStatus::completed, "", system_clock::now()));
  auto started = engine().start_deployment(make_deployment("d2", "web", "web:2"));
  ASSERT_TRUE(started);
  EXPECT_EQ(engine().get_environment("web")->task_definition, "web:2");

  reactor::DaemonStateAccess state(*store_);
  auto d = run(state.deployment("d2")).value();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->previous_task_definition, "web:1");
  d->status = policy::DeploymentStatus::rolled_back;
  d->reason = "3 task failures";
  d->failed_count = 3;
  d->failed_instances = {"i1", "i2", "i3"};
  d->ended_at = system_clock::now();
  run(state.save_deployment(*d));

  auto stored = engine().get_deployment("d2");
  EXPECT_EQ(stored->status, policy::DeploymentStatus::rolled_back);
  EXPECT_EQ(stored->failed_instances.size(), 3u);
  auto env = engine().get_environment("web");
  EXPECT_EQ(env->task_definition, "web:1");
  EXPECT_TRUE(env->active_deployment_id.empty());
}

TEST_F(DesiredState, ASupersededDeploymentIsNotOverwritten) {
  ASSERT_TRUE(engine().create_environment_with_deployment(make_env("web", "web:1"), make_deployment("d1", "web", "web:1")));
  reactor::DaemonStateAccess state(*store_);
  auto old = run(state.deployment("d1")).value();
  ASSERT_TRUE(old);
  ASSERT_TRUE(engine().start_deployment(make_deployment("d2", "web", "web:2")));  // supersedes d1
  old->status = policy::DeploymentStatus::completed;
  run(state.save_deployment(*old));
  EXPECT_EQ(engine().get_deployment("d1")->status, policy::DeploymentStatus::failed);
  EXPECT_EQ(engine().get_environment("web")->active_deployment_id, "d2");
  EXPECT_EQ(engine().get_environment("web")->task_definition, "web:2");
}

// ---------------------------------------------------------------------------------------------------------------
// An EcsApi whose StartTask answers with one task per instance, and can be told to fail with "unknown".
class FakeEcs : public reactor::EcsApi {
 public:
  asio::awaitable<reactor::EcsResult<reactor::StartTaskResult>> start_task(reactor::StartTaskRequest r) override {
    records_during_call = store->kv_list(reactor::launch_namespace)->size();
    reactor::StartTaskResult out;
    for (const auto& i : r.container_instances) {
      aws::ecs::Task t;
      t.task_arn = "arn:aws:ecs:us-east-1:1:task/default/t-" + i;
      t.container_instance_arn = i;
      t.started_by = r.started_by;
      t.last_status = "PROVISIONING";
      t.desired_status = "RUNNING";
      t.version = 1;
      out.tasks.push_back(t);
    }
    co_return out;
  }
  asio::awaitable<reactor::EcsResult<reactor::RunTaskResult>> run_task(reactor::RunTaskRequest) override {
    co_return reactor::EcsError{reactor::EcsError::Kind::rejected, "NotUsed", "RunTask is not used here"};
  }
  asio::awaitable<reactor::EcsResult<aws::ecs::Task>> stop_task(std::string, std::string, std::string) override {
    co_return aws::ecs::Task{};
  }
  asio::awaitable<reactor::EcsResult<reactor::ArnPage>> list_container_instances(std::string, std::string) override {
    co_return reactor::ArnPage{};
  }
  asio::awaitable<reactor::EcsResult<reactor::ArnPage>> list_tasks(std::string, std::string, std::string) override {
    co_return reactor::ArnPage{};
  }
  asio::awaitable<reactor::EcsResult<reactor::Described<aws::ecs::ContainerInstance>>> describe_container_instances(
      std::string, std::vector<std::string>) override {
    co_return reactor::Described<aws::ecs::ContainerInstance>{};
  }
  asio::awaitable<reactor::EcsResult<reactor::Described<aws::ecs::Task>>> describe_tasks(
      std::string, std::vector<std::string>) override {
    co_return reactor::Described<aws::ecs::Task>{};
  }
  asio::awaitable<reactor::EcsResult<reactor::TaskDefinitionInfo>> describe_task_definition(std::string) override {
    co_return reactor::TaskDefinitionInfo{};
  }
  store::SqliteStore* store = nullptr;
  std::size_t records_during_call = 0;
};

class Journal : public TempStore {};

// StartTask timed out: the outcome is unknown, so the record must survive for a restarted process.
class TimingOutEcs : public FakeEcs {
 public:
  asio::awaitable<reactor::EcsResult<reactor::StartTaskResult>> start_task(reactor::StartTaskRequest) override {
    co_return reactor::EcsError{reactor::EcsError::Kind::unknown, "TransportError", "timed out"};
  }
};

TEST_F(Journal, RecordOfALaunchWithUnknownOutcomeIsKept) {
  TimingOutEcs ecs;
  reactor::LaunchJournal journal(ecs, *store_);
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        reactor::StartTaskRequest req;
        req.cluster = "default";
        req.task_definition = "web:1";
        req.container_instances = {"i1"};
        req.started_by = "berth/abc";
        auto r = co_await journal.start_task(std::move(req));
        EXPECT_FALSE(r);
      },
      asio::detached);
  io_.run();
  EXPECT_EQ(engine().kv_list(reactor::launch_namespace)->size(), 1u);
  EXPECT_EQ(journal.records_kept(), 1u);
}

TEST_F(Journal, RecordIsCommittedBeforeStartTaskAndDeletedAfter) {
  FakeEcs ecs;
  ecs.store = &engine();
  reactor::LaunchJournal journal(ecs, *store_);
  std::optional<reactor::EcsResult<reactor::StartTaskResult>> result;
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        reactor::StartTaskRequest req;  // named: GCC 12 mishandles braced temporaries in co_await arguments
        req.cluster = "default";
        req.task_definition = "web:1";
        req.container_instances = {"i1", "i2"};
        req.started_by = "berth/abc";
        req.group = "berth:web:d1";
        result = co_await journal.start_task(std::move(req));
      },
      asio::detached);
  io_.run();
  ASSERT_TRUE(result && *result);
  EXPECT_EQ((*result)->tasks.size(), 2u);
  EXPECT_EQ(ecs.records_during_call, 1u);
  EXPECT_TRUE(engine().kv_list(reactor::launch_namespace)->empty());
  EXPECT_EQ(journal.records_written(), 1u);
}

TEST_F(Journal, RecordsLeftByACrashBecomeDoubtsOnInstancesWithoutTheirTask) {
  // A previous process died between StartTask and its response: the record survived.
  const auto at = std::chrono::duration_cast<std::chrono::seconds>(system_clock::now().time_since_epoch()).count();
  json::object record{{"cluster", "default"},
                      {"startedBy", "berth/abc"},
                      {"taskDefinition", "web:1"},
                      {"instances", json::array{"i1", "i2"}},
                      {"at", at}};
  // A record from long ago: any listing shows its task by now, it is dropped.
  json::object old = record;
  old["at"] = at - 3600;
  old["instances"] = json::array{"i3"};
  ASSERT_TRUE(engine().kv_put(reactor::launch_namespace, "100-1-1", json::serialize(old)));
  ASSERT_TRUE(engine().kv_put(reactor::launch_namespace, "123-1-1", json::serialize(record)));
  ASSERT_TRUE(engine().kv_put(reactor::launch_namespace, "123-1-2",
                             json::serialize(json::object{{"cluster", "other"}, {"instances", json::array{"x"}}})));

  reactor::ClusterModel model("default");
  const auto now = system_clock::now();
  for (const char* arn : {"i1", "i2", "i3"}) {
    aws::ecs::ContainerInstance ci;
    ci.container_instance_arn = arn;
    ci.status = "ACTIVE";
    ci.agent_connected = true;
    ci.version = 1;
    model.apply_instance(ci, now);
  }
  // The bootstrap found i1's task; i2's launch is not visible (yet).
  aws::ecs::Task t;
  t.task_arn = "arn:aws:ecs:us-east-1:1:task/default/t1";
  t.container_instance_arn = "i1";
  t.started_by = "berth/abc";
  t.last_status = "RUNNING";
  t.desired_status = "RUNNING";
  t.version = 2;
  model.apply_task(t, now);

  FakeEcs ecs;
  reactor::LaunchJournal journal(ecs, *store_);
  const reactor::LaunchDoubtSettings doubt;
  EXPECT_EQ(run(journal.recover(model, now, doubt)), 1u);

  auto snap = model.snapshot("berth/abc", now);
  std::size_t on_i2 = 0;
  for (const auto& task : snap.tasks)
    if (task.instance_arn == "i2") ++on_i2;
  EXPECT_EQ(on_i2, 1u);  // i2 counts as occupied: no second launch there
  for (const auto& task : snap.tasks) EXPECT_NE(task.instance_arn, "i3");
  auto left = engine().kv_list(reactor::launch_namespace);
  ASSERT_EQ(left->size(), 1u);  // the other cluster's record waits for that cluster
  EXPECT_EQ(left->front().first, "123-1-2");
}

}  // namespace
