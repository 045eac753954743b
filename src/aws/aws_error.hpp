// File: src/aws/aws_error.hpp — AWS errors as values: parsing JSON-protocol error bodies and classifying them for retries.
#pragma once

#include "aws/http_transport.hpp"

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace berth::aws {

// How the retry layer treats an error.
enum class ErrorClass {
  throttling,  // slow down: ThrottlingException, RequestLimitExceeded, 429, ...
  transient,   // try again: 5xx, timeouts, connection reset/refused
  clock_skew,  // re-sign with a corrected clock: RequestTimeTooSkewed, RequestExpired, ...
  permanent,   // the request itself is wrong (4xx client errors, access denied, not found)
};
[[nodiscard]] std::string_view to_string(ErrorClass c);

struct AwsError {
  std::string type;     // short error code, e.g. "ThrottlingException" (namespace/URL suffix removed); "" for transport errors
  std::string message;  // never contains secrets
  unsigned http_status = 0;  // 0 when no HTTP response arrived
  ErrorClass error_class = ErrorClass::permanent;
  boost::system::error_code transport;  // set when no response arrived (connect, TLS, timeout, reset)
  std::string query_error_code;  // from x-amzn-query-error (SQS awsQueryCompatible), e.g. "AWS.SimpleQueueService.NonExistentQueue"
  std::string request_id;        // x-amzn-RequestId

  [[nodiscard]] bool retryable() const { return error_class != ErrorClass::permanent; }
  [[nodiscard]] bool is(std::string_view t) const { return type == t; }
  // "ThrottlingException (HTTP 400): Rate exceeded"
  [[nodiscard]] std::string describe() const;
};

template <class T>
using AwsResult = boost::system::result<T, AwsError>;

// Strips "com.amazonaws.ecs#" prefixes and ":http://..." suffixes from a __type value.
[[nodiscard]] std::string normalize_error_type(std::string_view raw);
[[nodiscard]] ErrorClass classify_error(std::string_view type, unsigned http_status);
[[nodiscard]] bool is_throttling_type(std::string_view type);
// Builds the error for a non-2xx response (JSON body with __type/message, or an unparsable one).
[[nodiscard]] AwsError parse_error_response(const HttpResponse& response);
// Builds the error for a failed exchange (no response). All of these are transient.
[[nodiscard]] AwsError transport_error(const boost::system::error_code& ec);
// Builds a permanent client-side error (e.g. invalid arguments, undecodable response).
[[nodiscard]] AwsError client_error(std::string type, std::string message);

}  // namespace berth::aws
