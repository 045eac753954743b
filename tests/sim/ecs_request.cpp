// File: tests/sim/ecs_request.cpp — pieces every ECS operation shares: maxResults, nextToken pages, reference lists, failures.
#include "ecs_request.hpp"

#include "json_fields.hpp"

namespace berth::sim {
namespace json = boost::json;

std::optional<int> max_results(const json::object& in, ApiOutcome& err) {
  const int max = int_or(in, "maxResults", 100);
  if (max < 1 || max > 100) {
    err = ApiOutcome::fail("InvalidParameterException", "maxResults must be between 1 and 100.");
    return std::nullopt;
  }
  return max;
}

std::optional<IdIndex::const_iterator> page_start(const json::object& in, std::string_view prefix,
                                                  const IdIndex& index, ApiOutcome& err) {
  const std::string token = str(in, "nextToken");
  if (token.empty()) return index.begin();
  if (token.rfind(prefix, 0) != 0) {
    err = ApiOutcome::fail("InvalidParameterException", "Invalid nextToken.");
    return std::nullopt;
  }
  return index.upper_bound(std::string_view(token).substr(prefix.size()));
}

ApiOutcome page(const char* key, json::array items, const std::string& next) {
  json::object out{{key, std::move(items)}};
  if (!next.empty()) out["nextToken"] = next;
  return ApiOutcome::ok(std::move(out));
}

const json::array* refs_at_most(const json::object& in, const char* key, std::size_t limit, ApiOutcome& err) {
  const auto& refs = in.at(key).as_array();
  if (refs.size() > limit) {
    err = ApiOutcome::fail("InvalidParameterException",
                           std::string(key) + " can have at most " + std::to_string(limit) + " items.");
    return nullptr;
  }
  return &refs;
}

json::object failure(json::value arn, std::string_view reason) {
  return json::object{{"arn", std::move(arn)}, {"reason", reason}};
}

ApiOutcome with_failures(const char* key, json::array done, json::array failures) {
  return ApiOutcome::ok(json::object{{key, std::move(done)}, {"failures", std::move(failures)}});
}

}  // namespace berth::sim
