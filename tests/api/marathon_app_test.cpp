// File: tests/api/marathon_app_test.cpp — table tests of the Marathon app <-> berth service mapping
// (src/http/marathon/marathon_app.hpp): ids and names, cmd, constraints, upgradeStrategy, what is refused with a
// 422 naming the field, warnings, and that the stored app answers back what was sent. Inputs are Marathon's own
// examples (tests/testdata/marathon, copied from mesosphere/marathon's docs).
#include "http/marathon/marathon_app.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace berth::http::marathon {
namespace {
namespace json = boost::json;

json::value testdata(const std::string& name) {
  std::ifstream in(std::string(BERTH_TESTDATA_DIR) + "/marathon/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

const std::vector<std::string> one_cluster{"prod"};

MappedApp accepted(const json::object& app, const TaskDefinitionSize& size = {}) {
  auto r = app_to_service(app, std::nullopt, one_cluster, size);
  if (auto* e = std::get_if<MarathonError>(&r)) {
    ADD_FAILURE() << json::serialize(error_body(*e));
    return {};
  }
  return std::get<MappedApp>(r);
}

MarathonError refused(const json::object& app, const std::vector<std::string>& clusters = one_cluster) {
  auto r = app_to_service(app, std::nullopt, clusters, {});
  if (auto* e = std::get_if<MarathonError>(&r)) return *e;
  ADD_FAILURE() << "accepted: " << json::serialize(app);
  return {};
}

std::vector<std::string> paths(const MarathonError& e) {
  std::vector<std::string> out;
  for (const auto& d : e.details) out.push_back(d.path);
  return out;
}

json::array one(const char* element_json) {
  json::array a;
  a.push_back(json::parse(element_json));
  return a;
}

json::object app_with(std::string_view extra_key, json::value extra) {
  json::object app{{"id", "/web"}, {"cmd", "web:3"}, {"instances", 2}};
  app[extra_key] = std::move(extra);
  return app;
}

TEST(MarathonIds, CanonicalIdsAndTheirServiceNames) {
  struct Case {
    std::string_view id;
    std::optional<std::string> canonical;
    std::optional<std::string> name;
  };
  const std::string long_segment(70, 'a');
  for (const Case& c : {Case{"basic-0", "/basic-0", "basic-0"}, Case{"/prod/web", "/prod/web", "prod_web"},
                        Case{"/prod/web/", "/prod/web", "prod_web"}, Case{"prod//web", "/prod/web", "prod_web"},
                        Case{"/a.b/c-d", "/a.b/c-d", "a.b_c-d"}, Case{"/Web", std::nullopt, std::nullopt},
                        Case{"/a_b", std::nullopt, std::nullopt}, Case{"/-a", std::nullopt, std::nullopt},
                        Case{"/a-", std::nullopt, std::nullopt}, Case{"", std::nullopt, std::nullopt},
                        Case{"/", std::nullopt, std::nullopt}, Case{"/..", std::nullopt, std::nullopt}}) {
    SCOPED_TRACE(c.id);
    auto canonical = canonical_app_id(c.id);
    EXPECT_EQ(canonical, c.canonical);
    if (canonical) {
      EXPECT_EQ(service_name_for(*canonical), c.name);
    }
  }
  EXPECT_EQ(service_name_for("/" + long_segment), std::nullopt);
  // Marathon's segments never hold '_': "/a-b" and "/a/b" (or "/a_b", refused) never meet on one name.
  EXPECT_NE(service_name_for("/a-b"), service_name_for("/a/b"));
  EXPECT_NE(service_name_for("/a.b"), service_name_for("/a/b"));
}

TEST(MarathonApp, DockerExampleWithATaskDefinitionBecomesAService) {
  const auto app = testdata("basic-3-docker-ecs.json").as_object();
  const auto mapped = accepted(app, TaskDefinitionSize{512, 32});
  EXPECT_EQ(mapped.app_id, "/basic-3");
  EXPECT_EQ(mapped.spec.name, "basic-3");
  EXPECT_EQ(mapped.spec.cluster, "prod");
  EXPECT_EQ(mapped.spec.task_definition, "web:1");
  EXPECT_EQ(mapped.spec.desired_count, 1);  // Marathon's default
  EXPECT_TRUE(mapped.spec.placement_constraints.empty());
  EXPECT_EQ(mapped.spec.deployment.minimum_healthy_percent, 100);  // Marathon's default upgradeStrategy 1 / 1
  EXPECT_EQ(mapped.spec.deployment.maximum_percent, 200);
  EXPECT_TRUE(mapped.warnings.empty());  // 0.5 x 1024 = 512 units, 32 MiB: as the task definition
  // What GET answers is what was sent, with the id made absolute and the default count.
  auto back = stored_app(mapped.spec);
  ASSERT_TRUE(back);
  json::object expected = app;
  expected["id"] = "/basic-3";
  expected["instances"] = 1;
  EXPECT_EQ(*back, expected);
}

TEST(MarathonApp, CpusAndMemThatDifferFromTheTaskDefinitionAreWarnings) {
  // The driver's users sent cpus 0.1 for a 100-unit task definition: 102.4 units, accepted with a warning.
  json::object app{{"id", "/web"}, {"cmd", "web:3"}, {"cpus", 0.1}, {"mem", 64}};
  const auto mapped = accepted(app, TaskDefinitionSize{100, 128});
  ASSERT_EQ(mapped.warnings.size(), 2u);
  EXPECT_NE(mapped.warnings[0].find("cpus 0.1"), std::string::npos) << mapped.warnings[0];
  EXPECT_NE(mapped.warnings[0].find("100 units"), std::string::npos) << mapped.warnings[0];
  EXPECT_NE(mapped.warnings[1].find("mem 64"), std::string::npos) << mapped.warnings[1];
  EXPECT_TRUE(accepted(app, TaskDefinitionSize{}).warnings.empty());  // the task definition is not known
}

TEST(MarathonApp, ConstraintsMapOntoPlacement) {
  using policy::PlacementConstraintType;
  using policy::PlacementStrategyType;
  struct Case {
    const char* constraint;  // JSON
    std::vector<policy::PlacementConstraint> constraints;
    std::vector<policy::PlacementStrategy> strategy;
  };
  for (const Case& c : {
           Case{R"(["hostname","UNIQUE"])", {{PlacementConstraintType::distinct_instance, ""}}, {}},
           Case{R"(["hostname","MAX_PER","1"])", {{PlacementConstraintType::distinct_instance, ""}}, {}},
           Case{R"(["rack_id","GROUP_BY"])", {}, {{PlacementStrategyType::spread, "attribute:rack_id"}}},
           Case{R"(["rack_id","GROUP_BY","3"])", {}, {{PlacementStrategyType::spread, "attribute:rack_id"}}},
           Case{R"(["hostname","GROUP_BY"])", {}, {{PlacementStrategyType::spread, "instanceId"}}},
           Case{R"(["stack","CLUSTER","web"])", {{PlacementConstraintType::member_of, "attribute:stack == web"}}, {}},
           Case{R"(["hostname","CLUSTER","i-0abc"])", {{PlacementConstraintType::member_of, "ec2InstanceId == i-0abc"}},
                {}},
           Case{R"(["ecs.instance-type","IS","t3 large"])",
                {{PlacementConstraintType::member_of, "attribute:ecs.instance-type == 't3 large'"}}, {}},
           Case{R"(["hostname","LIKE","srv2.*"])", {{PlacementConstraintType::member_of, "ec2InstanceId =~ srv2*"}}, {}},
           Case{R"(["ecs.instance-type","UNLIKE","t2\\..*"])",
                {{PlacementConstraintType::member_of, "attribute:ecs.instance-type !~ t2.*"}}, {}},
       }) {
    SCOPED_TRACE(c.constraint);
    auto app = app_with("constraints", one(c.constraint));
    const auto mapped = accepted(app);
    EXPECT_EQ(mapped.spec.placement_constraints, c.constraints);
    EXPECT_EQ(mapped.spec.placement_strategy, c.strategy);
  }
}

TEST(MarathonApp, ConstraintsBerthCannotHonourAre422sNamingTheConstraint) {
  for (const char* constraint : {R"(["rack_id","UNIQUE"])", R"(["rack_id","MAX_PER","2"])",
                                 R"(["hostname","MAX_PER","2"])", R"(["rack_id","CLUSTER"])",
                                 R"j(["hostname","LIKE","srv(1|2)"])j", R"(["hostname","LIKE"])",
                                 R"(["hostname","SOMETIMES","x"])", R"(["hostname"])", R"(["hostname",1])"}) {
    SCOPED_TRACE(constraint);
    auto app = app_with("constraints", one(constraint));
    const auto e = refused(app);
    EXPECT_EQ(e.status, 422);
    EXPECT_EQ(e.message, "Object is not valid");
    EXPECT_EQ(paths(e), std::vector<std::string>{"/constraints/0"});
  }
}

TEST(MarathonApp, UpgradeStrategyMapsOntoTheDeploymentBounds) {
  struct Case {
    double mhc, moc;
    int min_percent, max_percent;
  };
  for (const Case& c : {Case{1, 1, 100, 200}, Case{0.5, 0.2, 50, 120}, Case{0, 1, 0, 200}, Case{0.75, 0.0, 75, 100},
                        Case{0.333, 0.25, 34, 125}}) {
    SCOPED_TRACE(std::to_string(c.mhc) + "/" + std::to_string(c.moc));
    auto app = app_with("upgradeStrategy", json::object{{"minimumHealthCapacity", c.mhc}, {"maximumOverCapacity", c.moc}});
    const auto mapped = accepted(app);
    EXPECT_EQ(mapped.spec.deployment.minimum_healthy_percent, c.min_percent);
    EXPECT_EQ(mapped.spec.deployment.maximum_percent, c.max_percent);
  }
  // Marathon's own 422 example, as its REST reference prints it.
  auto e = refused(app_with("upgradeStrategy", json::object{{"minimumHealthCapacity", 1.5}}));
  EXPECT_EQ(json::value(error_body(e)), testdata("errors.json").at("object_not_valid"));
  // All healthy and no room over capacity: Marathon accepts it, berth's rollout could never move.
  e = refused(app_with("upgradeStrategy", json::object{{"minimumHealthCapacity", 1}, {"maximumOverCapacity", 0}}));
  EXPECT_EQ(paths(e), std::vector<std::string>{"/upgradeStrategy"});
}

TEST(MarathonApp, MarathonsFullExampleIsRefusedNamingEveryFieldBerthCannotHonour) {
  const auto e = refused(testdata("app.json").as_object());
  EXPECT_EQ(e.status, 422);
  auto got = paths(e);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"/args", "/cmd", "/dependencies", "/env", "/fetch", "/healthChecks",
                                           "/ipAddress", "/readinessChecks", "/user"}));
}

TEST(MarathonApp, AShellCommandIsNotATaskDefinition) {
  const auto e = refused(testdata("basic-0.json").as_object());
  EXPECT_EQ(paths(e), std::vector<std::string>{"/cmd"});
  const auto docker = refused(testdata("basic-3-docker.json").as_object());
  EXPECT_EQ(paths(docker), std::vector<std::string>{"/cmd"});
}

TEST(MarathonApp, FieldsAreCheckedAndNamed) {
  struct Case {
    json::object app;
    std::string path;
  };
  for (const auto& c : std::vector<Case>{
           {json::object{{"cmd", "web:3"}}, "/id"},
           {json::object{{"id", "/Web"}, {"cmd", "web:3"}}, "/id"},
           {json::object{{"id", "/" + std::string(70, 'a')}, {"cmd", "web:3"}}, "/id"},
           {json::object{{"id", "/web"}}, "/cmd"},
           {json::object{{"id", "/web"}, {"cmd", 3}}, "/cmd"},
           {app_with("instances", -1), "/instances"},
           {app_with("instances", 1.5), "/instances"},
           {app_with("cpus", "lots"), "/cpus"},
           {app_with("backoffFactor", 0.5), "/backoffFactor"},
           {app_with("labels", json::object{{"a", 1}}), "/labels/a"},
           {app_with("container", json::object{{"portMappings", json::array{json::object{{"containerPort", "80"}}}}}),
            "/container/portMappings/0"},
           {app_with("instancez", 3), "/instancez"},
           {app_with("executor", "//cmd"), "/executor"},
           {app_with("gpus", 1), "/gpus"},
       }) {
    SCOPED_TRACE(json::serialize(c.app));
    const auto e = refused(c.app);
    EXPECT_EQ(paths(e), std::vector<std::string>{c.path});
  }
  // Empty forms of refused fields, informational fields and GET's read-only fields are accepted.
  json::object app{{"id", "/web"},          {"cmd", "web:3"},        {"env", json::object{}},
                   {"args", nullptr},       {"healthChecks", json::array{}}, {"gpus", 0},
                   {"version", "2015-09-29T15:59:51.164Z"}, {"tasksRunning", 2}, {"backoffSeconds", 1},
                   {"backoffFactor", 1.15}, {"maxLaunchDelaySeconds", 3600}, {"labels", json::object{{"owner", "zeus"}}}};
  const auto mapped = accepted(app);
  auto back = stored_app(mapped.spec);
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->contains("version"));
  EXPECT_FALSE(back->contains("tasksRunning"));
  EXPECT_EQ(back->at("backoffFactor"), json::value(1.15));
  EXPECT_EQ(back->at("labels"), (json::object{{"owner", "zeus"}}));
}

TEST(MarathonApp, TheClusterIsTheOnlyOneOrTheLabelsChoice) {
  json::object app{{"id", "/web"}, {"cmd", "web:3"}};
  EXPECT_EQ(paths(refused(app, {"a", "b"})), std::vector<std::string>{"/labels/berth.cluster"});
  EXPECT_EQ(paths(refused(app, {})), std::vector<std::string>{"/labels/berth.cluster"});
  app["labels"] = json::object{{"berth.cluster", "b"}};
  auto r = app_to_service(app, std::nullopt, {"a", "b"}, {});
  ASSERT_TRUE(std::holds_alternative<MappedApp>(r));
  EXPECT_EQ(std::get<MappedApp>(r).spec.cluster, "b");
  app["labels"] = json::object{{"berth.cluster", "c"}};
  EXPECT_EQ(paths(refused(app, {"a", "b"})), std::vector<std::string>{"/labels/berth.cluster"});
}

TEST(MarathonApp, APutsIdMustEqualThePath) {
  json::object app{{"id", "/other"}, {"cmd", "web:3"}};
  auto r = app_to_service(app, std::string("/web"), one_cluster, {});
  ASSERT_TRUE(std::holds_alternative<MarathonError>(r));
  EXPECT_EQ(paths(std::get<MarathonError>(r)), std::vector<std::string>{"/id"});
  app.erase("id");
  r = app_to_service(app, std::string("/web"), one_cluster, {});
  ASSERT_TRUE(std::holds_alternative<MappedApp>(r));
  EXPECT_EQ(std::get<MappedApp>(r).spec.name, "web");
}

TEST(MarathonTasks, StatesAndIds) {
  EXPECT_EQ(task_state("RUNNING"), "TASK_RUNNING");
  EXPECT_EQ(task_state("PENDING"), "TASK_STAGING");
  EXPECT_EQ(task_state("PROVISIONING"), "TASK_STAGING");
  EXPECT_EQ(task_state("STOPPING"), "TASK_KILLING");
  EXPECT_EQ(task_state("STOPPED"), "TASK_KILLED");
  EXPECT_EQ(task_id_of("arn:aws:ecs:us-east-1:1:task/prod/0123abcd"), "0123abcd");
}

}  // namespace
}  // namespace berth::http::marathon
