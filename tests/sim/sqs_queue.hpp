// File: tests/sim/sqs_queue.hpp — one simulated SQS standard queue: long polling, visibility timeout, redelivery.
#pragma once
#include "sqs_attributes.hpp"
#include "timers.hpp"
#include "util.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
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

// Always owned by a shared_ptr (SqsQueues): timers hold weak references, so a deleted queue's
// pending visibility and delay timers are no-ops, and a ReceiveMessage in progress keeps it alive.
class SqsQueue : public std::enable_shared_from_this<SqsQueue> {
public:
  SqsQueue(Timers& timers, Random& random, std::string name, std::string url, std::string arn);

  const std::string& name() const { return name_; }
  const std::string& url() const { return url_; }
  const std::string& arn() const { return arn_; }

  // Returns the message id. delay: DelaySeconds (invisible until then); none: the queue's DelaySeconds.
  std::string send(std::string body, std::optional<std::chrono::milliseconds> delay = std::nullopt);
  // Returns as soon as at least one message is visible, or when wait has passed (at once, empty,
  // once the queue is closed).
  boost::asio::awaitable<std::vector<ReceivedMessage>> receive(int max, std::chrono::milliseconds wait,
                                                               std::chrono::seconds visibility);
  enum class HandleResult { ok, invalid, not_inflight };
  HandleResult erase(const std::string& receipt_handle);
  HandleResult change_visibility(const std::string& receipt_handle, std::chrono::seconds visibility);
  void purge();
  // DeleteQueue: drops every message and ends the long polls waiting on this queue.
  void close();

  std::size_t visible() const { return visible_count_; }
  std::size_t inflight() const { return inflight_count_; }
  std::size_t delayed() const { return delayed_count_; }
  QueueSettings settings;
  std::int64_t created_ms = now_ms();
  std::int64_t last_modified_ms = created_ms;

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
  bool closed_ = false;
};

}  // namespace berth::sim
