// File: tests/sim/api_error.hpp — the outcome of one simulated AWS operation: a JSON body or an AWS error.
#pragma once
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>

namespace berth::sim {

struct ApiError {
  std::string type;     // e.g. "ClusterNotFoundException", "InvalidParameterException"
  std::string message;
  int status = 400;     // 500 for ServerException
  boost::json::object fields = {};  // extra members of the error body (ConflictException's resourceIds)
};

struct ApiOutcome {
  boost::json::value body;
  std::optional<ApiError> error;

  static ApiOutcome ok(boost::json::value v) { return ApiOutcome{std::move(v), std::nullopt}; }
  static ApiOutcome fail(std::string type, std::string message, int status = 400) {
    return ApiOutcome{nullptr, ApiError{std::move(type), std::move(message), status}};
  }
};

}  // namespace berth::sim
