// File: tests/sim/auth.hpp — SigV4 verification of incoming requests (Authorization header, key, clock skew, signature).
#pragma once
#include "api_error.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>
#include <string>

namespace berth::sim {

struct ParsedAuthorization {
  std::string access_key, date, region, service, signed_headers, signature;
};
// "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ecs/aws4_request, SignedHeaders=a;b, Signature=hex".
std::optional<ParsedAuthorization> parse_authorization(const std::string& header);

// Empty when accepted. Errors carry AWS's types: missing or malformed header,
// unknown access key, X-Amz-Date more than 5 minutes off (RequestTimeTooSkewed), bad signature.
std::optional<ApiError> check_sigv4(const boost::beast::http::request<boost::beast::http::string_body>& req,
                                    const std::string& access_key, const std::string& secret_key,
                                    const std::string& region, const std::string& service);

// True when the binary was built with the shared SigV4 library (signature recomputation).
bool signature_verification_available();

}  // namespace berth::sim
