// File: tests/e2e/stream_reader.hpp — one chunked streaming answer read by hand over a loopback socket (Blox's
// cluster-state streams, Marathon's /v2/events): the status line and headers, then chunk by chunk.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

namespace berth::e2e {

// One chunked streaming answer read by hand: the status line, then one JSON object per chunk (heartbeat lines
// skipped). Blocking, with a receive timeout per read.
class StreamReader {
 public:
  // `headers`: extra request header lines, each ending in "\r\n" ("Accept: text/event-stream\r\n").
  StreamReader(unsigned short port, const std::string& target, const std::string& headers = {}) : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    timeval tv{1, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n";
    boost::asio::write(socket_, boost::asio::buffer(request));
    while (buffer_.find("\r\n\r\n") == std::string::npos) {
      if (!fill()) throw std::runtime_error("no stream header; got: " + buffer_);
    }
    auto end = buffer_.find("\r\n\r\n");
    head_ = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
  }

  const std::string& head() const { return head_; }
  unsigned status() const { return static_cast<unsigned>(std::stoi(head_.substr(9, 3))); }

  // The next JSON item, or nullopt when none came before `deadline` or the stream ended.
  std::optional<boost::json::value> next(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
      auto chunk = next_chunk(deadline);
      if (!chunk) return std::nullopt;
      std::string text = *chunk;
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      if (text.empty()) continue;  // heartbeat
      return boost::json::parse(text);
    }
  }

  // The next chunk's data as sent (heartbeats included), or nullopt when none came before `deadline` or the
  // stream ended.
  std::optional<std::string> next_chunk(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
      if (auto chunk = take_chunk()) {
        if (chunk->empty()) return std::nullopt;  // the last chunk
        return chunk;
      }
      if (std::chrono::steady_clock::now() > deadline || ended_) return std::nullopt;
      fill();
    }
  }

 private:
  // One chunk's data from the buffer ("" for the last chunk), or nullopt when not all of it is here yet.
  std::optional<std::string> take_chunk() {
    auto eol = buffer_.find("\r\n");
    if (eol == std::string::npos) return std::nullopt;
    const std::size_t size = std::stoul(buffer_.substr(0, eol), nullptr, 16);
    if (buffer_.size() < eol + 2 + size + 2) return std::nullopt;
    std::string data = buffer_.substr(eol + 2, size);
    buffer_.erase(0, eol + 2 + size + 2);
    return data;
  }
  bool fill() {
    char data[8192];
    boost::system::error_code ec;
    auto n = socket_.read_some(boost::asio::buffer(data), ec);
    if (ec == boost::asio::error::eof) ended_ = true;
    buffer_.append(data, n);
    return n > 0;
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  std::string head_, buffer_;
  bool ended_ = false;
};

}  // namespace berth::e2e
