// File: tests/sim/test/decode_compat_test.cpp — berth's own ECS decoders accept what the sim sends (API and events).
#include "aws/ecs_json.hpp"
#include "test_util.hpp"

namespace berth::sim::test {
namespace {

TEST(SimCompat, BerthDecodesSimTasksAndInstances) {
  SimProcess sim(fast_args({"--instances", "1"}));
  register_taskdef(sim, "web", 10, 10, 8080);
  auto arn = std::string(sim.ecs("RunTask", json::object{{"taskDefinition", "web"}}).json().at("tasks").at(0).at("taskArn").as_string());
  ASSERT_TRUE(eventually([&] { return describe_task(sim, arn).at("lastStatus") == "RUNNING"; }));
  auto task = aws::ecs::decode_task(describe_task(sim, arn));
  ASSERT_TRUE(task.has_value()) << task.error().message;
  auto ci = sim.ecs("DescribeContainerInstances", json::object{{"containerInstances", json::array{json::value(instance_arns(sim)[0])}}})
                .json().at("containerInstances").at(0);
  auto inst = aws::ecs::decode_container_instance(ci);
  ASSERT_TRUE(inst.has_value()) << inst.error().message;
  for (const auto& e : drain_events(sim)) {
    const auto& detail = e.at("detail");
    if (e.at("detail-type") == "ECS Task State Change") {
      auto t = aws::ecs::decode_task(detail);
      EXPECT_TRUE(t.has_value()) << t.error().message;
    } else {
      auto i = aws::ecs::decode_container_instance(detail);
      EXPECT_TRUE(i.has_value()) << i.error().message;
    }
  }
}

}  // namespace
}  // namespace berth::sim::test
