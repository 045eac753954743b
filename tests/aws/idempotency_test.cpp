// File: tests/aws/idempotency_test.cpp — retries are idempotency-aware: StartTask is never sent twice unless the
// first attempt certainly did not execute; reads, StopTask and RunTask (clientToken) are retried as before.
#include "aws/ecs_client.hpp"
#include "aws/http_client.hpp"
#include "aws/sqs_api.hpp"
#include "fake_http_server.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace berth::aws::ecs {
namespace {

namespace json = boost::json;
using testing::FakeHttpServer;
using testing::FakeReply;
using testing::json_response;
using testing::run;
using namespace std::chrono_literals;

std::string target_of(const HttpRequest& r) {
  const auto* t = r.find_header("X-Amz-Target");
  return t ? t->substr(t->find('.') + 1) : std::string();
}

FakeReply started_reply() {
  return FakeReply{json_response(200, R"({"tasks":[{"taskArn":"arn:task/1","lastStatus":"PROVISIONING"}],"failures":[]})")};
}
FakeReply tasks_reply() { return FakeReply{json_response(200, R"({"tasks":[{"taskArn":"arn:task/1"}],"failures":[]})")}; }
FakeReply throttled_reply() {
  return FakeReply{json_response(400, R"({"__type":"ThrottlingException","message":"Rate exceeded"})")};
}

StartTaskRequest start_req() {
  StartTaskRequest r;
  r.cluster = "prod";
  r.task_definition = "web:1";
  r.container_instances = {"arn:ci/1"};
  r.started_by = "berth";
  return r;
}

// An EcsClient against a fake server, with short timeouts and near-zero backoff.
struct Fixture {
  boost::asio::io_context io;
  FakeHttpServer server;
  HttpClient http{io.get_executor(), [] {
                    HttpOptions o;
                    o.allow_plain_http = true;
                    o.connect_timeout = 2000ms;
                    return o;
                  }()};
  StaticCredentialsProvider creds{AwsCredentials{{"AKID", "SECRET", ""}, std::nullopt, "static"}};
  EcsClient client;

  static ServiceConfig config(std::uint16_t port) {
    auto c = *make_ecs_config("us-east-1", "http://127.0.0.1:" + std::to_string(port));
    c.timeout = 200ms;  // the fake's slow replies take longer than this
    c.retry.base_delay = 1ms;
    c.retry.throttle_base_delay = 1ms;
    c.retry.max_delay = 2ms;
    c.random = [] { return 0.5; };
    return c;
  }
  explicit Fixture(FakeHttpServer::Handler h)
      : server(io, std::move(h)), client(io.get_executor(), http, creds, config(server.port())) {}
  ~Fixture() { server.stop(); }

  std::size_t count(std::string_view op) const {
    std::size_t n = 0;
    for (const auto& r : server.requests) n += target_of(r) == op ? 1 : 0;
    return n;
  }
  // Runs the io_context until the server has closed `n` connections (the close is asynchronous).
  void wait_for_server_closes(int n) {
    for (int i = 0; i < 200 && server.closed_by_server < n; ++i) io.run_for(5ms);
    io.restart();
  }
};

TEST(Idempotency, OperationTable) {
  const json::object none;
  EXPECT_EQ(operation_idempotency("StartTask", none), Idempotency::not_idempotent);
  EXPECT_EQ(operation_idempotency("RunTask", none), Idempotency::not_idempotent);
  EXPECT_EQ(operation_idempotency("RunTask", json::object{{"clientToken", ""}}), Idempotency::not_idempotent);
  EXPECT_EQ(operation_idempotency("RunTask", json::object{{"clientToken", "t-1"}}), Idempotency::idempotent);
  for (auto op : {"DescribeTasks", "DescribeContainerInstances", "DescribeTaskDefinition", "ListTasks",
                  "ListContainerInstances", "ListAttributes", "StopTask", "UpdateContainerInstancesState",
                  "RegisterTaskDefinition", "PutAttributes"})
    EXPECT_EQ(operation_idempotency(op, none), Idempotency::idempotent) << op;
  EXPECT_EQ(operation_idempotency("SomethingNew", none), Idempotency::not_idempotent);
  for (auto op : {"ReceiveMessage", "DeleteMessageBatch", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch",
                  "GetQueueAttributes", "GetQueueUrl", "SendMessage"})
    EXPECT_EQ(sqs::operation_idempotency(op), Idempotency::idempotent) << op;
  EXPECT_EQ(sqs::operation_idempotency("PurgeQueue"), Idempotency::not_idempotent);
}

TEST(Idempotency, ErrorResponsesSayWhetherTheRequestMayHaveExecuted) {
  auto parsed = [](unsigned status, std::string body) { return parse_error_response(json_response(status, body)); };
  EXPECT_TRUE(parsed(500, R"({"__type":"ServerException"})").outcome_unknown());
  EXPECT_TRUE(parsed(502, "<html>bad gateway</html>").outcome_unknown());
  EXPECT_FALSE(parsed(400, R"({"__type":"ThrottlingException"})").outcome_unknown());
  EXPECT_FALSE(parsed(503, R"({"__type":"SlowDown"})").outcome_unknown());  // throttled: refused
  EXPECT_FALSE(parsed(400, R"({"__type":"ClientException"})").outcome_unknown());
  EXPECT_FALSE(parsed(403, R"({"__type":"InvalidSignatureException"})").outcome_unknown());
  EXPECT_TRUE(transport_error(boost::beast::error::timeout, true).outcome_unknown());
  EXPECT_FALSE(transport_error(boost::asio::error::connection_refused, false).outcome_unknown());
}

TEST(Idempotency, StartTaskAfterReadTimeoutIsSentOnceAndInDoubt) {
  Fixture f([](const HttpRequest&) {
    auto r = started_reply();
    r.delay = 1000ms;  // longer than the client's 200 ms timeout
    return r;
  });
  auto r = run(f.io, f.client.start_task(start_req()));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().outcome_unknown()) << r.error().describe();
  EXPECT_EQ(r.error().error_class, ErrorClass::transient);
  EXPECT_EQ(f.count("StartTask"), 1u);
  EXPECT_EQ(f.client.protocol().stats().in_doubt, 1u);
  EXPECT_EQ(f.client.protocol().stats().retries, 0u);
}

TEST(Idempotency, StartTaskAfterThrottlingIsRetried) {
  int n = 0;
  Fixture f([&](const HttpRequest&) { return ++n <= 2 ? throttled_reply() : started_reply(); });
  auto r = run(f.io, f.client.start_task(start_req()));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->items.size(), 1u);
  EXPECT_EQ(f.count("StartTask"), 3u);
  EXPECT_EQ(f.client.protocol().stats().throttled_responses, 2u);
  EXPECT_EQ(f.client.protocol().stats().in_doubt, 0u);
}

TEST(Idempotency, StartTaskThrottledThenTimedOutIsInDoubt) {
  // Doubt from any attempt is what counts: the retry after throttling may have executed.
  int n = 0;
  Fixture f([&](const HttpRequest&) {
    if (++n == 1) return throttled_reply();
    auto r = started_reply();
    r.delay = 1000ms;
    return r;
  });
  auto r = run(f.io, f.client.start_task(start_req()));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().outcome_unknown());
  EXPECT_EQ(f.count("StartTask"), 2u);
}

TEST(Idempotency, StartTaskAfterServerErrorIsNotRetried) {
  Fixture f([](const HttpRequest&) {
    return FakeReply{json_response(500, R"({"__type":"ServerException","message":"internal"})")};
  });
  auto r = run(f.io, f.client.start_task(start_req()));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().outcome_unknown());
  EXPECT_EQ(r.error().type, "ServerException");
  EXPECT_EQ(f.count("StartTask"), 1u);
}

TEST(Idempotency, StartTaskRejectedIsNotInDoubt) {
  Fixture f([](const HttpRequest&) {
    return FakeReply{json_response(400, R"({"__type":"ClientException","message":"no such task definition"})")};
  });
  auto r = run(f.io, f.client.start_task(start_req()));
  ASSERT_FALSE(r);
  EXPECT_FALSE(r.error().outcome_unknown());
  EXPECT_FALSE(r.error().retryable());
  EXPECT_EQ(f.count("StartTask"), 1u);
}

TEST(Idempotency, StartTaskConnectFailuresAreRetriedAndNotInDoubt) {
  // Nothing listens on the port: nothing was ever sent, so retrying is safe and the outcome known.
  boost::asio::io_context io;
  std::uint16_t port = 0;
  {
    boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  HttpOptions o;
  o.allow_plain_http = true;
  HttpClient http(io.get_executor(), o);
  StaticCredentialsProvider creds{AwsCredentials{{"AKID", "SECRET", ""}, std::nullopt, "static"}};
  EcsClient client(io.get_executor(), http, creds, Fixture::config(port));
  auto r = run(io, client.start_task(start_req()));
  ASSERT_FALSE(r);
  EXPECT_FALSE(r.error().outcome_unknown()) << r.error().describe();
  EXPECT_EQ(client.protocol().stats().attempts, 5u);  // max_attempts
  EXPECT_EQ(client.protocol().stats().in_doubt, 0u);
}

TEST(Idempotency, DescribeTasksAfterReadTimeoutIsRetried) {
  int n = 0;
  Fixture f([&](const HttpRequest&) {
    auto r = tasks_reply();
    if (++n == 1) r.delay = 1000ms;
    return r;
  });
  auto r = run(f.io, f.client.describe_tasks("prod", {"arn:task/1"}));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->items.size(), 1u);
  EXPECT_EQ(f.count("DescribeTasks"), 2u);
  EXPECT_EQ(f.client.protocol().stats().retries, 1u);
}

TEST(Idempotency, StopTaskAndRunTaskAfterReadTimeoutAreRetried) {
  int n = 0;
  std::vector<std::string> tokens;
  Fixture f([&](const HttpRequest& req) {
    const auto op = target_of(req);
    FakeReply r = op == "StopTask" ? FakeReply{json_response(200, R"({"task":{"taskArn":"arn:task/1"}})")}
                                   : tasks_reply();
    if (op == "RunTask") tokens.emplace_back(json::parse(req.body).at("clientToken").as_string());
    if (++n % 2 == 1) r.delay = 1000ms;  // the first attempt of each call times out
    return r;
  });
  StopTaskRequest stop;
  stop.cluster = "prod";
  stop.task = "arn:task/1";
  auto s = run(f.io, f.client.stop_task(stop));
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ(f.count("StopTask"), 2u);

  RunTaskRequest rt;
  rt.cluster = "prod";
  rt.task_definition = "web:1";
  auto ran = run(f.io, f.client.run_task(rt));
  ASSERT_TRUE(ran) << ran.error().describe();
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0], tokens[1]);  // the retry is the same logical launch
}

TEST(Idempotency, StartTaskOnAPooledConnectionDroppedAfterSendingIsNotResent) {
  // The HTTP client's own "resend once on a stale pooled connection" must not repeat a StartTask
  // the server may have read: the connection died after the request was written.
  Fixture f([](const HttpRequest& req) {
    if (target_of(req) == "StartTask") return FakeReply{{}, 0ms, false, /*drop=*/true};
    return tasks_reply();
  });
  ASSERT_TRUE(run(f.io, f.client.describe_tasks("prod", {"arn:task/1"})));  // pools a connection
  ASSERT_EQ(f.http.idle_connections(), 1u);
  auto r = run(f.io, f.client.start_task(start_req()));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().outcome_unknown()) << r.error().describe();
  EXPECT_EQ(f.count("StartTask"), 1u);
  EXPECT_EQ(f.http.stale_resends(), 0u);
}

TEST(Idempotency, ReadOnAPooledConnectionDroppedIsResent) {
  int n = 0;
  Fixture f([&](const HttpRequest&) {
    if (++n == 2) return FakeReply{{}, 0ms, false, /*drop=*/true};
    return tasks_reply();
  });
  ASSERT_TRUE(run(f.io, f.client.describe_tasks("prod", {"arn:task/1"})));
  auto r = run(f.io, f.client.describe_tasks("prod", {"arn:task/1"}));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(f.count("DescribeTasks"), 3u);
  EXPECT_EQ(f.http.stale_resends(), 1u);  // resent by the transport, not the retry loop
  EXPECT_EQ(f.client.protocol().stats().retries, 0u);
}

TEST(Idempotency, StaleConnectionDetectedBeforeWritingIsSafeForStartTask) {
  // The server closes its keep-alive connection while it sits in the pool; the client notices
  // before writing and sends the StartTask on a fresh connection: sent once, succeeded.
  Fixture f([](const HttpRequest& req) {
    if (target_of(req) == "StartTask") return started_reply();
    auto r = tasks_reply();
    r.stale = true;
    return r;
  });
  ASSERT_TRUE(run(f.io, f.client.describe_tasks("prod", {"arn:task/1"})));
  f.wait_for_server_closes(1);
  ASSERT_EQ(f.server.closed_by_server, 1);
  auto r = run(f.io, f.client.start_task(start_req()));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(f.count("StartTask"), 1u);
  EXPECT_EQ(f.http.stale_connections_dropped(), 1u);
  EXPECT_EQ(f.server.connections, 2);
}

TEST(Idempotency, StartTaskCancelledWhileWaitingForTheAnswerIsInDoubt) {
  // Shutdown cancels in-flight calls; a StartTask already written may still run.
  Fixture f([](const HttpRequest&) {
    auto r = started_reply();
    r.delay = 5000ms;
    return r;
  });
  auto cfg = Fixture::config(f.server.port());
  cfg.timeout = 10000ms;
  EcsClient client(f.io.get_executor(), f.http, f.creds, cfg);
  boost::asio::cancellation_signal cancel;
  std::optional<AwsResult<BatchResult<Task>>> outcome;
  boost::asio::co_spawn(f.io, client.start_task(start_req()),
                        boost::asio::bind_cancellation_slot(
                            cancel.slot(), [&](std::exception_ptr, AwsResult<BatchResult<Task>> r) { outcome = std::move(r); }));
  // Cancel once the server has the request (an outcome, not a timing assumption).
  for (int i = 0; i < 400 && f.server.requests.empty(); ++i) f.io.run_for(5ms);
  ASSERT_EQ(f.count("StartTask"), 1u);
  cancel.emit(boost::asio::cancellation_type::terminal);
  for (int i = 0; i < 400 && !outcome; ++i) f.io.run_for(5ms);
  ASSERT_TRUE(outcome.has_value());
  ASSERT_FALSE(*outcome);
  EXPECT_TRUE(outcome->error().outcome_unknown());
  EXPECT_FALSE(outcome->error().retryable());
  EXPECT_EQ(f.count("StartTask"), 1u);
}

// A transport that implements only send(): the default send_request() cannot know whether a failed
// request went out, so the client must assume it may have.
class OpaqueFailingTransport final : public HttpTransport {
 public:
  int sends = 0;
  asio::awaitable<boost::system::result<HttpResponse>> send(Endpoint, HttpRequest, std::chrono::milliseconds) override {
    ++sends;
    co_return boost::system::error_code(boost::asio::error::connection_reset);
  }
};

TEST(Idempotency, TransportsWithoutDeliveryInformationAreTreatedConservatively) {
  boost::asio::io_context io;
  OpaqueFailingTransport transport;
  StaticCredentialsProvider creds{AwsCredentials{{"AKID", "SECRET", ""}, std::nullopt, "static"}};
  EcsClient client(io.get_executor(), transport, creds, Fixture::config(1));
  auto start = run(io, client.start_task(start_req()));
  ASSERT_FALSE(start);
  EXPECT_TRUE(start.error().outcome_unknown());
  EXPECT_EQ(transport.sends, 1);
  auto read = run(io, client.describe_tasks("prod", {"arn:task/1"}));
  ASSERT_FALSE(read);
  EXPECT_EQ(transport.sends, 1 + 5);  // reads keep their retries
}

}  // namespace
}  // namespace berth::aws::ecs
