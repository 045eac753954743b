// File: src/aws/http_client.hpp — Beast HTTP(S) client: keep-alive pool per endpoint, verified TLS, timeouts, size limits.
#pragma once

#include "aws/http_transport.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace berth::aws {

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{5000};    // resolve + TCP connect + TLS handshake
  std::size_t max_response_bytes = 8 * 1024 * 1024;   // body limit; larger responses fail with http::error::body_limit
  std::size_t max_header_bytes = 64 * 1024;
  std::size_t max_idle_per_endpoint = 8;
  // Plain http:// is refused unless set; only an explicit endpoint override (berth-sim) sets it.
  bool allow_plain_http = false;
  // Extra CA bundle (PEM file) to trust in addition to the system store; empty = system store only.
  std::string ca_file;
};

// One per io_context; not thread-safe (single-threaded reactor). Concurrent send() calls each take
// their own connection; idle ones are kept for reuse.
class HttpClient final : public HttpTransport {
 public:
  // Throws on an unusable TLS setup (bad ca_file): that is a startup error.
  HttpClient(asio::any_io_executor executor, HttpOptions options);
  ~HttpClient() override;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // HttpTransport
  asio::awaitable<boost::system::result<HttpResponse>> send(Endpoint endpoint, HttpRequest request,
                                                            std::chrono::milliseconds timeout) override;
  // Before reusing a pooled connection it checks, without blocking, whether the server already
  // closed it; such connections are dropped before a byte is written. A pooled connection that
  // fails during the exchange anyway (the close raced with our write) is resent once only if the
  // request is idempotent or none of it was written.
  asio::awaitable<SendResult> send_request(Endpoint endpoint, HttpRequest request, SendOptions options) override;

  [[nodiscard]] std::size_t idle_connections() const;
  [[nodiscard]] std::uint64_t connections_opened() const { return connections_opened_; }
  // Pooled connections found closed by the server before use (dropped, request sent elsewhere).
  [[nodiscard]] std::uint64_t stale_connections_dropped() const { return stale_dropped_; }
  // Requests resent because a pooled connection failed during the exchange.
  [[nodiscard]] std::uint64_t stale_resends() const { return stale_resends_; }
  void close_idle_connections();

 private:
  struct Connection;
  using ConnectionPtr = std::unique_ptr<Connection>;

  asio::awaitable<boost::system::result<ConnectionPtr>> connect(const Endpoint& endpoint);

  asio::any_io_executor executor_;
  HttpOptions options_;
  asio::ssl::context ssl_ctx_;
  std::map<std::string, std::vector<ConnectionPtr>> idle_;
  std::uint64_t connections_opened_ = 0;
  std::uint64_t stale_dropped_ = 0;
  std::uint64_t stale_resends_ = 0;
};

}  // namespace berth::aws
