// File: tests/sim/service_model.hpp — AWS service model (botocore JSON) loaded at start; generic input validation.
#pragma once
#include <boost/json/value.hpp>

#include <optional>
#include <string>

namespace berth::sim {

// Why a request failed validation; each service maps the kind onto its own error type.
struct Violation {
  enum class Kind { missing_member, unknown_member, wrong_type, limit, bad_enum };
  Kind kind;
  std::string message;  // AWS-style "1 validation error detected: ..."
};

// One service model ("ecs-2014-11-13.json", "sqs-2012-11-05.json"). Validation walks the
// operation's input shape generically: required members, unknown members, JSON types,
// min/max (list length, string length, numeric range) and string enums.
class ServiceModel {
public:
  // Throws std::runtime_error when the file is missing or malformed (startup fails fast).
  static ServiceModel load(const std::string& path);

  bool has_operation(const std::string& op) const;
  std::optional<Violation> validate_input(const std::string& op, const boost::json::value& input) const;
  const std::string& target_prefix() const { return target_prefix_; }

private:
  std::optional<Violation> check(const boost::json::object& shape, const boost::json::value& v,
                                 const std::string& path, int depth) const;
  const boost::json::object* shape(const boost::json::value& ref) const;

  boost::json::value model_;
  std::string target_prefix_;
};

}  // namespace berth::sim
