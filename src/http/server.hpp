// File: src/http/server.hpp — Beast coroutine HTTP/1.1 server: limits, timeouts, keep-alive, auth, graceful stop.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/result.hpp>

#include "config/config.hpp"
#include "http/router.hpp"

namespace berth::http {

struct ServerOptions {
  std::size_t max_connections = 256;                                 // further connections get 503 and are closed
  std::size_t max_header_bytes = 16 * 1024;                          // larger headers: 431
  std::size_t max_body_bytes = 1024 * 1024;                          // larger bodies: 413
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};  // per request read and per response write
  std::optional<std::string> auth_token;  // when set, all paths but /healthz need "Bearer <token>"
  std::size_t max_streams = 64;           // concurrent streaming answers (http/stream.hpp); more get 503

  static ServerOptions from_config(const config::Config& cfg);
};

// One acceptor, one coroutine per connection, all on the caller's io_context (single thread).
// The router must outlive the server and every connection it serves.
class Server {
 public:
  Server(boost::asio::io_context& io, const Router& router, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. With port 0 the kernel picks a port; the returned endpoint has it.
  boost::system::result<boost::asio::ip::tcp::endpoint> listen(const std::string& host, std::uint16_t port);
  // Starts accepting (after listen()).
  void start();
  // New limits and token apply to requests read from now on.
  void set_options(ServerOptions options);

  // Graceful stop: stops accepting, closes idle keep-alive connections, lets requests in flight finish (their
  // responses carry Connection: close). At `deadline`, cancels the rest. Returns when no connection is left
  // (or shortly after the deadline if a handler ignores cancellation).
  boost::asio::awaitable<void> async_stop(std::chrono::milliseconds deadline);

  std::size_t connection_count() const;
  bool stopping() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace berth::http
