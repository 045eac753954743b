// File: tests/foundation/stream_test.cpp — streaming answers (http/stream.hpp) through the real server on a loopback
// socket: chunks and heartbeats, a slow client cut without slowing the producer, the stream cap (503), and a
// graceful stop ending open streams with their last chunk.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "http/server.hpp"
#include "loopback_server.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using namespace berth::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bhttp::request<bhttp::empty_body> get(std::string target) {
  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  return req;
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(use_tuple);
}

class StreamTest : public berth::http::test::LoopbackServer {
 protected:
  StreamTest() { run_limit_ = std::chrono::seconds(60); }

  // /stream answers with a new channel, kept in `channels_` for the test to push into.
  void SetUp() override {
    router_.add_async(Verb::get, "/stream", [this](Request) -> asio::awaitable<Response> {
      auto ch = std::make_shared<StreamChannel>(co_await asio::this_coro::executor, stream_options_);
      ch->on_end([this] { ++ended_; });
      channels_.push_back(ch);
      co_return Response::streaming(ch, "application/octet-stream");
    });
  }

  asio::awaitable<void> wait_for_channels(std::size_t n) {
    for (int i = 0; i < 500 && channels_.size() < n; ++i) co_await sleep_for(10ms);
  }

  StreamOptions stream_options_;
  std::vector<std::shared_ptr<StreamChannel>> channels_;
  int ended_ = 0;
};

TEST_F(StreamTest, WritesChunksAndHeartbeatsThenTheLastChunk) {
  stream_options_.heartbeat = "HB\n";
  stream_options_.heartbeat_interval = 50ms;
  start();
  bhttp::response<bhttp::string_body> res;
  boost::system::error_code read_ec;
  run([&]() -> asio::awaitable<void> {
    beast::tcp_stream client(co_await asio::this_coro::executor);
    co_await client.async_connect(ep_, asio::use_awaitable);
    co_await bhttp::async_write(client, get("/stream"), asio::use_awaitable);
    // The producer pushes while the client reads: first a chunk, then quiet (heartbeats), then one more, then end.
    asio::co_spawn(
        client.get_executor(),
        [this]() -> asio::awaitable<void> {
          co_await wait_for_channels(1);
          channels_[0]->push("{\"a\":1}\n");
          co_await sleep_for(180ms);
          channels_[0]->push("{\"b\":2}\n");
          channels_[0]->close();
        },
        asio::detached);
    beast::flat_buffer buffer;
    client.expires_after(10s);
    std::tie(read_ec, std::ignore) = co_await bhttp::async_read(client, buffer, res, use_tuple);
  });
  ASSERT_FALSE(read_ec) << read_ec.message();
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_TRUE(res.chunked());
  EXPECT_EQ(res[bhttp::field::content_type], "application/octet-stream");
  const std::string& body = res.body();
  EXPECT_TRUE(body.starts_with("{\"a\":1}\nHB\n")) << body;
  EXPECT_TRUE(body.ends_with("HB\n{\"b\":2}\n")) << body;
  EXPECT_EQ(ended_, 1);
}

TEST_F(StreamTest, ASlowClientIsCutWhenItsBufferFillsAndNeverSlowsTheProducer) {
  stream_options_.max_buffered_bytes = 256 * 1024;
  start();
  bool refused = false;
  std::size_t pushed = 0;
  std::chrono::steady_clock::duration longest_push{};
  run([&]() -> asio::awaitable<void> {
    beast::tcp_stream client(co_await asio::this_coro::executor);
    co_await client.async_connect(ep_, asio::use_awaitable);
    co_await bhttp::async_write(client, get("/stream"), asio::use_awaitable);
    co_await wait_for_channels(1);
    // The client reads nothing: the socket buffers fill, then the channel, then the push is refused.
    const std::string chunk(16 * 1024, 'x');
    for (int i = 0; i < 100000 && !refused; ++i) {
      const auto before = std::chrono::steady_clock::now();
      refused = !channels_[0]->push(chunk);
      longest_push = std::max(longest_push, std::chrono::steady_clock::now() - before);
      if (!refused) ++pushed;
      if (i % 16 == 0) co_await sleep_for(1ms);  // let the server write what it can
    }
    for (int i = 0; i < 500 && server_->connection_count() > 0; ++i) co_await sleep_for(10ms);
  });
  EXPECT_TRUE(refused);
  EXPECT_TRUE(channels_[0]->was_cut());
  EXPECT_GT(pushed, 0u);
  EXPECT_LT(longest_push, 50ms);  // a push only buffers: it never waits for the client
  EXPECT_EQ(ended_, 1);
}

TEST_F(StreamTest, StreamsOverTheCapGet503AndAStopEndsOpenStreamsCleanly) {
  ServerOptions options;
  options.max_streams = 1;
  start(options);
  bhttp::response<bhttp::string_body> second;
  bool first_complete = false;
  run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    beast::tcp_stream first(ex);
    co_await first.async_connect(ep_, asio::use_awaitable);
    co_await bhttp::async_write(first, get("/stream"), asio::use_awaitable);
    beast::flat_buffer first_buffer;
    bhttp::response_parser<bhttp::string_body> first_parser;
    first.expires_after(10s);
    co_await bhttp::async_read_header(first, first_buffer, first_parser, asio::use_awaitable);

    beast::tcp_stream other(ex);
    co_await other.async_connect(ep_, asio::use_awaitable);
    co_await bhttp::async_write(other, get("/stream"), asio::use_awaitable);
    beast::flat_buffer other_buffer;
    other.expires_after(10s);
    co_await bhttp::async_read(other, other_buffer, second, asio::use_awaitable);

    channels_[0]->push("one\n");
    // The stop must end the open stream with its last chunk, not leave it hanging until the deadline.
    asio::co_spawn(ex, server_->async_stop(5s), asio::detached);
    auto [ec, n] = co_await bhttp::async_read(first, first_buffer, first_parser, use_tuple);
    first_complete = !ec && first_parser.is_done() && first_parser.get().body() == "one\n";
  });
  EXPECT_EQ(second.result_int(), 503u);
  EXPECT_NE(second.body().find("too_many_streams"), std::string::npos);
  EXPECT_TRUE(first_complete);
  EXPECT_EQ(ended_, 2);  // the refused stream's producer was told too
}

}  // namespace
