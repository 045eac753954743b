// File: tests/aws/fake_http_server.hpp — in-process HTTP/1.1 server on 127.0.0.1:0 for transport, retry and client tests.
#pragma once

#include "aws/http_transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <functional>
#include <memory>
#include <vector>

namespace berth::aws::testing {

struct FakeReply {
  HttpResponse response;
  std::chrono::milliseconds delay{0};  // wait before answering (timeouts)
  bool close = false;                  // close the connection after answering
  bool drop = false;   // close the connection without answering (died after reading the request)
  bool stale = false;  // answer with keep-alive, then close anyway (goes stale in the client's pool)
};

// Serves each request with `handler`; records every request it saw and how many connections.
class FakeHttpServer {
 public:
  using Handler = std::function<FakeReply(const HttpRequest&)>;

  FakeHttpServer(boost::asio::io_context& io, Handler handler)
      : io_(io), acceptor_(io, {boost::asio::ip::make_address("127.0.0.1"), 0}), handler_(std::move(handler)) {
    boost::asio::co_spawn(io_, accept_loop(), boost::asio::detached);
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  Endpoint endpoint() const { return Endpoint{false, "127.0.0.1", port()}; }
  void stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
  }

  std::vector<HttpRequest> requests;
  int connections = 0;
  int closed_by_server = 0;  // connections the server shut down (close, drop, stale)

 private:
  boost::asio::awaitable<void> accept_loop() {
    while (true) {
      auto [ec, socket] = co_await acceptor_.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) co_return;
      ++connections;
      boost::asio::co_spawn(io_, session(std::move(socket)), boost::asio::detached);
    }
  }

  boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket) {
    namespace http = boost::beast::http;
    constexpr auto tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
    boost::beast::tcp_stream stream(std::move(socket));
    boost::beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> req;
      auto [rec, n] = co_await http::async_read(stream, buffer, req, tuple);
      (void)n;
      if (rec) co_return;
      HttpRequest seen;
      seen.method = std::string(req.method_string());
      sigv4::split_target(std::string(req.target()), seen.path, seen.query);
      for (const auto& f : req) seen.headers.push_back({std::string(f.name_string()), std::string(f.value())});
      seen.body = req.body();
      requests.push_back(seen);
      FakeReply reply = handler_(seen);
      if (reply.drop) {
        close(stream);
        co_return;
      }
      if (reply.delay.count() > 0) {
        boost::asio::steady_timer t(io_, reply.delay);
        co_await t.async_wait(tuple);
      }
      http::response<http::string_body> res;
      res.result(reply.response.status == 0 ? 200 : reply.response.status);
      res.version(11);
      for (const auto& h : reply.response.headers) res.insert(h.name, h.value);
      res.body() = reply.response.body;
      res.keep_alive(!reply.close && req.keep_alive());
      res.prepare_payload();
      auto [wec, w] = co_await http::async_write(stream, res, tuple);
      (void)w;
      if (wec || reply.close || reply.stale) {
        close(stream);
        co_return;
      }
    }
  }

  void close(boost::beast::tcp_stream& stream) {
    boost::system::error_code ignored;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    stream.socket().close(ignored);
    ++closed_by_server;
  }

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  Handler handler_;
};

inline HttpResponse json_response(unsigned status, std::string body, std::vector<sigv4::Header> extra = {}) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(extra);
  r.headers.push_back({"Content-Type", "application/x-amz-json-1.1"});
  r.body = std::move(body);
  return r;
}

// Runs `coro` to completion on `io` and returns its result (rethrows its exception).
template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> coro) {
  std::optional<T> out;
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(coro), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) out.emplace(std::move(value));
    io.stop();
  });
  io.restart();
  io.run();
  io.restart();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

}  // namespace berth::aws::testing
