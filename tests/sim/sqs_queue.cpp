// File: tests/sim/sqs_queue.cpp — message store, long-poll wakeups and visibility timers of a simulated queue.
#include "sqs_queue.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace berth::sim {
namespace asio = boost::asio;

namespace {

// "8-4-4-4-12" lowercase hex uuid <-> its 16 bytes.
std::array<std::uint8_t, 16> pack_uuid(const std::string& uuid) {
  std::array<std::uint8_t, 16> out{};
  auto nibble = [](char c) { return static_cast<std::uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10); };
  std::size_t n = 0;
  for (std::size_t i = 0; i + 1 < uuid.size() && n < 32;) {
    if (uuid[i] == '-') {
      ++i;
      continue;
    }
    out[n / 2] = static_cast<std::uint8_t>(nibble(uuid[i]) << 4 | nibble(uuid[i + 1]));
    n += 2;
    i += 2;
  }
  return out;
}

std::string format_uuid(const std::array<std::uint8_t, 16>& id) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(digits[id[i] >> 4]);
    out.push_back(digits[id[i] & 0xf]);
  }
  return out;
}

}  // namespace

SqsQueue::SqsQueue(Timers& timers, Random& random, std::string name, std::string url, std::string arn)
    : timers_(timers), random_(random), name_(std::move(name)), url_(std::move(url)), arn_(std::move(arn)) {}

std::string SqsQueue::send(std::string body, std::optional<std::chrono::milliseconds> delay_or_default) {
  const std::chrono::milliseconds delay = delay_or_default.value_or(std::chrono::seconds(settings.delay_seconds));
  auto seq = next_seq_++;
  Message m;
  std::string id = random_.uuid();
  m.id = pack_uuid(id);
  m.body = std::move(body);
  m.body.shrink_to_fit();  // a body built by appending may carry spare capacity for its whole life
  m.sent_ms = now_ms();
  if (delay.count() > 0) {
    m.state = Message::State::delayed;
    ++delayed_count_;
    messages_.emplace(seq, std::move(m));
    timers_.after(delay, [weak = weak_from_this(), seq] {
      auto self = weak.lock();
      if (!self) return;  // the queue was deleted
      auto it = self->messages_.find(seq);
      if (it == self->messages_.end() || it->second.state != Message::State::delayed) return;
      --self->delayed_count_;
      self->make_visible(seq);
    });
    return id;
  }
  m.state = Message::State::delayed;  // make_visible moves it to visible
  ++delayed_count_;
  messages_.emplace(seq, std::move(m));
  --delayed_count_;
  make_visible(seq);
  return id;
}

void SqsQueue::make_visible(std::uint64_t seq) {
  auto& m = messages_.at(seq);
  if (m.state == Message::State::inflight) --inflight_count_;
  m.state = Message::State::visible;
  ++visible_count_;
  ready_.push_back(seq);
  wake();
}

void SqsQueue::wake() {
  for (auto* t : waiters_) t->cancel();
}

void SqsQueue::arm_visibility(std::uint64_t seq, std::chrono::milliseconds after) {
  auto gen = messages_.at(seq).generation;
  timers_.after(after, [weak = weak_from_this(), seq, gen] {
    auto self = weak.lock();
    if (!self) return;  // the queue was deleted
    auto it = self->messages_.find(seq);
    if (it == self->messages_.end() || it->second.state != Message::State::inflight || it->second.generation != gen)
      return;
    self->make_visible(seq);  // visibility timeout expired: redelivery
  });
}

asio::awaitable<std::vector<ReceivedMessage>> SqsQueue::receive(int max, std::chrono::milliseconds wait,
                                                                 std::chrono::seconds visibility) {
  const auto deadline = Clock::now() + wait;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  std::vector<ReceivedMessage> out;
  for (;;) {
    while (static_cast<int>(out.size()) < max && !ready_.empty()) {
      auto seq = ready_.front();
      ready_.pop_front();
      auto it = messages_.find(seq);
      if (it == messages_.end() || it->second.state != Message::State::visible) continue;
      Message& m = it->second;
      m.state = Message::State::inflight;
      --visible_count_;
      ++inflight_count_;
      ++m.receive_count;
      ++m.generation;
      if (m.first_receive_ms == 0) m.first_receive_ms = now_ms();
      arm_visibility(seq, visibility);
      out.push_back(ReceivedMessage{format_uuid(m.id),
                                    std::to_string(seq) + "-" + std::to_string(m.generation) + "-" + random_.hex(24),
                                    md5_hex(m.body), m.body, m.sent_ms, m.first_receive_ms,
                                    static_cast<int>(m.receive_count)});
    }
    if (closed_ || !out.empty() || Clock::now() >= deadline) co_return out;
    timer.expires_at(deadline);
    waiters_.push_front(&timer);
    auto pos = waiters_.begin();
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    waiters_.erase(pos);
  }
}

std::optional<std::pair<std::uint64_t, std::uint32_t>> SqsQueue::parse_handle(const std::string& h) const {
  auto a = h.find('-');
  auto b = a == std::string::npos ? a : h.find('-', a + 1);
  if (b == std::string::npos) return std::nullopt;
  try {
    return std::pair{std::stoull(h.substr(0, a)), static_cast<std::uint32_t>(std::stoul(h.substr(a + 1, b - a - 1)))};
  } catch (...) {
    return std::nullopt;
  }
}

SqsQueue::HandleResult SqsQueue::erase(const std::string& handle) {
  auto parsed = parse_handle(handle);
  if (!parsed) return HandleResult::invalid;
  auto it = messages_.find(parsed->first);
  if (it == messages_.end()) return HandleResult::ok;  // already deleted: SQS succeeds silently
  switch (it->second.state) {
    case Message::State::visible: --visible_count_; break;
    case Message::State::inflight: --inflight_count_; break;
    case Message::State::delayed: --delayed_count_; break;
  }
  messages_.erase(it);
  return HandleResult::ok;
}

SqsQueue::HandleResult SqsQueue::change_visibility(const std::string& handle, std::chrono::seconds visibility) {
  auto parsed = parse_handle(handle);
  if (!parsed) return HandleResult::invalid;
  auto it = messages_.find(parsed->first);
  if (it == messages_.end() || it->second.state != Message::State::inflight) return HandleResult::not_inflight;
  ++it->second.generation;  // invalidates the pending timer
  if (visibility.count() == 0) {
    make_visible(parsed->first);
  } else {
    arm_visibility(parsed->first, visibility);
  }
  return HandleResult::ok;
}

void SqsQueue::purge() {
  messages_.clear();
  ready_.clear();
  visible_count_ = inflight_count_ = delayed_count_ = 0;
}

void SqsQueue::close() {
  purge();
  closed_ = true;
  wake();
}

}  // namespace berth::sim
