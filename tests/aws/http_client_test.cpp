// File: tests/aws/http_client_test.cpp — HttpClient against a loopback fake server: pooling, limits, timeouts, http policy.
#include "aws/http_client.hpp"
#include "fake_http_server.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/error.hpp>
#include <gtest/gtest.h>

namespace berth::aws {
namespace {

using testing::FakeHttpServer;
using testing::FakeReply;
using testing::json_response;
using testing::run;
using namespace std::chrono_literals;

HttpRequest simple_get(const Endpoint& ep) {
  HttpRequest r;
  r.method = "GET";
  r.path = "/ping";
  r.headers = {{"Host", ep.host_header()}};
  return r;
}

HttpOptions loopback_options() {
  HttpOptions o;
  o.allow_plain_http = true;
  o.connect_timeout = 2000ms;
  return o;
}

TEST(HttpClient, KeepAliveReusesOneConnection) {
  boost::asio::io_context io;
  FakeHttpServer server(io, [](const HttpRequest&) { return FakeReply{json_response(200, "{}")}; });
  HttpClient client(io.get_executor(), loopback_options());
  for (int i = 0; i < 3; ++i) {
    auto r = run(io, client.send(server.endpoint(), simple_get(server.endpoint()), 2000ms));
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->status, 200u);
    EXPECT_EQ(r->body, "{}");
  }
  EXPECT_EQ(server.connections, 1);
  EXPECT_EQ(client.connections_opened(), 1u);
  EXPECT_EQ(client.idle_connections(), 1u);
  ASSERT_EQ(server.requests.size(), 3u);
  EXPECT_EQ(server.requests[0].path, "/ping");
}

TEST(HttpClient, ServerClosingConnectionIsNotPooled) {
  boost::asio::io_context io;
  FakeHttpServer server(io, [](const HttpRequest&) { return FakeReply{json_response(200, "{}"), 0ms, true}; });
  HttpClient client(io.get_executor(), loopback_options());
  for (int i = 0; i < 2; ++i) {
    auto r = run(io, client.send(server.endpoint(), simple_get(server.endpoint()), 2000ms));
    ASSERT_TRUE(r) << r.error().message();
  }
  EXPECT_EQ(server.connections, 2);
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST(HttpClient, ResponseLargerThanLimitFails) {
  boost::asio::io_context io;
  FakeHttpServer server(io, [](const HttpRequest&) { return FakeReply{json_response(200, std::string(4096, 'x'))}; });
  auto opts = loopback_options();
  opts.max_response_bytes = 1024;
  HttpClient client(io.get_executor(), opts);
  auto r = run(io, client.send(server.endpoint(), simple_get(server.endpoint()), 2000ms));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), boost::beast::http::error::body_limit);
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST(HttpClient, ReadTimeoutIsAnError) {
  boost::asio::io_context io;
  FakeHttpServer server(io, [](const HttpRequest&) { return FakeReply{json_response(200, "{}"), 2000ms}; });
  HttpClient client(io.get_executor(), loopback_options());
  auto r = run(io, client.send(server.endpoint(), simple_get(server.endpoint()), 100ms));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), boost::beast::error::timeout);
  server.stop();
}

TEST(HttpClient, CancellationAbortsAPendingRequest) {
  // Shutdown cancels long polls this way (co_spawn bound to a cancellation signal).
  boost::asio::io_context io;
  FakeHttpServer server(io, [](const HttpRequest&) { return FakeReply{json_response(200, "{}"), 5000ms}; });
  HttpClient client(io.get_executor(), loopback_options());
  boost::asio::cancellation_signal cancel;
  std::optional<boost::system::result<HttpResponse>> outcome;
  boost::asio::co_spawn(io, client.send(server.endpoint(), simple_get(server.endpoint()), 30000ms),
                        boost::asio::bind_cancellation_slot(
                            cancel.slot(), [&](std::exception_ptr, boost::system::result<HttpResponse> r) {
                              outcome = std::move(r);
                            }));
  boost::asio::steady_timer t(io, 50ms);
  t.async_wait([&](auto) { cancel.emit(boost::asio::cancellation_type::terminal); });
  const auto start = std::chrono::steady_clock::now();
  while (!outcome && std::chrono::steady_clock::now() - start < 3s) io.run_for(10ms);
  ASSERT_TRUE(outcome.has_value());  // did not wait for the 30 s timeout or the 5 s reply
  EXPECT_FALSE(*outcome);
  server.stop();
}

TEST(HttpClient, PlainHttpRefusedUnlessAllowed) {
  boost::asio::io_context io;
  FakeHttpServer server(io, [](const HttpRequest&) { return FakeReply{json_response(200, "{}")}; });
  HttpClient client(io.get_executor(), HttpOptions{});
  auto r = run(io, client.send(server.endpoint(), simple_get(server.endpoint()), 2000ms));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), make_error_code(HttpErrc::plain_http_not_allowed));
  EXPECT_TRUE(server.requests.empty());
}

TEST(HttpClient, HeaderInjectionIsRefused) {
  boost::asio::io_context io;
  FakeHttpServer server(io, [](const HttpRequest&) { return FakeReply{json_response(200, "{}")}; });
  HttpClient client(io.get_executor(), loopback_options());
  auto req = simple_get(server.endpoint());
  req.headers.push_back({"X-Token", "abc\r\nX-Evil: 1"});
  auto r = run(io, client.send(server.endpoint(), req, 2000ms));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), make_error_code(HttpErrc::invalid_header));
  EXPECT_TRUE(server.requests.empty());
}

TEST(HttpClient, TlsToAPlainServerFailsTheHandshake) {
  boost::asio::io_context io;
  FakeHttpServer server(io, [](const HttpRequest&) { return FakeReply{json_response(200, "{}")}; });
  HttpClient client(io.get_executor(), HttpOptions{});
  Endpoint ep{true, "127.0.0.1", server.port()};
  auto r = run(io, client.send(ep, simple_get(ep), 2000ms));
  EXPECT_FALSE(r);
  EXPECT_TRUE(server.requests.empty());
}

TEST(HttpClient, ConnectionRefusedIsAnError) {
  boost::asio::io_context io;
  std::uint16_t port = 0;
  {
    // Pick a free port and release it: nothing listens there afterwards.
    boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  HttpClient client(io.get_executor(), loopback_options());
  Endpoint ep{false, "127.0.0.1", port};
  auto r = run(io, client.send(ep, simple_get(ep), 2000ms));
  EXPECT_FALSE(r);
}

TEST(Endpoint, ParsesUrls) {
  auto a = parse_endpoint_url("https://ecs.us-east-1.amazonaws.com");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->tls);
  EXPECT_EQ(a->port, 443);
  EXPECT_EQ(a->host_header(), "ecs.us-east-1.amazonaws.com");
  auto b = parse_endpoint_url("http://127.0.0.1:4566/");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->tls);
  EXPECT_EQ(b->port, 4566);
  EXPECT_EQ(b->host_header(), "127.0.0.1:4566");
  auto c = parse_endpoint_url("http://[::1]:8080");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->host_header(), "[::1]:8080");
  EXPECT_FALSE(parse_endpoint_url("ftp://x"));
  EXPECT_FALSE(parse_endpoint_url("http://x:0"));
  EXPECT_FALSE(parse_endpoint_url("http://x:99999"));
  EXPECT_FALSE(parse_endpoint_url("http://x/path"));
  EXPECT_FALSE(parse_endpoint_url("https://"));
}

}  // namespace
}  // namespace berth::aws
