// File: src/aws/aws_error.cpp — JSON-protocol error parsing and throttling/transient/permanent classification.
#include "aws/aws_error.hpp"

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <array>

namespace berth::aws {
namespace {

// Codes the AWS SDKs treat as throttling (botocore/aws-sdk-go-v2 lists) plus ECS/EC2 specifics.
constexpr std::array<std::string_view, 16> throttling_types = {
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
    "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
    "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException", "RequestThrottledException",
    "AWS.SimpleQueueService.RequestThrottled"};

constexpr std::array<std::string_view, 9> transient_types = {
    "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable",
    "ServerException", "IDPCommunicationError", "InternalServerError", "ServiceUnavailableException"};

constexpr std::array<std::string_view, 4> skew_types = {"RequestTimeTooSkewed", "RequestExpired",
                                                        "RequestInTheFuture", "InvalidSignatureException"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view v) {
  for (auto s : list)
    if (s == v) return true;
  return false;
}

}  // namespace

std::string_view to_string(ErrorClass c) {
  switch (c) {
    case ErrorClass::throttling: return "throttling";
    case ErrorClass::transient: return "transient";
    case ErrorClass::clock_skew: return "clock_skew";
    case ErrorClass::permanent: return "permanent";
  }
  return "unknown";
}

std::string AwsError::describe() const {
  std::string out = type.empty() ? std::string("TransportError") : type;
  if (http_status != 0) out += " (HTTP " + std::to_string(http_status) + ")";
  if (transport) out += " [" + transport.message() + "]";
  if (!message.empty()) out += ": " + message;
  return out;
}

std::string normalize_error_type(std::string_view raw) {
  if (const auto hash = raw.rfind('#'); hash != std::string_view::npos) raw = raw.substr(hash + 1);
  if (const auto colon = raw.find(':'); colon != std::string_view::npos) raw = raw.substr(0, colon);
  return std::string(raw);
}

bool is_throttling_type(std::string_view type) { return contains(throttling_types, type); }

ErrorClass classify_error(std::string_view type, unsigned http_status) {
  if (is_throttling_type(type) || http_status == 429) return ErrorClass::throttling;
  // InvalidSignatureException is usually a skewed clock for a correctly implemented signer; the
  // client only retries it once after correcting the clock.
  if (contains(skew_types, type)) return ErrorClass::clock_skew;
  if (contains(transient_types, type) || http_status >= 500) return ErrorClass::transient;
  return ErrorClass::permanent;
}

AwsError parse_error_response(const HttpResponse& response) {
  AwsError err;
  err.http_status = response.status;
  if (const auto* id = response.find_header("x-amzn-RequestId")) err.request_id = *id;
  if (const auto* q = response.find_header("x-amzn-query-error")) {
    // "AWS.SimpleQueueService.NonExistentQueue;Sender"
    err.query_error_code = q->substr(0, q->find(';'));
  }
  boost::system::error_code ec;
  const auto v = boost::json::parse(response.body, ec);
  if (!ec && v.is_object()) {
    const auto& o = v.get_object();
    if (const auto* t = o.if_contains("__type"); t && t->is_string()) err.type = normalize_error_type(t->get_string());
    else if (const auto* c = o.if_contains("code"); c && c->is_string()) err.type = normalize_error_type(c->get_string());
    for (const char* key : {"message", "Message", "errorMessage"}) {
      if (const auto* m = o.if_contains(key); m && m->is_string()) {
        err.message = std::string(m->get_string());
        break;
      }
    }
  }
  if (err.type.empty()) {
    if (const auto* t = response.find_header("x-amzn-ErrorType")) err.type = normalize_error_type(*t);
  }
  if (err.type.empty() && !err.query_error_code.empty()) err.type = err.query_error_code;
  if (err.type.empty()) err.type = response.status >= 500 ? "InternalFailure" : "UnknownError";
  if (err.message.empty() && ec) err.message = "unparsable error body";
  err.error_class = classify_error(err.type, err.http_status);
  return err;
}

AwsError transport_error(const boost::system::error_code& ec) {
  AwsError err;
  err.transport = ec;
  err.message = ec.message();
  // Configuration problems (bad URL, plain http refused) and TLS failures such as an unverifiable
  // certificate do not fix themselves; everything else (timeouts, resets, refused) may.
  const bool tls_failure = ec.category() == boost::asio::error::get_ssl_category();
  // An oversized response will be oversized again.
  // Aborted means cancelled (shutdown): never retry that.
  const bool aborted = ec == boost::asio::error::operation_aborted;
  const bool too_large = ec == boost::beast::http::error::body_limit || ec == boost::beast::http::error::header_limit;
  err.error_class = (ec.category() == http_category() && ec != make_error_code(HttpErrc::resolve_timeout)) || tls_failure || too_large || aborted
                        ? ErrorClass::permanent
                        : ErrorClass::transient;
  return err;
}

AwsError client_error(std::string type, std::string message) {
  AwsError err;
  err.type = std::move(type);
  err.message = std::move(message);
  err.error_class = ErrorClass::permanent;
  return err;
}

}  // namespace berth::aws
