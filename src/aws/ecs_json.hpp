// File: src/aws/ecs_json.hpp — decode ECS shapes from JSON as both the ECS API (epoch-second timestamps)
// and EventBridge events (ISO-8601 timestamps) carry them. Unknown members are ignored; a member of the
// wrong type is an error naming the member.
#pragma once

#include "aws/ecs_types.hpp"

#include <boost/json/fwd.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace berth::aws::ecs {

// Why a decode failed; `message` names the offending member, e.g. "containers[0].exitCode: expected integer".
struct DecodeError {
  std::string message;
};
template <class T>
using DecodeResult = boost::system::result<T, DecodeError>;

DecodeResult<Task> decode_task(const boost::json::value& v);
DecodeResult<ContainerInstance> decode_container_instance(const boost::json::value& v);
DecodeResult<Failure> decode_failure(const boost::json::value& v);

// Accepts a JSON number (epoch seconds, fractional allowed) or an ISO-8601 / RFC 3339 string.
DecodeResult<Timestamp> decode_timestamp(const boost::json::value& v);
// Parses "2016-12-06T16:41:05.702Z" (also with +hh:mm offsets); nullopt-like error if malformed.
DecodeResult<Timestamp> parse_iso8601(std::string_view s);

std::string format_iso8601(Timestamp t);

}  // namespace berth::aws::ecs
