// File: tests/sim/test/list_attributes_test.cpp — ECS ListAttributes over the wire: filters, paging, errors.
#include "test_util.hpp"

#include <map>
#include <set>
#include <utility>

namespace berth::sim::test {
namespace {

using Key = std::pair<std::string, std::string>;  // (targetId, name)

// Follows nextToken to the end; returns every attribute and the number of pages.
std::pair<std::vector<json::object>, int> list_all(const SimProcess& sim, json::object req) {
  std::vector<json::object> all;
  int pages = 0;
  for (;;) {
    auto r = sim.ecs("ListAttributes", req);
    EXPECT_EQ(r.status, 200u) << r.body;
    if (r.status != 200u) return {all, pages};
    auto body = r.json().as_object();
    ++pages;
    const auto& attrs = body.at("attributes").as_array();
    if (auto* max = req.if_contains("maxResults")) {
      EXPECT_LE(attrs.size(), static_cast<std::size_t>(max->as_int64()));
    }
    for (const auto& a : attrs) all.push_back(a.as_object());
    auto* next = body.if_contains("nextToken");
    if (!next) return {all, pages};
    req["nextToken"] = *next;
    if (pages > 1000) {
      ADD_FAILURE() << "paging does not end";
      return {all, pages};
    }
  }
}

std::string error_type(const HttpResult& r) { return std::string(r.json().at("__type").as_string()); }

TEST(ListAttributes, ReturnsBuiltInAndCustomAttributesOfContainerInstances) {
  SimProcess sim(fast_args({"--instances", "3", "--instance-type", "c5.xlarge"}));
  auto plain = instance_arns(sim);
  auto tagged = sim.post("/_sim/instances", json::object{{"count", 2},
                                                         {"attributes", json::object{{"stack", "blue"}, {"tier", "web"}}}});
  std::set<std::string> tagged_arns;
  for (const auto& a : tagged.at("container_instance_arns").as_array()) tagged_arns.emplace(a.as_string());
  ASSERT_EQ(tagged_arns.size(), 2u);

  // A name filter: only the two tagged instances carry "stack".
  auto [stack, pages] = list_all(sim, json::object{{"targetType", "container-instance"}, {"attributeName", "stack"}});
  EXPECT_EQ(pages, 1);
  ASSERT_EQ(stack.size(), 2u);
  std::set<std::string> ids;
  for (const auto& a : stack) {
    EXPECT_EQ(a.at("name"), "stack");
    EXPECT_EQ(a.at("value"), "blue");
    EXPECT_EQ(a.at("targetType"), "container-instance");
    ids.emplace(a.at("targetId").as_string());
  }
  EXPECT_EQ(ids, tagged_arns);

  // Built-ins the sim sets on every instance: availability zones rotate over a/b/c.
  auto [zones, zp] = list_all(sim, json::object{{"cluster", "default"},
                                                {"targetType", "container-instance"},
                                                {"attributeName", "ecs.availability-zone"}});
  ASSERT_EQ(zones.size(), 5u);
  std::set<std::string> zone_values;
  for (const auto& a : zones) zone_values.emplace(a.at("value").as_string());
  EXPECT_EQ(zone_values, (std::set<std::string>{"us-east-1a", "us-east-1b", "us-east-1c"}));

  // Name and value together.
  auto [c5, cp] = list_all(sim, json::object{{"targetType", "container-instance"},
                                             {"attributeName", "ecs.instance-type"},
                                             {"attributeValue", "c5.xlarge"}});
  EXPECT_EQ(c5.size(), 5u);
  auto [none, np] = list_all(sim, json::object{{"targetType", "container-instance"},
                                               {"attributeName", "ecs.instance-type"},
                                               {"attributeValue", "m5.large"}});
  EXPECT_TRUE(none.empty());
  auto [plain_stack, pp] = list_all(sim, json::object{{"targetType", "container-instance"},
                                                      {"attributeName", "tier"},
                                                      {"attributeValue", "web"}});
  EXPECT_EQ(plain_stack.size(), 2u);
  for (const auto& a : plain_stack) EXPECT_FALSE(std::count(plain.begin(), plain.end(), a.at("targetId").as_string()));
}

TEST(ListAttributes, PagesThroughEveryAttributeExactlyOnce) {
  SimProcess sim(fast_args({"--instances", "4"}));
  sim.post("/_sim/instances", json::object{{"count", 3}, {"attributes", json::object{{"stack", "blue"}, {"gpu", "no"}}}});
  // Unfiltered: each instance has 5 built-ins; 3 of them 2 custom ones: 7*5 + 3*2 = 41.
  auto [whole, one_page] = list_all(sim, json::object{{"targetType", "container-instance"}});
  EXPECT_EQ(whole.size(), 41u);
  EXPECT_EQ(one_page, 1);  // default page size is 100

  for (int max : {1, 4, 5, 7, 40, 41}) {
    auto [paged, pages] = list_all(sim, json::object{{"targetType", "container-instance"}, {"maxResults", max}});
    EXPECT_EQ(paged.size(), 41u) << "maxResults " << max;
    EXPECT_EQ(pages, (41 + max - 1) / max) << "maxResults " << max;
    std::map<Key, std::string> seen;
    for (const auto& a : paged) {
      Key k{std::string(a.at("targetId").as_string()), std::string(a.at("name").as_string())};
      EXPECT_TRUE(seen.emplace(k, a.contains("value") ? std::string(a.at("value").as_string()) : "").second)
          << "duplicate " << k.first << " " << k.second;
    }
    // Same data as the single page, in the same order.
    for (std::size_t i = 0; i < paged.size() && i < whole.size(); ++i) EXPECT_EQ(paged[i], whole[i]);
  }

  // Filtered paging: the token skips non-matching attributes correctly.
  auto [stack, pages] = list_all(sim, json::object{{"targetType", "container-instance"},
                                                   {"attributeName", "stack"},
                                                   {"maxResults", 2}});
  EXPECT_EQ(stack.size(), 3u);
  EXPECT_EQ(pages, 2);
}

TEST(ListAttributes, FollowsPutAttributesAndDeregistration) {
  SimProcess sim(fast_args({"--instances", "2"}));
  auto cis = instance_arns(sim);
  ASSERT_EQ(cis.size(), 2u);
  auto r = sim.ecs("PutAttributes", json::object{{"attributes", json::array{
                                                      json::object{{"name", "flag"}, {"targetId", cis[0]}},
                                                      json::object{{"name", "stack"}, {"value", "green"}, {"targetId", cis[1]}}}}});
  ASSERT_EQ(r.status, 200u) << r.body;
  auto [flag, fp] = list_all(sim, json::object{{"targetType", "container-instance"}, {"attributeName", "flag"}});
  ASSERT_EQ(flag.size(), 1u);
  EXPECT_FALSE(flag[0].contains("value"));  // set without a value: none reported
  EXPECT_EQ(flag[0].at("targetId").as_string(), cis[0]);

  // Overwrite in place.
  sim.ecs("PutAttributes", json::object{{"attributes", json::array{json::object{
                                            {"name", "stack"}, {"value", "red"}, {"targetId", cis[1]}}}}});
  auto [stack, sp] = list_all(sim, json::object{{"targetType", "container-instance"}, {"attributeName", "stack"}});
  ASSERT_EQ(stack.size(), 1u);
  EXPECT_EQ(stack[0].at("value"), "red");

  // A deregistered (INACTIVE) instance no longer lists attributes.
  r = sim.ecs("DeregisterContainerInstance", json::object{{"containerInstance", cis[1]}});
  ASSERT_EQ(r.status, 200u) << r.body;
  auto [after, ap] = list_all(sim, json::object{{"targetType", "container-instance"}, {"attributeName", "stack"}});
  EXPECT_TRUE(after.empty());
  auto [zones, zp] = list_all(sim, json::object{{"targetType", "container-instance"},
                                                {"attributeName", "ecs.availability-zone"}});
  ASSERT_EQ(zones.size(), 1u);
  EXPECT_EQ(zones[0].at("targetId").as_string(), cis[0]);
}

TEST(ListAttributes, RejectsBadRequestsLikeEcs) {
  SimProcess sim(fast_args({"--instances", "1"}));
  auto r = sim.ecs("ListAttributes", json::object{});
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(error_type(r), "InvalidParameterException");  // targetType is required
  r = sim.ecs("ListAttributes", json::object{{"targetType", "task"}});
  EXPECT_EQ(error_type(r), "InvalidParameterException");  // enum
  r = sim.ecs("ListAttributes", json::object{{"targetType", "container-instance"}, {"attributeValue", "x"}});
  EXPECT_EQ(error_type(r), "InvalidParameterException");  // value needs a name
  r = sim.ecs("ListAttributes", json::object{{"targetType", "container-instance"}, {"maxResults", 101}});
  EXPECT_EQ(error_type(r), "InvalidParameterException");
  r = sim.ecs("ListAttributes", json::object{{"targetType", "container-instance"}, {"maxResults", 0}});
  EXPECT_EQ(error_type(r), "InvalidParameterException");
  r = sim.ecs("ListAttributes", json::object{{"targetType", "container-instance"}, {"nextToken", "garbage"}});
  EXPECT_EQ(error_type(r), "InvalidParameterException");
  r = sim.ecs("ListAttributes", json::object{{"targetType", "container-instance"}, {"cluster", "nope"}});
  EXPECT_EQ(error_type(r), "ClusterNotFoundException");
  r = sim.ecs("ListAttributes", json::object{{"targetType", "container-instance"}, {"maxResults", "5"}});
  EXPECT_EQ(error_type(r), "SerializationException");
  EXPECT_EQ(sim.stats().at("api_calls").at("ListAttributes").as_int64(), 8);
}

}  // namespace
}  // namespace berth::sim::test
