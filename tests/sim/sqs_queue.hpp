// File: tests/sim/sqs_queue.hpp — one simulated SQS standard queue: long polling, visibility timeout, redelivery.
#pragma once
#include "timers.hpp"
#include "util.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace berth::sim {

struct ReceivedMessage {
  std::string message_id, receipt_handle, md5, body;
  std::int64_t sent_ms = 0, first_receive_ms = 0;
  int receive_count = 0;
};

class SqsQueue {
public:
  SqsQueue(Timers& timers, Random& random, std::string name, std::string url, std::string arn);

  const std::string& name() const { return name_; }
  const std::string& url() const { return url_; }
  const std::string& arn() const { return arn_; }

  // Returns the message id. delay: DelaySeconds (invisible until then).
  std::string send(std::string body, std::chrono::milliseconds delay = {});
  // Returns as soon as at least one message is visible, or when wait has passed.
  boost::asio::awaitable<std::vector<ReceivedMessage>> receive(int max, std::chrono::milliseconds wait,
                                                               std::chrono::seconds visibility);
  enum class HandleResult { ok, invalid, not_inflight };
  HandleResult erase(const std::string& receipt_handle);
  HandleResult change_visibility(const std::string& receipt_handle, std::chrono::seconds visibility);
  void purge();

  std::size_t visible() const { return visible_count_; }
  std::size_t inflight() const { return inflight_count_; }
  std::size_t delayed() const { return delayed_count_; }
  int visibility_timeout_s = 30;
  std::int64_t created_ms = now_ms();

private:
  // Kept compact: an undrained queue under an event storm holds hundreds of thousands of these.
  // The body is the only heap block; the message id is stored as its 16 bytes and the MD5 is
  // computed when a message is received (the body never changes).
  struct Message {
    std::string body;
    std::array<std::uint8_t, 16> id{};
    std::int64_t sent_ms = 0, first_receive_ms = 0;
    std::uint32_t receive_count = 0;
    std::uint32_t generation = 0;  // bumped on each receive; stale visibility timers compare it
    enum class State : std::uint8_t { delayed, visible, inflight } state = State::visible;
  };
  void make_visible(std::uint64_t seq);
  void arm_visibility(std::uint64_t seq, std::chrono::milliseconds after);
  std::optional<std::pair<std::uint64_t, std::uint32_t>> parse_handle(const std::string& h) const;
  void wake();

  Timers& timers_;
  Random& random_;
  std::string name_, url_, arn_;
  std::uint64_t next_seq_ = 1;
  std::unordered_map<std::uint64_t, Message> messages_;
  std::deque<std::uint64_t> ready_;  // visible in arrival order; may hold deleted seqs (skipped)
  std::list<boost::asio::steady_timer*> waiters_;
  std::size_t visible_count_ = 0, inflight_count_ = 0, delayed_count_ = 0;
};

}  // namespace berth::sim
