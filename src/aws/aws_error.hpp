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
  // The request may have executed although no success came back: it reached (or may have reached)
  // the server and then the exchange failed (read timeout, reset after writing, cancellation while
  // waiting for the answer) or the server answered 5xx other than throttling. False when it
  // certainly did not execute: an error response that rejects it (4xx incl. throttling and auth),
  // a failure before a byte was written (connect, TLS, local token bucket, credentials).
  // Sticky over a call's attempts: true if any attempt may have executed.
  bool maybe_executed = false;

  // For callers of non-idempotent operations (StartTask): true means "launch in doubt" — do not
  // assume it failed, do not simply repeat it; wait for events or the audit to tell. Check this
  // before retryable(): an in-doubt error still has its original class (transient).
  [[nodiscard]] bool outcome_unknown() const { return maybe_executed; }
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
// Builds the error for a failed exchange (no response): transient unless it cannot fix itself
// (configuration, TLS verification, oversized response, cancellation). `request_sent` as reported by
// the transport sets maybe_executed.
[[nodiscard]] AwsError transport_error(const boost::system::error_code& ec, bool request_sent = false);
// Whether an error response means the server may have executed the request (5xx other than
// throttling). 4xx responses are rejections.
[[nodiscard]] bool response_maybe_executed(unsigned http_status, ErrorClass error_class);
// Builds a permanent client-side error (e.g. invalid arguments, undecodable response).
[[nodiscard]] AwsError client_error(std::string type, std::string message);

}  // namespace berth::aws
