// File: tests/api/cluster_state_api_test.cpp — the Blox cluster-state front over a fake source, without sockets:
// filters, 404/400 bodies, the Describe cache (reused within its TTL, bounded), and a stream's 400 for an
// entityVersion whose later changes are no longer kept.
#include "http/cluster_state/cluster_state_api.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

namespace berth::http::cluster_state {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

struct FakeTask {
  std::string arn, started_by;
  policy::TaskStatus status;
  std::uint64_t version;
};

class FakeSource final : public ClusterStateSource {
 public:
  std::vector<FakeTask> tasks{
      {"arn:aws:ecs:us-east-1:1:task/prod/aaa", "me", policy::TaskStatus::running, 3},
      {"arn:aws:ecs:us-east-1:1:task/prod/bbb", "you", policy::TaskStatus::stopped, 5},
  };
  std::uint64_t oldest = 1, last = 5;
  int describes = 0;

  std::vector<std::string> clusters() const override { return {"prod"}; }
  bool for_each_instance(std::string_view, const InstanceFn&) const override { return true; }
  bool for_each_task(std::string_view cluster, const TaskFn& fn) const override {
    if (cluster != "prod") return false;
    for (const auto& t : tasks) fn("prod", view(t), t.version);
    return true;
  }
  bool visit_instance(std::string_view, std::string_view, const InstanceFn&) const override { return false; }
  bool visit_task(std::string_view cluster, std::string_view arn, const TaskFn& fn) const override {
    for (const auto& t : tasks)
      if (cluster == "prod" && (t.arn == arn || t.arn.ends_with("/" + std::string(arn)))) {
        fn("prod", view(t), t.version);
        return true;
      }
    return false;
  }
  asio::awaitable<std::optional<aws::ecs::ContainerInstance>> describe_instance(std::string, std::string) override {
    co_return std::nullopt;
  }
  asio::awaitable<std::optional<aws::ecs::Task>> describe_task(std::string, std::string arn) override {
    ++describes;
    aws::ecs::Task t;
    t.task_arn = arn;
    t.containers.push_back({"arn:c", "app", "RUNNING", std::nullopt, "", "", {}});
    co_return t;
  }
  ChangeRead read_instance_changes(std::uint64_t after, std::size_t, const InstanceFn&) const override {
    return {after + 1 < oldest, after, oldest};
  }
  ChangeRead read_task_changes(std::uint64_t after, std::size_t, const TaskFn&) const override {
    return {after + 1 < oldest, after, oldest};
  }
  std::uint64_t last_change() const override { return last; }
  std::uint64_t subscribe(std::function<void()>) override { return 1; }
  void unsubscribe(std::uint64_t) override {}

 private:
  static policy::SnapshotTask view(const FakeTask& t) {
    policy::SnapshotTask v;
    v.arn = t.arn;
    v.started_by = t.started_by;
    v.last_status = t.status;
    v.desired_status = t.status;
    return v;
  }
};

class ClusterStateApiTest : public ::testing::Test {
 protected:
  Response call(const std::string& target) {
    Request r;
    auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = parse_query(target.substr(q + 1));
    auto fut = asio::co_spawn(io_, router_.dispatch(std::move(r)), asio::use_future);
    io_.restart();
    io_.run();
    return fut.get();
  }
  json::value body(const Response& r) { return json::parse(r.body); }

  void SetUp() override { api_.mount(router_); }

  asio::io_context io_;
  FakeSource source_;
  std::chrono::steady_clock::time_point now_{};
  ClusterStateOptions options_ = [] {
    ClusterStateOptions o;
    o.describe_cache_entries = 2;
    return o;
  }();
  ClusterStateApi api_{source_, options_, [this] { return now_; }};
  Router router_;
};

TEST_F(ClusterStateApiTest, ListsFilterByStatusAndStartedBy) {
  auto all = call("/v1/tasks");
  ASSERT_EQ(all.status, 200u);
  EXPECT_EQ(body(all).at("items").as_array().size(), 2u);
  auto running = body(call("/v1/tasks?status=RUNNING&cluster=prod"));
  ASSERT_EQ(running.at("items").as_array().size(), 1u);
  EXPECT_EQ(running.at("items").at(0).at("metadata").at("entityVersion"), json::value("3"));
  EXPECT_EQ(running.at("items").at(0).at("entity").at("clusterARN"), json::value("arn:aws:ecs:us-east-1:1:cluster/prod"));
  EXPECT_EQ(body(call("/v1/tasks?startedBy=you")).at("items").as_array().size(), 1u);
  EXPECT_EQ(body(call("/v1/tasks?cluster=arn:aws:ecs:us-east-1:1:cluster/prod")).at("items").as_array().size(), 2u);
}

TEST_F(ClusterStateApiTest, BadInputIsA400StringNamingTheField) {
  for (const auto& [target, field] : std::vector<std::pair<std::string, std::string>>{
           {"/v1/tasks?status=asleep", "status"},
           {"/v1/tasks?cluster=a%20b", "cluster"},
           {"/v1/tasks?colour=red", "colour"},
           {"/v1/instances?startedBy=x", "startedBy"},
           {"/v1/stream/tasks?entityVersion=-1", "entityVersion"},
           {"/v1/stream/instances?entityVersion=12x", "entityVersion"}}) {
    auto r = call(target);
    EXPECT_EQ(r.status, 400u) << target;
    ASSERT_TRUE(body(r).is_string()) << target << ": " << r.body;
    EXPECT_NE(r.body.find(field), std::string::npos) << target << ": " << r.body;
  }
  auto missing = call("/v1/tasks/prod/zzz");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(body(missing), json::value("Task not found"));
  EXPECT_EQ(call("/v1/instances/prod/zzz").status, 404u);
}

TEST_F(ClusterStateApiTest, AStreamFromAVersionNoLongerKeptIs400) {
  source_.oldest = 4;  // 1..3 were dropped: resuming after 2 would miss 3
  auto r = call("/v1/stream/tasks?entityVersion=2");
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("too old"), std::string::npos) << r.body;
  EXPECT_FALSE(r.stream);
}

TEST_F(ClusterStateApiTest, DescribeAnswersAreReusedWithinTheirTtlAndTheCacheIsBounded) {
  auto one = call("/v1/tasks/prod/aaa");
  ASSERT_EQ(one.status, 200u);
  EXPECT_EQ(body(one).at("entity").at("containers").as_array().size(), 1u);
  EXPECT_EQ(body(one).at("entity").at("taskARN"), json::value("arn:aws:ecs:us-east-1:1:task/prod/aaa"));
  call("/v1/tasks/prod/arn:aws:ecs:us-east-1:1:task/prod/aaa");  // same task by full ARN: cached
  EXPECT_EQ(source_.describes, 1);
  now_ += std::chrono::seconds(6);  // past the 5 s TTL
  call("/v1/tasks/prod/aaa");
  EXPECT_EQ(source_.describes, 2);
  source_.tasks.push_back({"arn:aws:ecs:us-east-1:1:task/prod/ccc", "me", policy::TaskStatus::running, 4});
  call("/v1/tasks/prod/bbb");
  call("/v1/tasks/prod/ccc");
  EXPECT_LE(api_.describe_cache_size(), 2u);
}

}  // namespace
}  // namespace berth::http::cluster_state
