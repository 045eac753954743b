// File: src/http/stream.cpp — the bounded chunk channel between a streaming producer and the server.
#include "http/stream.hpp"

#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace berth::http {

namespace asio = boost::asio;

StreamChannel::StreamChannel(asio::any_io_executor executor, StreamOptions options)
    : options_(std::move(options)), timer_(std::move(executor)) {}

bool StreamChannel::push(std::string chunk) {
  if (ended_ || closed_) return false;
  if (buffered_ + chunk.size() > options_.max_buffered_bytes) {
    // A client that does not keep up is cut rather than buffered without bound or waited for.
    cut_ = true;
    end();
    return false;
  }
  buffered_ += chunk.size();
  chunks_.push_back(std::move(chunk));
  wake();
  return true;
}

void StreamChannel::close() {
  if (ended_ || closed_) return;
  closed_ = true;
  wake();
}

void StreamChannel::finish() { end(); }

void StreamChannel::cut() {
  if (ended_) return;
  cut_ = true;
  end();
}

void StreamChannel::end() {
  if (ended_) return;
  ended_ = true;
  chunks_.clear();
  buffered_ = 0;
  wake();
  auto cut_fn = std::exchange(on_cut_, nullptr);
  auto end_fn = std::exchange(on_end_, nullptr);
  on_drain_ = nullptr;
  if (cut_ && cut_fn) cut_fn();
  if (end_fn) end_fn();
}

void StreamChannel::wake() {
  woken_ = true;
  timer_.cancel();
}

asio::awaitable<StreamChannel::Next> StreamChannel::next() {
  for (;;) {
    if (ended_) co_return Next{Next::Kind::end, {}};
    if (!chunks_.empty()) {
      Next out{Next::Kind::chunk, std::move(chunks_.front())};
      chunks_.pop_front();
      buffered_ -= out.data.size();
      if (on_drain_) on_drain_();
      co_return out;
    }
    if (closed_) {
      end();
      co_return Next{Next::Kind::end, {}};
    }
    woken_ = false;
    timer_.expires_after(options_.heartbeat_interval);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!woken_) co_return Next{Next::Kind::heartbeat, options_.heartbeat};
  }
}

}  // namespace berth::http
