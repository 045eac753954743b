// File: src/policy/constraint.hpp — memberOf-style placement constraints (a subset of the ECS cluster
// query language) and Blox attribute requirements, evaluated against snapshot instances.
//
// Grammar (keywords case-insensitive):
//   expr      := or
//   or        := and (("or" | "||") and)*
//   and       := unary (("and" | "&&") unary)*
//   unary     := ("not" | "!") unary | "(" expr ")" | predicate
//   predicate := subject ("==" | "!=" | "=~" | "!~") value
//              | subject ["not"] "in" "[" value ("," value)* "]"
//              | subject ("exists" | "!exists")
//   subject   := "attribute:" name | "ec2InstanceId" | "containerInstanceArn"
//   value     := bare word (letters, digits, . - _ : / * ?) | 'quoted' | "quoted"
// `=~` is a wildcard match like ECS (`*` any run, `?` one character, whole value), e.g. t2.*.
// A comparison on an attribute the instance lacks is false (and `!=` / `not in` are true),
// matching ECS, where `attribute:x != v` also selects instances without x.
#pragma once

#include "policy/cluster_snapshot.hpp"
#include "policy/desired_state.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace berth::policy {

struct ConstraintError {
  std::size_t position = 0;  // byte offset into the expression
  std::string message;
  std::string to_string() const { return "at " + std::to_string(position) + ": " + message; }
};

class Constraint {
 public:
  enum class Op : unsigned char { eq, ne, match, no_match, in, not_in, exists, not_exists, and_, or_, not_, always };
  enum class Subject : unsigned char { attribute, ec2_instance_id, container_instance_arn };
  struct Node {
    Op op = Op::always;
    Subject subject = Subject::attribute;
    std::string name;                 // attribute name
    std::vector<std::string> values;  // one for ==/!=/=~, several for in
    int lhs = -1, rhs = -1;           // children for and/or/not
  };

  // An empty expression accepts every instance.
  static Constraint always() { return Constraint{}; }
  bool matches(const SnapshotInstance& instance) const;
  bool empty() const { return nodes_.empty(); }

 private:
  friend class ConstraintParser;
  bool eval(int node, const SnapshotInstance& instance) const;
  std::vector<Node> nodes_;
  int root_ = -1;
};

// Parses an expression; whitespace-only or empty text gives Constraint::always().
struct ConstraintParse {
  Constraint constraint;
  std::optional<ConstraintError> error;
  explicit operator bool() const { return !error; }
};
ConstraintParse parse_constraint(std::string_view text);

// Wildcard match of a whole value: `*` any run (possibly empty), `?` exactly one character.
bool wildcard_match(std::string_view pattern, std::string_view value);

// Blox instanceGroup.attributes: every requirement holds (empty value: the attribute is present).
bool matches_requirements(std::span<const AttributeRequirement> requirements, const SnapshotInstance& instance);

}  // namespace berth::policy
