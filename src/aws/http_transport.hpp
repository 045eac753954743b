// File: src/aws/http_transport.hpp — the narrow HTTP interface the AWS clients talk through (real or fake).
#pragma once

#include "aws/sigv4.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace berth::aws {

namespace asio = boost::asio;

// The request the signer produced is exactly what goes on the wire, so the transport reuses it.
using HttpRequest = sigv4::Request;

struct HttpResponse {
  unsigned status = 0;
  std::vector<sigv4::Header> headers;
  std::string body;
  [[nodiscard]] const std::string* find_header(std::string_view name) const;
};

struct Endpoint {
  bool tls = true;
  std::string host;
  std::uint16_t port = 443;
  // Value for the Host header: "host" on the scheme's default port, otherwise "host:port".
  [[nodiscard]] std::string host_header() const;
  // Connection-pool key, e.g. "https://ecs.us-east-1.amazonaws.com:443".
  [[nodiscard]] std::string key() const;
};

// Errors the transport (and endpoint parsing) reports besides Asio/Beast/SSL error codes.
enum class HttpErrc {
  bad_url = 1,
  plain_http_not_allowed,  // http:// without HttpOptions::allow_plain_http (only endpoint overrides set it)
  resolve_timeout,
  invalid_header,  // a header name/value with CR, LF or NUL (would allow header injection)
};
const boost::system::error_category& http_category();
boost::system::error_code make_error_code(HttpErrc e);

// Parses "https://host[:port][/]" or "http://host[:port][/]" (IPv6 literals in brackets).
boost::system::result<Endpoint> parse_endpoint_url(std::string_view url);

// Whether a request may reach the server twice. HttpClient resends a request by itself when a pooled
// keep-alive connection turns out to be closed; for a non-idempotent request it does so only when
// no byte of it was written (see SendResult::request_sent).
enum class Idempotency : unsigned char { idempotent, not_idempotent };
[[nodiscard]] std::string_view to_string(Idempotency i);

struct SendOptions {
  std::chrono::milliseconds timeout{30000};  // as for send()
  Idempotency idempotency = Idempotency::idempotent;
};

struct SendResult {
  boost::system::result<HttpResponse> response;
  // False only when the transport knows that no byte of the request was written (resolve, connect
  // and TLS failures, a stale pooled connection detected before writing). When true and no
  // response arrived, the server may have received and executed the request.
  bool request_sent = true;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends one request and reads the whole response. `timeout` bounds writing the request and
  // reading the response (long polls pass a longer one); connecting has its own timeout.
  // Failures to exchange (connect, TLS, timeout, reset, body too large) come back as error codes;
  // any HTTP status, including 5xx, is a response.
  virtual asio::awaitable<boost::system::result<HttpResponse>> send(Endpoint endpoint, HttpRequest request,
                                                                    std::chrono::milliseconds timeout) = 0;
  // send() with delivery information, used by the retry layer. The default implementation calls
  // send() and, knowing nothing better, reports every failure as possibly sent.
  virtual asio::awaitable<SendResult> send_request(Endpoint endpoint, HttpRequest request, SendOptions options);
};

}  // namespace berth::aws

template <>
struct boost::system::is_error_code_enum<berth::aws::HttpErrc> : std::true_type {};
