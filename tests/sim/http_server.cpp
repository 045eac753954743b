// File: tests/sim/http_server.cpp — accept loop and keep-alive sessions with body limits and timeouts.
#include "http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <cstdio>

namespace berth::sim {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr std::size_t body_limit = 2 * 1024 * 1024;  // SQS batches are at most 256 KiB; leave room
constexpr auto idle_timeout = std::chrono::seconds(60);

asio::awaitable<void> session(beast::tcp_stream stream, Sim& sim) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(body_limit);
    stream.expires_after(idle_timeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (ec == http::error::body_limit) {
      http::response<http::string_body> res{http::status::payload_too_large, 11};
      res.set(http::field::content_type, "application/json");
      res.body() = R"({"__type":"SerializationException","message":"Request body too large."})";
      res.prepare_payload();
      co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
      break;
    }
    if (ec) break;  // closed, timed out or malformed: drop the connection
    Request req = parser.release();
    // A long poll (up to 20 s) suspends here; the stream timer is not running meanwhile.
    stream.expires_never();
    HttpReply r = co_await sim.handle(req);
    http::response<http::string_body> res{static_cast<http::status>(r.status), req.version()};
    res.set(http::field::server, "berth-sim");
    res.set(http::field::content_type, r.content_type);
    res.set("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000");
    for (const auto& [k, v] : r.headers) res.set(k, v);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(r.body);
    res.prepare_payload();
    stream.expires_after(idle_timeout);
    auto [wec, wn] = co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
    if (wec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
}

}  // namespace

asio::awaitable<void> async_serve(asio::ip::tcp::acceptor& acceptor, Sim& sim) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) continue;  // e.g. EMFILE: keep serving the connections we have
    asio::co_spawn(acceptor.get_executor(), session(beast::tcp_stream(std::move(socket)), sim),
                   [](std::exception_ptr e) {
                     if (!e) return;
                     // A failed session must not take the server down.
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& ex) {
                       std::fprintf(stderr, "berth-sim: session error: %s\n", ex.what());
                     }
                   });
  }
}

}  // namespace berth::sim
