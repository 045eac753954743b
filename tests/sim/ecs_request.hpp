// File: tests/sim/ecs_request.hpp — pieces every ECS operation shares: maxResults, nextToken pages, reference lists, failures.
#pragma once
#include "api_error.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace berth::sim {

// A cluster's index of instances or tasks by id; ordered, so pages walk it in id order.
using IdIndex = std::map<std::string_view, std::uint32_t>;

// maxResults (1-100, default 100); else the InvalidParameterException is left in err.
std::optional<int> max_results(const boost::json::object& in, ApiOutcome& err);

// Where a page starts: just after the id named by nextToken "<prefix><id>", or at the beginning
// without a token. A token without the prefix is an InvalidParameterException (in err).
std::optional<IdIndex::const_iterator> page_start(const boost::json::object& in, std::string_view prefix,
                                                  const IdIndex& index, ApiOutcome& err);

// {"<key>": items} plus "nextToken" when another page follows (next not empty).
ApiOutcome page(const char* key, boost::json::array items, const std::string& next);

// The array member `key` (required by the model) when it holds at most `limit` references; else
// InvalidParameterException "<key> can have at most <limit> items." in err.
const boost::json::array* refs_at_most(const boost::json::object& in, const char* key, std::size_t limit,
                                       ApiOutcome& err);

// One entry of a reply's "failures": {"arn", "reason"} ("MISSING", "RESOURCE:CPU", ...).
boost::json::object failure(boost::json::value arn, std::string_view reason);

// {"<key>": done, "failures": failures}: the reply of every batch operation.
ApiOutcome with_failures(const char* key, boost::json::array done, boost::json::array failures);

// Describe*: for each reference in the array member `key` (at most 100), what `describe` returns
// for it, or a MISSING failure; in request order. describe: string_view -> optional<json::value>.
template <class Describe>
ApiOutcome describe_each(const boost::json::object& in, const char* key, Describe describe) {
  ApiOutcome err;
  const auto* refs = refs_at_most(in, key, 100, err);
  if (!refs) return err;
  boost::json::array found, failures;
  for (const auto& r : *refs) {
    if (std::optional<boost::json::value> v = describe(std::string_view(r.as_string())))
      found.push_back(std::move(*v));
    else
      failures.push_back(failure(r, "MISSING"));
  }
  return with_failures(key, std::move(found), std::move(failures));
}

}  // namespace berth::sim
