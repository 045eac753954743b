// File: tests/foundation/server_test.cpp — the HTTP server on 127.0.0.1:0: healthz, 404, 413, auth, keep-alive,
// connection limit and graceful stop.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "http/server.hpp"
#include "loopback_server.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using namespace berth::http;
using tcp = asio::ip::tcp;
using HttpResponse = bhttp::response<bhttp::string_body>;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bhttp::request<bhttp::string_body> make_request(bhttp::verb method, std::string target, std::string body = {}) {
  bhttp::request<bhttp::string_body> req{method, target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

// Sends one request on `stream` and reads the answer; status 0 when the connection failed.
HttpResponse failed() {
  HttpResponse res;
  res.result(0u);  // a default Beast response says 200
  return res;
}

asio::awaitable<HttpResponse> exchange(beast::tcp_stream& stream, bhttp::request<bhttp::string_body> req) {
  HttpResponse res = failed();
  stream.expires_after(std::chrono::seconds(10));
  auto [wec, wn] = co_await bhttp::async_write(stream, req, use_tuple);
  if (wec) co_return res;
  beast::flat_buffer buffer;
  auto [rec, rn] = co_await bhttp::async_read(stream, buffer, res, use_tuple);
  if (rec) res = failed();
  co_return res;
}

asio::awaitable<HttpResponse> fetch(tcp::endpoint ep, bhttp::request<bhttp::string_body> req) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(std::chrono::seconds(10));
  auto [ec] = co_await stream.async_connect(ep, use_tuple);
  if (ec) co_return failed();
  co_return co_await exchange(stream, std::move(req));
}

std::string error_code_of(const HttpResponse& r) {
  return std::string(boost::json::parse(r.body()).at("error").at("code").as_string());
}

class ServerTest : public berth::http::test::LoopbackServer {
 protected:
  void SetUp() override {
    router_.add(Verb::get, "/healthz", [](const Request&) { return Response::json(200, {{"status", "ok"}}); });
    router_.add(Verb::post, "/echo", [](const Request& r) { return Response::text(200, r.body); });
  }
};

TEST_F(ServerTest, HealthzIs200AndUnknownIs404) {
  start();
  HttpResponse health, missing;
  run([&]() -> asio::awaitable<void> {
    health = co_await fetch(ep_, make_request(bhttp::verb::get, "/healthz"));
    missing = co_await fetch(ep_, make_request(bhttp::verb::get, "/nope?x=1"));
  });
  EXPECT_EQ(health.result_int(), 200u);
  EXPECT_EQ(health.body(), R"({"status":"ok"})");
  EXPECT_EQ(health[bhttp::field::content_type], "application/json");
  EXPECT_EQ(missing.result_int(), 404u);
  EXPECT_EQ(error_code_of(missing), "not_found");
}

TEST_F(ServerTest, OversizedBodyIs413WithJsonError) {
  ServerOptions options;
  options.max_body_bytes = 16;
  start(options);
  HttpResponse small, large;
  run([&]() -> asio::awaitable<void> {
    small = co_await fetch(ep_, make_request(bhttp::verb::post, "/echo", "0123456789abcdef"));
    large = co_await fetch(ep_, make_request(bhttp::verb::post, "/echo", std::string(17, 'x')));
  });
  EXPECT_EQ(small.result_int(), 200u);
  EXPECT_EQ(small.body(), "0123456789abcdef");
  EXPECT_EQ(large.result_int(), 413u);
  EXPECT_EQ(error_code_of(large), "body_too_large");
  EXPECT_FALSE(large.keep_alive());
}

TEST_F(ServerTest, OversizedHeadersAre431) {
  ServerOptions options;
  options.max_header_bytes = 1024;
  start(options);
  HttpResponse res;
  run([&]() -> asio::awaitable<void> {
    auto req = make_request(bhttp::verb::get, "/healthz");
    req.set("X-Padding", std::string(2048, 'p'));
    res = co_await fetch(ep_, std::move(req));
  });
  EXPECT_EQ(res.result_int(), 431u);
}

TEST_F(ServerTest, BearerTokenGuardsEverythingButHealthz) {
  ServerOptions options;
  options.auth_token = "0123456789abcdef";
  start(options);
  HttpResponse none, wrong, right, basic, health;
  run([&]() -> asio::awaitable<void> {
    none = co_await fetch(ep_, make_request(bhttp::verb::post, "/echo", "hi"));
    auto w = make_request(bhttp::verb::post, "/echo", "hi");
    w.set(bhttp::field::authorization, "Bearer 0123456789abcdeX");
    wrong = co_await fetch(ep_, std::move(w));
    auto r = make_request(bhttp::verb::post, "/echo", "hi");
    r.set(bhttp::field::authorization, "Bearer 0123456789abcdef");
    right = co_await fetch(ep_, std::move(r));
    auto b = make_request(bhttp::verb::post, "/echo", "hi");
    b.set(bhttp::field::authorization, "Basic bWFyYXRob246MDEyMzQ1Njc4OWFiY2RlZg==");  // marathon:0123456789abcdef
    basic = co_await fetch(ep_, std::move(b));
    health = co_await fetch(ep_, make_request(bhttp::verb::get, "/healthz"));
  });
  EXPECT_EQ(none.result_int(), 401u);
  EXPECT_EQ(error_code_of(none), "unauthorized");
  EXPECT_EQ(none[bhttp::field::www_authenticate], "Bearer, Basic realm=\"berth\"");
  EXPECT_EQ(wrong.result_int(), 401u);
  EXPECT_EQ(right.result_int(), 200u);
  EXPECT_EQ(right.body(), "hi");
  EXPECT_EQ(basic.result_int(), 200u);
  EXPECT_EQ(health.result_int(), 200u);
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  std::vector<unsigned> statuses;
  run([&]() -> asio::awaitable<void> {
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    co_await stream.async_connect(ep_, asio::use_awaitable);
    for (int i = 0; i < 3; ++i) {
      auto res = co_await exchange(stream, make_request(bhttp::verb::get, "/healthz"));
      statuses.push_back(res.result_int());
      EXPECT_TRUE(res.keep_alive());
    }
  });
  EXPECT_EQ(statuses, (std::vector<unsigned>{200, 200, 200}));
}

TEST_F(ServerTest, ConnectionsOverTheLimitGet503) {
  ServerOptions options;
  options.max_connections = 1;
  start(options);
  HttpResponse first, second;
  run([&]() -> asio::awaitable<void> {
    beast::tcp_stream held(co_await asio::this_coro::executor);
    co_await held.async_connect(ep_, asio::use_awaitable);
    first = co_await exchange(held, make_request(bhttp::verb::get, "/healthz"));  // now the one open connection
    second = co_await fetch(ep_, make_request(bhttp::verb::get, "/healthz"));
  });
  EXPECT_EQ(first.result_int(), 200u);
  EXPECT_EQ(second.result_int(), 503u);
  EXPECT_EQ(error_code_of(second), "too_many_connections");
}

TEST_F(ServerTest, StopLetsInFlightRequestsFinishWithConnectionClose) {
  // The handler starts the stop itself, so the request is certainly in flight when stopping begins.
  bool stop_returned = false;
  router_.add_async(Verb::get, "/slow", [&](Request) -> asio::awaitable<Response> {
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          co_await server_->async_stop(std::chrono::seconds(10));
          stop_returned = true;
        },
        asio::detached);
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
    co_await t.async_wait(asio::use_awaitable);
    co_return Response::text(200, "done");
  });
  start();
  HttpResponse res = failed(), after = failed();
  run([&]() -> asio::awaitable<void> {
    res = co_await fetch(ep_, make_request(bhttp::verb::get, "/slow"));
    after = co_await fetch(ep_, make_request(bhttp::verb::get, "/healthz"));  // acceptor closed
  });
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "done");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(after.result_int(), 0u);
  EXPECT_TRUE(stop_returned);
}

TEST_F(ServerTest, StopDeadlineCancelsHandlersThatDoNotFinish) {
  bool handler_cancelled = false;
  router_.add_async(Verb::get, "/hang", [&](Request) -> asio::awaitable<Response> {
    asio::co_spawn(io_, server_->async_stop(std::chrono::milliseconds(50)), asio::detached);
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::hours(1));
    auto [ec] = co_await t.async_wait(use_tuple);
    handler_cancelled = ec == asio::error::operation_aborted;
    co_return Response::text(200, "late");
  });
  start();
  run([&]() -> asio::awaitable<void> { co_await fetch(ep_, make_request(bhttp::verb::get, "/hang")); });
  EXPECT_TRUE(handler_cancelled);
}

TEST_F(ServerTest, MalformedRequestIs400) {
  start();
  std::string reply;
  run([&]() -> asio::awaitable<void> {
    tcp::socket s(co_await asio::this_coro::executor);
    co_await s.async_connect(ep_, asio::use_awaitable);
    co_await asio::async_write(s, asio::buffer(std::string("NOT HTTP AT ALL\r\n\r\n")), asio::use_awaitable);
    char buf[512];
    auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), use_tuple);
    reply.assign(buf, n);
  });
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
}

}  // namespace

namespace {

TEST_F(ServerTest, ExpectContinueGetsA100BeforeTheBody) {
  start();
  std::string interim, final_reply;
  run([&]() -> asio::awaitable<void> {
    tcp::socket s(co_await asio::this_coro::executor);
    co_await s.async_connect(ep_, asio::use_awaitable);
    std::string head =
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n";
    co_await asio::async_write(s, asio::buffer(head), asio::use_awaitable);
    char buf[512];
    auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), use_tuple);
    interim.assign(buf, n);
    co_await asio::async_write(s, asio::buffer(std::string("hello")), asio::use_awaitable);
    while (true) {
      auto [rec, rn] = co_await s.async_read_some(asio::buffer(buf), use_tuple);
      if (rec) break;
      final_reply.append(buf, rn);
    }
  });
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_EQ(final_reply.rfind("HTTP/1.1 200 OK", 0), 0u) << final_reply;
  EXPECT_EQ(final_reply.substr(final_reply.size() - 5), "hello");
}

}  // namespace
