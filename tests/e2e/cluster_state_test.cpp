// File: tests/e2e/cluster_state_test.cpp — Blox's cluster-state-service front end to end (berth + berth-sim): lists
// with the swagger's query parameters from the model (0 ECS List/Describe calls), single GETs by full ARN (raw and
// percent-encoded) and bare id, bad input, and a task stream from entityVersion=N while tasks start, then resumed.
// Every JSON answer is validated against tests/testdata/blox/cluster-state-service-swagger.json.
#include "e2e_fixture.hpp"
#include "stream_reader.hpp"
#include "swagger_check.hpp"

#include <boost/json/parse.hpp>

namespace berth::e2e {
namespace {

namespace asio = boost::asio;
using berth::testing::SwaggerCheck;

std::filesystem::path swagger_file() {
  return std::filesystem::path(BERTH_TESTDATA_DIR) / "blox" / "cluster-state-service-swagger.json";
}

std::string str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

std::string version_of(const json::value& item) {
  return std::string(item.at("metadata").at("entityVersion").as_string());
}
std::uint64_t number_of(const json::value& item) { return std::stoull(version_of(item)); }

std::string percent_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

std::int64_t list_describe_calls(const std::map<std::string, std::int64_t>& counts) {
  std::int64_t n = 0;
  for (const auto& [op, count] : counts)
    if (op.starts_with("List") || op.starts_with("Describe")) n += count;
  return n;
}

class ClusterStateTest : public E2eTest {
 protected:
  // GET on berth, recorded for the swagger check under the swagger's path key.
  HttpResult get(const std::string& target, const std::string& swagger_path) {
    auto r = berth().request("GET", target);
    blox_.record_text("get", swagger_path, r.status, r.body, target);
    return r;
  }
  std::string start_task(const std::string& td, const std::string& instance, const std::string& started_by) {
    auto r = ecs_call(sim(), "StartTask",
                      json::object{{"cluster", "default"},
                                   {"taskDefinition", td},
                                   {"containerInstances", json::array{json::value(instance)}},
                                   {"startedBy", started_by}});
    if (r.status != 200) throw std::runtime_error("StartTask: " + r.body);
    return std::string(r.json().at("tasks").as_array().at(0).at("taskArn").as_string());
  }

  SwaggerCheck blox_{swagger_file()};
};

TEST_F(ClusterStateTest, ListsGetsAndStreamsAsBloxDid) {
  start_sim({"--instances", "3"});
  const auto td = register_task_definition(sim(), "web");
  const auto instances = sim_view(sim()).instance_arns();
  ASSERT_EQ(instances.size(), 3u);
  const std::vector<std::string> instance_list(instances.begin(), instances.end());
  start_berth();
  ASSERT_TRUE(wait_until([&] {
    auto r = berth().request("GET", "/v1/instances");
    return r.status == 200 && r.json().at("items").as_array().size() == 3;
  }, 60s));

  // Two tasks before the stream starts, one of them stopped later.
  const auto first = start_task(td, instance_list[0], "blox-user");
  const auto second = start_task(td, instance_list[1], "someone-else");
  ASSERT_TRUE(wait_until([&] {
    auto r = berth().request("GET", "/v1/tasks?status=running");
    return r.status == 200 && r.json().at("items").as_array().size() == 2;
  }, 60s));

  // Lists: served from the model, no ECS List/Describe call.
  const auto before = settled_ecs_call_counts();
  auto all_instances = get("/v1/instances", "/instances");
  auto active = get("/v1/instances?status=active&cluster=default", "/instances");
  auto by_arn = get("/v1/instances?cluster=arn:aws:ecs:us-east-1:000000000000:cluster/default", "/instances");
  auto tasks = get("/v1/tasks", "/tasks");
  auto mine = get("/v1/tasks?cluster=default&status=running&startedBy=blox-user", "/tasks");
  auto stopped = get("/v1/tasks?status=stopped", "/tasks");
  auto other_cluster = get("/v1/tasks?cluster=elsewhere", "/tasks");
  const auto after = ecs_call_counts(sim());
  EXPECT_EQ(list_describe_calls(after), list_describe_calls(before)) << "list routes called ECS";

  ASSERT_EQ(all_instances.status, 200u);
  EXPECT_EQ(all_instances.json().at("items").as_array().size(), 3u);
  EXPECT_EQ(active.json().at("items").as_array().size(), 3u);
  EXPECT_EQ(by_arn.status, 200u);
  const auto all_instances_json = all_instances.json();
  const auto& instance_entity = all_instances_json.at("items").as_array().at(0).at("entity");
  EXPECT_TRUE(instances.count(std::string(instance_entity.at("containerInstanceARN").as_string())));
  EXPECT_EQ(str(instance_entity.at("status")), "ACTIVE");
  EXPECT_EQ(tasks.json().at("items").as_array().size(), 2u);
  auto mine_items = mine.json().at("items").as_array();
  ASSERT_EQ(mine_items.size(), 1u);
  EXPECT_EQ(str(mine_items.at(0).at("entity").at("taskARN")), first);
  EXPECT_EQ(mine_items.at(0).at("entity").at("containers").as_array().size(), 0u);  // the model keeps none
  EXPECT_EQ(stopped.json().at("items").as_array().size(), 0u);
  EXPECT_EQ(other_cluster.json().at("items").as_array().size(), 0u);

  // One task by full ARN (raw, percent-encoded) and bare id: the same task, with ECS's details.
  const std::string bare = first.substr(first.rfind('/') + 1);
  for (const auto& target : {"/v1/tasks/default/" + first, "/v1/tasks/default/" + percent_encode(first),
                             "/v1/tasks/default/" + bare}) {
    auto r = get(target, "/tasks/{cluster}/{arn}");
    ASSERT_EQ(r.status, 200u) << target << ": " << r.body;
    const auto body = r.json();
    const auto& e = body.at("entity");
    EXPECT_EQ(str(e.at("taskARN")), first) << target;
    EXPECT_EQ(str(e.at("lastStatus")), "RUNNING") << target;
    EXPECT_GE(e.at("containers").as_array().size(), 1u) << target << ": Describe fills the containers";
    EXPECT_NE(str(e.at("createdAt")), "") << target;
    // ECS reports one containerOverrides entry per container, named even when nothing was overridden.
    const auto& per_container = e.at("overrides").at("containerOverrides").as_array();
    ASSERT_GE(per_container.size(), 1u) << target << ": Describe fills the overrides";
    EXPECT_NE(str(per_container.at(0).at("name")), "") << target;
  }
  const auto& instance_arn = instance_list[0];
  for (const auto& target : {"/v1/instances/default/" + instance_arn, "/v1/instances/default/" + percent_encode(instance_arn),
                             "/v1/instances/default/" + instance_arn.substr(instance_arn.rfind('/') + 1)}) {
    auto r = get(target, "/instances/{cluster}/{arn}");
    ASSERT_EQ(r.status, 200u) << target << ": " << r.body;
    const auto body = r.json();
    EXPECT_EQ(str(body.at("entity").at("containerInstanceARN")), instance_arn) << target;
    EXPECT_NE(str(body.at("entity").at("versionInfo").at("agentVersion")), "") << target << ": from Describe";
  }
  // The Describe answer is cached: asking again within seconds costs no ECS call.
  const auto describes = ecs_call_counts(sim())["DescribeTasks"];
  get("/v1/tasks/default/" + bare, "/tasks/{cluster}/{arn}");
  EXPECT_EQ(ecs_call_counts(sim())["DescribeTasks"], describes);

  // Bad input: a 4xx naming the field, as a JSON string (Blox's error bodies).
  auto missing = get("/v1/tasks/default/0000000000000000", "/tasks/{cluster}/{arn}");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(str(missing.json()), "Task not found");
  auto bad_status = get("/v1/tasks?status=sleeping", "/tasks");
  EXPECT_EQ(bad_status.status, 400u);
  EXPECT_NE(bad_status.body.find("status"), std::string::npos);
  auto bad_filter = get("/v1/instances?colour=red", "/instances");
  EXPECT_EQ(bad_filter.status, 400u);
  EXPECT_NE(bad_filter.body.find("colour"), std::string::npos);
  auto bad_cluster = get("/v1/tasks?cluster=no%20such", "/tasks");
  EXPECT_EQ(bad_cluster.status, 400u);
  EXPECT_NE(bad_cluster.body.find("cluster"), std::string::npos);
  auto bad_version = berth().request("GET", "/v1/stream/tasks?entityVersion=abc");
  EXPECT_EQ(bad_version.status, 400u);
  EXPECT_NE(bad_version.body.find("entityVersion"), std::string::npos);

  // Stream from entityVersion=N (the newest version the list showed) while tasks start.
  std::uint64_t n = 0;
  const auto listed = berth().request("GET", "/v1/tasks").json();
  for (const auto& item : listed.at("items").as_array())
    n = std::max(n, number_of(item));
  std::vector<json::value> seen;
  std::uint64_t resume_from = 0;
  {
    StreamReader stream(berth().port(), "/v1/stream/tasks?entityVersion=" + std::to_string(n));
    ASSERT_EQ(stream.status(), 200u) << stream.head();
    EXPECT_NE(stream.head().find("chunked"), std::string::npos) << stream.head();
    const auto third = start_task(td, instance_list[2], "blox-user");
    ecs_call(sim(), "StopTask", json::object{{"cluster", "default"}, {"task", second}});
    // Until the third is RUNNING and the second STOPPED.
    bool third_running = false, second_stopped = false;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!(third_running && second_stopped)) {
      auto item = stream.next(deadline);
      ASSERT_TRUE(item) << "stream ended or went quiet; seen " << seen.size();
      blox_.record("get", "/tasks/{cluster}/{arn}", 200, *item, "stream item");  // a stream item is a Task
      EXPECT_GT(number_of(*item), seen.empty() ? n : number_of(seen.back())) << "versions must increase";
      const auto& e = item->at("entity");
      third_running = third_running || (str(e.at("taskARN")) == third && str(e.at("lastStatus")) == "RUNNING");
      second_stopped = second_stopped || (str(e.at("taskARN")) == second && str(e.at("lastStatus")) == "STOPPED");
      seen.push_back(*item);
    }
    ASSERT_GE(seen.size(), 2u);
    resume_from = number_of(seen.front());
  }
  // Resume after the first item: every later item again, in order (nothing missed while disconnected).
  {
    StreamReader stream(berth().port(), "/v1/stream/tasks?entityVersion=" + std::to_string(resume_from));
    ASSERT_EQ(stream.status(), 200u);
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    for (std::size_t i = 1; i < seen.size(); ++i) {
      auto item = stream.next(deadline);
      ASSERT_TRUE(item) << "resumed stream missed item " << i;
      EXPECT_EQ(*item, seen[i]) << "item " << i;
    }
  }
  // The instances stream answers too (from now on: nothing yet, only heartbeats).
  {
    StreamReader stream(berth().port(), "/v1/stream/instances");
    EXPECT_EQ(stream.status(), 200u);
  }

  EXPECT_GT(blox_.recorded(), 20u);
  EXPECT_EQ(blox_.errors(), std::vector<std::string>{});
}

// The [api] stream settings reach the streams: a heartbeat after every quiet `stream_heartbeat`, at most
// `max_streams` at once (503 beyond), and a reload raises the cap without a restart.
TEST_F(ClusterStateTest, StreamSettingsComeFromTheConfigAndTheCapFollowsAReload) {
  start_sim({"--instances", "1"});
  BerthOptions options;
  options.extra_toml = "[api]\nmax_streams = 1\nstream_heartbeat = \"1s\"\n";
  start_berth(options);
  StreamReader first(berth().port(), "/v1/stream/tasks");
  ASSERT_EQ(first.status(), 200u) << first.head();
  // Quiet cluster: the next chunk is a heartbeat (the default 15 s would not come within 5 s).
  auto beat = first.next_chunk(std::chrono::steady_clock::now() + 5s);
  ASSERT_TRUE(beat) << "no heartbeat within 5 s";
  EXPECT_EQ(*beat, "\n");
  {
    StreamReader second(berth().port(), "/v1/stream/instances");
    EXPECT_EQ(second.status(), 503u) << second.head();
  }
  berth().reload("[api]\nmax_streams = 2\nstream_heartbeat = \"1s\"\n");
  EXPECT_TRUE(wait_until(
      [&] {
        StreamReader second(berth().port(), "/v1/stream/instances");
        return second.status() == 200u;
      },
      20s, 200ms))
      << "the reloaded cap was not applied";
}

}  // namespace
}  // namespace berth::e2e
