// File: tests/api/api_fixture.hpp — ApiV1 over a real SQLite store in a temp dir, with a fake model, reactor and
// clock; each call runs the API's coroutine to completion on the fixture's io_context.
#pragma once

#include "http/api/api_v1.hpp"
#include "http/api/ecs_scheduler_api.hpp"
#include "run_blocking.hpp"
#include "store/sqlite_desired_state_store.hpp"

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>

namespace berth::http::api::test {

namespace json = boost::json;

class FakeClusterView : public ClusterView {
 public:
  std::optional<json::array> list_instances(std::string_view cluster) const override {
    if (cluster != "prod") return std::nullopt;
    return json::array{json::object{{"containerInstanceArn", "arn:aws:ecs:us-east-1:1:container-instance/prod/i1"}}};
  }
  std::optional<json::array> list_tasks(std::string_view cluster) const override {
    if (cluster != "prod") return std::nullopt;
    return json::array{json::object{{"taskArn", "arn:aws:ecs:us-east-1:1:task/prod/t1"}}};
  }
  std::vector<std::string> clusters() const override { return watched; }
  bool watches(std::string_view cluster) const override {
    return std::find(missing_clusters.begin(), missing_clusters.end(), cluster) == missing_clusters.end();
  }
  std::optional<std::uint32_t> daemon_instances_without_task(const policy::Environment&) const override {
    return without_task;
  }
  std::vector<std::string> watched{"prod"};  // a job without a cluster defaults to the only one
  std::vector<std::string> missing_clusters{"nowhere"};  // what watches() denies (Blox's 404 "Cluster missing")
  std::optional<std::uint32_t> without_task;  // every environment's (nullopt: the model is not known)
};

class FakeReconcile : public Reconcile {
 public:
  void mark_dirty(std::string_view env) override { dirty.emplace_back(env); }
  void terminate_tasks(std::string_view env) override { terminated.emplace_back(env); }
  void mark_service_dirty(std::string_view s) override { dirty_services.emplace_back(s); }
  void terminate_service_tasks(std::string_view s) override { terminated_services.emplace_back(s); }
  std::vector<std::string> dirty_services, terminated_services;
  std::vector<std::string> dirty;
  std::vector<std::string> terminated;
};

class ApiFixture : public ::testing::Test {
 protected:
  ApiFixture() {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("berth-api-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    auto s = store::SqliteDesiredStateStore::open(io_.get_executor(), (dir_ / "berth.db").string());
    if (!s) throw std::runtime_error(s.error().message);
    store_ = std::move(*s);
    api_ = std::make_unique<ApiV1>(
        *store_, clusters_, reconcile_, [this] { return now_; },
        [this] { return "d-" + std::to_string(++next_id_); }, options_);
    ecs_ = std::make_unique<EcsSchedulerApi>(*store_, clusters_, [this] { return now_; });
  }
  ~ApiFixture() override {
    ecs_.reset();
    api_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  ApiResponse call(std::string method, std::string_view target, std::string body = {}) {
    const ApiRequest request = ApiRequest::from_target(std::move(method), target, std::move(body));
    return berth::test::run_blocking(io_, api_->handle(request));
  }
  // ECS Scheduler's /jobs; POST and PUT carry a JSON Content-Type unless the test says otherwise.
  ApiResponse call_ecs(std::string method, std::string_view target, std::string body = {},
                       std::string content_type = "application/json") {
    ApiRequest request = ApiRequest::from_target(std::move(method), target, std::move(body));
    request.content_type = std::move(content_type);
    return berth::test::run_blocking(io_, ecs_->handle(request));
  }
  ApiResponse create_env(std::string_view name, std::string_view cluster, std::string_view td = "web:1") {
    return call("POST", "/v1/environments",
                json::serialize(json::object{{"name", name},
                                             {"instanceGroup", json::object{{"cluster", cluster}}},
                                             {"taskDefinition", td}}));
  }
  // The environment's current Blox deploymentToken (what a Blox client reads before it deploys).
  std::string env_token(std::string_view name) {
    auto r = call("GET", "/v1/environments/" + std::string(name));
    const auto* t = r.body.is_object() ? r.body.as_object().if_contains("deploymentToken") : nullptr;
    return t && t->is_string() ? std::string(t->get_string()) : std::string();
  }
  // POST .../deployments with the environment's current token (the Blox flow).
  ApiResponse deploy(std::string_view name, std::string body = {}) {
    return call("POST", "/v1/environments/" + std::string(name) + "/deployments?deploymentToken=" + env_token(name),
                std::move(body));
  }
  static std::string error_code(const ApiResponse& r) {
    const auto* o = r.body.if_object();
    if (!o || !o->contains("error")) return {};
    return std::string(o->at("error").at("code").as_string());
  }
  static std::string header(const ApiResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return {};
  }

  boost::asio::io_context io_;
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteDesiredStateStore> store_;
  FakeClusterView clusters_;
  FakeReconcile reconcile_;
  policy::SystemTime now_ = policy::SystemTime(std::chrono::seconds(1'790'000'000));
  int next_id_ = 0;
  ApiV1Options options_{};
  std::unique_ptr<ApiV1> api_;
  std::unique_ptr<EcsSchedulerApi> ecs_;
};

}  // namespace berth::http::api::test
