// File: tests/foundation/router_test.cpp — routing table without sockets: matching, params, 404/405, errors.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "http/router.hpp"

namespace {

using namespace berth::http;

Request make(Verb method, std::string path) {
  Request r;
  r.method = method;
  r.path = std::move(path);
  return r;
}

Response run(const Router& router, Request req) {
  boost::asio::io_context io;
  auto fut = boost::asio::co_spawn(io, router.dispatch(std::move(req)), boost::asio::use_future);
  io.run();
  return fut.get();
}

std::string error_code_of(const Response& r) {
  return std::string(boost::json::parse(r.body).at("error").at("code").as_string());
}

TEST(Router, MatchesLiteralAndParamSegments) {
  Router router;
  router.add(Verb::get, "/v1/environments/{name}",
             [](const Request& r) { return Response::text(200, "env " + r.params.at("name")); });
  router.add(Verb::get, "/v1/environments/special", [](const Request&) { return Response::text(200, "special"); });
  EXPECT_EQ(run(router, make(Verb::get, "/v1/environments/web")).body, "env web");
  EXPECT_EQ(run(router, make(Verb::get, "/v1/environments/a%2Fb")).body, "env a/b");
  // The pattern with more literal segments wins, whatever the registration order.
  EXPECT_EQ(run(router, make(Verb::get, "/v1/environments/special")).body, "special");
}

TEST(Router, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  Router router;
  router.add(Verb::get, "/v1/things/{id}", [](const Request&) { return Response::text(200, "x"); });
  router.add(Verb::delete_, "/v1/things/{id}", [](const Request&) { return Response::no_content(); });
  auto nf = run(router, make(Verb::get, "/v1/other"));
  EXPECT_EQ(nf.status, 404u);
  EXPECT_EQ(error_code_of(nf), "not_found");
  auto na = run(router, make(Verb::post, "/v1/things/1"));
  EXPECT_EQ(na.status, 405u);
  EXPECT_EQ(error_code_of(na), "method_not_allowed");
  ASSERT_EQ(na.headers.size(), 1u);
  EXPECT_EQ(na.headers[0], (std::pair<std::string, std::string>{"Allow", "GET, DELETE"}));
  EXPECT_EQ(run(router, make(Verb::get, "/v1/things")).status, 404u);      // missing segment
  EXPECT_EQ(run(router, make(Verb::get, "/v1/things/%zz")).status, 404u);  // malformed escape
}

TEST(Router, HandlerExceptionsBecomeOpaque500) {
  Router router;
  router.add(Verb::get, "/boom", [](const Request&) -> Response { throw std::runtime_error("db password=x"); });
  router.add_async(Verb::get, "/aboom", [](Request) -> boost::asio::awaitable<Response> {
    throw std::runtime_error("secret detail");
    co_return Response::text(200, "unreachable");
  });
  for (const char* path : {"/boom", "/aboom"}) {
    auto r = run(router, make(Verb::get, path));
    EXPECT_EQ(r.status, 500u);
    EXPECT_EQ(r.body, R"({"error":{"code":"internal","message":"internal error"}})");
  }
}

TEST(Router, AsyncHandlersReceiveTheRequest) {
  Router router;
  router.add_async(Verb::post, "/echo/{id}", [](Request r) -> boost::asio::awaitable<Response> {
    co_return Response::json(201, {{"id", r.params.at("id")}, {"body", r.body}, {"q", r.query["q"]}});
  });
  auto req = make(Verb::post, "/echo/7");
  req.body = "hello";
  req.query = parse_query("q=a+b%21&x");
  auto r = run(router, req);
  EXPECT_EQ(r.status, 201u);
  EXPECT_EQ(boost::json::parse(r.body), boost::json::parse(R"({"id":"7","body":"hello","q":"a b!"})"));
  auto sync_req = make(Verb::post, "/echo/7");
  EXPECT_FALSE(router.dispatch_sync(sync_req));  // async route: only dispatch() runs it
}

TEST(RouteTable, MatchesByIndexWithDecodedParamsAndAllow) {
  RouteTable table;
  EXPECT_EQ(table.add(Verb::get, "/v1/environments/{name}/deployments/{id}"), 0u);
  EXPECT_EQ(table.add(Verb::post, "/v1/environments/{name}/deployments/{id}"), 1u);
  EXPECT_EQ(table.add(Verb::get, "/v1/environments/{name}/deployments/latest"), 2u);
  EXPECT_EQ(table.size(), 3u);

  auto m = table.match(Verb::get, "/v1/environments/a%20b/deployments/d-1/");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(*m.route, 0u);
  EXPECT_EQ(m.params, (std::map<std::string, std::string>{{"name", "a b"}, {"id", "d-1"}}));
  EXPECT_TRUE(m.allow.empty());

  auto literal = table.match(Verb::get, "/v1/environments/web/deployments/latest");
  ASSERT_TRUE(literal.route);
  EXPECT_EQ(*literal.route, 2u);  // more literal segments win over the earlier pattern

  auto wrong_method = table.match(Verb::delete_, "/v1/environments/web/deployments/latest");
  EXPECT_FALSE(wrong_method.route);
  EXPECT_EQ(wrong_method.allow, "GET, POST");  // each method once, in the order added

  auto none = table.match(Verb::get, "/v1/environments/web");
  EXPECT_FALSE(none.route);
  EXPECT_TRUE(none.allow.empty());
  EXPECT_FALSE(table.match(Verb::get, "/v1/environments/%zz/deployments/d-1").route);
}

TEST(RouteTable, ErrorMessages) {
  EXPECT_EQ(no_route_message("/x"), "no route for /x");
  EXPECT_EQ(method_not_allowed_message("PATCH", "/x", "GET, PUT"), "PATCH is not allowed on /x (allowed: GET, PUT)");
}

TEST(Router, QueryAndHeaderHelpers) {
  auto q = parse_query("a=1&b=x%20y&&c&a=2&bad=%G1");
  EXPECT_EQ(q.at("a"), "2");
  EXPECT_EQ(q.at("b"), "x y");
  EXPECT_EQ(q.at("c"), "");
  EXPECT_EQ(q.count("bad"), 0u);
  EXPECT_EQ(percent_decode("%41%2b+", false), "A++");
  EXPECT_EQ(percent_decode("%41%2b+", true), "A+ ");
  EXPECT_FALSE(percent_decode("%4", false));
  Request r;
  r.headers["content-type"] = "application/json";
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  EXPECT_EQ(r.header("missing"), "");
}

}  // namespace

TEST(RouteTable, GreedyLastParamTakesTheRestOfThePathRawOrEncoded) {
  RouteTable table;
  table.add(Verb::get, "/v1/tasks");
  table.add(Verb::get, "/v1/tasks/{cluster}/{arn...}");
  const std::string arn = "arn:aws:ecs:us-east-1:123456789012:task/prod/0b69d5c0d1f14b8b9c4e0ef3a2d8e4b7";
  auto raw = table.match(Verb::get, "/v1/tasks/prod/" + arn);
  ASSERT_EQ(raw.route, std::optional<std::size_t>(1));
  EXPECT_EQ(raw.params.at("cluster"), "prod");
  EXPECT_EQ(raw.params.at("arn"), arn);
  auto encoded = table.match(Verb::get,
                             "/v1/tasks/prod/arn%3Aaws%3Aecs%3Aus-east-1%3A123456789012%3Atask%2Fprod%2F0b69d5c0d1f14b8b9c4e0ef3a2d8e4b7");
  ASSERT_EQ(encoded.route, std::optional<std::size_t>(1));
  EXPECT_EQ(encoded.params.at("arn"), arn);
  auto bare = table.match(Verb::get, "/v1/tasks/prod/0b69d5c0d1f14b8b9c4e0ef3a2d8e4b7");
  ASSERT_EQ(bare.route, std::optional<std::size_t>(1));
  EXPECT_EQ(bare.params.at("arn"), "0b69d5c0d1f14b8b9c4e0ef3a2d8e4b7");
  EXPECT_EQ(table.match(Verb::get, "/v1/tasks").route, std::optional<std::size_t>(0));
  EXPECT_FALSE(table.match(Verb::get, "/v1/tasks/prod").route);  // the greedy part needs one segment at least
  auto wrong_method = table.match(Verb::post, "/v1/tasks/prod/" + arn);
  EXPECT_FALSE(wrong_method.route);
  EXPECT_EQ(wrong_method.allow, "GET");
}
