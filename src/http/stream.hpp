// File: src/http/stream.hpp — a streaming HTTP response: a bounded per-client channel of chunks that the server
// writes with chunked transfer encoding, with heartbeats while nothing is sent.
//
// A handler that streams answers a Response whose `stream` is set (Response::streaming): the server writes the
// status and headers, then each pushed string as one chunk, and a heartbeat chunk after every quiet
// `heartbeat_interval`. A producer only pushes strings (one JSON object per line for Blox's streams, one
// "data: ...\n\n" event for an SSE front); it never waits for the client:
//   - push() buffers at most `max_buffered_bytes`; a push beyond that cuts the stream (a slow client is closed,
//     never waited for) and answers false, as does any push once the stream has ended;
//   - close() ends the stream cleanly (the last chunk is written after what is buffered);
//   - on_end runs once when the stream is over for any reason (client gone, cut, server stopping, closed), so
//     the producer can unsubscribe.
// The server caps concurrent streams (ServerOptions::max_streams; a stream beyond it is answered 503).
// Single-threaded: every call on the io_context's thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

namespace berth::http {

struct StreamOptions {
  std::string heartbeat = "\n";  // written after every quiet interval (Blox: a blank line; SSE: ":\n\n")
  std::chrono::milliseconds heartbeat_interval{std::chrono::seconds(15)};
  std::size_t max_buffered_bytes = 1024 * 1024;  // per client; beyond it the client is cut
};

class StreamChannel {
 public:
  StreamChannel(boost::asio::any_io_executor executor, StreamOptions options);
  StreamChannel(const StreamChannel&) = delete;
  StreamChannel& operator=(const StreamChannel&) = delete;

  // Producer side.
  bool push(std::string chunk);
  void close();
  // Ends the stream at once, without the last chunk (the client sees it broken off), e.g. a producer that
  // cannot go on for this client.
  void cut();
  bool ended() const { return ended_; }
  bool was_cut() const { return cut_; }
  std::size_t buffered_bytes() const { return buffered_; }
  const StreamOptions& options() const { return options_; }
  // Runs once, when the stream is over (see above).
  void on_end(std::function<void()> fn) { on_end_ = std::move(fn); }
  // Runs after the consumer took chunks (the buffer has room again), so a producer may pace itself.
  void on_drain(std::function<void()> fn) { on_drain_ = std::move(fn); }

  // Consumer side (the server).
  struct Next {
    enum class Kind { chunk, heartbeat, end } kind = Kind::end;
    std::string data;  // chunk or heartbeat text
  };
  // The next chunk, a heartbeat after a quiet interval, or end (closed and drained, or cut).
  boost::asio::awaitable<Next> next();
  // The consumer is done (client gone, write failed, server stopping): nothing more is accepted.
  void finish();
  // Runs when the stream is cut while the consumer may be blocked writing to a client that does not read:
  // the server cancels that write, so a cut client is closed at once.
  void on_cut(std::function<void()> fn) { on_cut_ = std::move(fn); }

 private:
  void end();
  void wake();

  StreamOptions options_;
  boost::asio::steady_timer timer_;
  std::deque<std::string> chunks_;
  std::size_t buffered_ = 0;
  bool closed_ = false;  // producer closed: end after the buffer
  bool ended_ = false;   // over: nothing more is accepted
  bool cut_ = false;
  bool woken_ = false;
  std::function<void()> on_end_, on_drain_, on_cut_;
};

}  // namespace berth::http
