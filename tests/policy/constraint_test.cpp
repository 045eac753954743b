// File: tests/policy/constraint_test.cpp — parser and evaluator tables for placement constraints.
#include "policy/constraint.hpp"

#include <gtest/gtest.h>

namespace berth::policy {
namespace {

struct Fixture {
  std::vector<AttributeView> attrs{
      {"ecs.availability-zone", "us-east-1a", true},
      {"ecs.instance-type", "t2.micro", true},
      {"stack", "prod", true},
      {"com.amazonaws.ecs.capability.ecr-auth", "", false},
  };
  SnapshotInstance instance() const {
    SnapshotInstance i;
    i.arn = "arn:aws:ecs:us-east-1:1:container-instance/c/abc";
    i.ec2_instance_id = "i-0123";
    i.status = InstanceStatus::active;
    i.agent_connected = true;
    i.attributes = attrs;
    return i;
  }
};

struct Case {
  const char* expr;
  bool expected;
};

TEST(Constraint, EvaluatesTable) {
  Fixture f;
  auto inst = f.instance();
  const Case cases[] = {
      {"", true},
      {"   ", true},
      {"attribute:stack == prod", true},
      {"attribute:stack == dev", false},
      {"attribute:stack != dev", true},
      {"attribute:missing != dev", true},
      {"attribute:missing == dev", false},
      {"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", true},
      {"attribute:ecs.availability-zone in [us-east-1c]", false},
      {"attribute:ecs.availability-zone not in [us-east-1c]", true},
      {"attribute:ecs.instance-type =~ t2.*", true},
      {"attribute:ecs.instance-type =~ m5.*", false},
      {"attribute:ecs.instance-type =~ t?.micro", true},
      {"attribute:ecs.instance-type !~ m5.*", true},
      {"ec2InstanceId == i-0123", true},
      {"ec2InstanceId in ['i-9', \"i-0123\"]", true},
      {"attribute:stack exists", true},
      {"attribute:nope exists", false},
      {"attribute:nope !exists", true},
      {"attribute:com.amazonaws.ecs.capability.ecr-auth exists", true},
      {"attribute:stack == prod and attribute:ecs.instance-type =~ t2.*", true},
      {"attribute:stack == dev or attribute:ecs.instance-type =~ t2.*", true},
      {"attribute:stack == dev || (ec2InstanceId == i-0123 && attribute:stack == prod)", true},
      {"not attribute:stack == prod", false},
      {"!(attribute:stack == prod)", false},
      {"ATTRIBUTE:stack == prod AND attribute:stack != dev", true},
      // and binds tighter than or
      {"attribute:stack == prod or attribute:stack == dev and attribute:nope exists", true},
      {"(attribute:stack == prod or attribute:stack == dev) and attribute:nope exists", false},
  };
  for (const auto& c : cases) {
    auto p = parse_constraint(c.expr);
    ASSERT_TRUE(p) << c.expr << " -> " << p.error->to_string();
    EXPECT_EQ(p.constraint.matches(inst), c.expected) << c.expr;
  }
}

struct ErrorCase {
  const char* expr;
  std::size_t position;
  const char* fragment;
};

TEST(Constraint, ReportsErrorsWithPosition) {
  const ErrorCase cases[] = {
      {"attribute:stack", 15, "expected an operator"},
      {"attribute:stack ==", 18, "expected a value"},
      {"task:group == x", 0, "unknown subject"},
      {"attribute:az in us-east-1a", 16, "expected '['"},
      {"attribute:az in [a, b", 21, "expected ',' or ']'"},
      {"(attribute:a == b", 0, "expected ')'"},
      {"attribute:a == b and", 20, "expected a subject"},
      {"attribute:a == 'open", 15, "unterminated"},
      {"attribute:a == b c", 17, "unexpected 'c'"},
      {"attribute:a == b $", 17, "unexpected character"},
      {"attribute:a not == b", 16, "expected 'in'"},
  };
  for (const auto& c : cases) {
    auto p = parse_constraint(c.expr);
    ASSERT_FALSE(p) << c.expr;
    EXPECT_EQ(p.error->position, c.position) << c.expr << " -> " << p.error->message;
    EXPECT_NE(p.error->message.find(c.fragment), std::string::npos) << c.expr << " -> " << p.error->message;
  }
}

TEST(Constraint, WildcardMatch) {
  EXPECT_TRUE(wildcard_match("*", ""));
  EXPECT_TRUE(wildcard_match("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(wildcard_match("a*b*c", "aXXbYY"));
  EXPECT_TRUE(wildcard_match("t2.*", "t2.micro"));
  EXPECT_FALSE(wildcard_match("t2.*", "t3.micro"));
  EXPECT_FALSE(wildcard_match("t2", "t2.micro"));  // whole value, not substring
  EXPECT_TRUE(wildcard_match("**a", "a"));
}

TEST(Constraint, BloxAttributeRequirements) {
  Fixture f;
  auto inst = f.instance();
  std::vector<AttributeRequirement> reqs{{"stack", "prod"}, {"com.amazonaws.ecs.capability.ecr-auth", ""}};
  EXPECT_TRUE(matches_requirements(reqs, inst));
  reqs.push_back({"stack2", ""});
  EXPECT_FALSE(matches_requirements(reqs, inst));
  std::vector<AttributeRequirement> wrong{{"stack", "dev"}};
  EXPECT_FALSE(matches_requirements(wrong, inst));
  EXPECT_TRUE(matches_requirements({}, inst));
}

}  // namespace
}  // namespace berth::policy
