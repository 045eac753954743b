// File: src/reactor/work_queue_core.cpp — dirty/processing sets, delayed keys, fast/slow retries, token bucket.
#include "reactor/work_queue_core.hpp"

#include <algorithm>
#include <cstdint>

namespace berth::reactor {

TokenBucket::TokenBucket(double rate, std::uint32_t burst, MonoTime now)
    : rate_(rate), burst_(std::max<double>(1, burst)), tokens_(burst_), last_(now) {}

void TokenBucket::refill(MonoTime now) {
  if (now <= last_) return;
  std::chrono::duration<double> dt = now - last_;
  tokens_ = std::min(burst_, tokens_ + dt.count() * rate_);
  last_ = now;
}

bool TokenBucket::try_take(MonoTime now) {
  refill(now);
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

MonoTime TokenBucket::next_token(MonoTime now) const {
  std::chrono::duration<double> dt = now > last_ ? now - last_ : MonoTime::duration::zero();
  double tokens = std::min(burst_, tokens_ + dt.count() * rate_);
  if (tokens >= 1 || rate_ <= 0) return now;
  auto wait = std::chrono::duration<double>((1 - tokens) / rate_);
  return now + std::chrono::ceil<MonoTime::duration>(wait);
}

WorkQueueCore::WorkQueueCore(WorkQueueSettings settings, MonoTime now)
    : settings_(settings), bucket_(settings.rate_per_second, settings.burst, now) {}

void WorkQueueCore::enqueue(const WorkloadKey& key) {
  if (auto w = waiting_.find(key); w != waiting_.end()) {  // ready now supersedes a delay
    delayed_.erase(w->second);
    waiting_.erase(w);
  }
  if (!dirty_.insert(key).second) return;  // already queued (or re-added while processing)
  if (!processing_.contains(key)) lane(key).push_back(key);
}

void WorkQueueCore::add(const WorkloadKey& key) { enqueue(key); }

void WorkQueueCore::add_after(const WorkloadKey& key, MonoTime at) {
  if (dirty_.contains(key)) return;  // will run soon anyway
  if (auto w = waiting_.find(key); w != waiting_.end()) {
    if (w->second->first <= at) return;  // earliest wins
    delayed_.erase(w->second);
    waiting_.erase(w);
  }
  waiting_[key] = delayed_.emplace(at, key);
}

void WorkQueueCore::promote(MonoTime now) {
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    WorkloadKey key = delayed_.begin()->second;
    delayed_.erase(delayed_.begin());
    waiting_.erase(key);
    enqueue(key);
  }
}

std::optional<WorkloadKey> WorkQueueCore::pop(MonoTime now) {
  promote(now);
  auto& from = !unpaced_.empty() ? unpaced_ : queue_;
  if (from.empty() || (&from == &queue_ && !bucket_.try_take(now))) return std::nullopt;
  WorkloadKey key = std::move(from.front());
  from.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  return key;
}

std::chrono::milliseconds WorkQueueCore::retry_delay(std::uint32_t n) const {
  if (n > settings_.max_fast_retries) return settings_.slow_retry;
  auto d = settings_.backoff_base;
  for (std::uint32_t i = 1; i < n && d < settings_.backoff_max; ++i) d *= 2;
  return std::min(d, settings_.backoff_max);
}

void WorkQueueCore::done(const WorkloadKey& key, bool success, MonoTime now) {
  processing_.erase(key);
  std::uint32_t n = 0;
  if (success) {
    requeues_.erase(key);
  } else {
    auto& r = requeues_[key];
    r = r == UINT32_MAX ? r : r + 1;  // saturates: the slow lane needs only "more than max_fast_retries"
    n = r;
  }
  if (dirty_.contains(key)) {
    lane(key).push_back(key);
    return;
  }
  if (!success) add_after(key, now + retry_delay(n));
}

std::optional<MonoTime> WorkQueueCore::next_ready(MonoTime now) const {
  if (!unpaced_.empty()) return now;
  if (!queue_.empty()) return bucket_.next_token(now);
  if (!delayed_.empty()) return std::max(delayed_.begin()->first, bucket_.next_token(now));
  return std::nullopt;
}

std::uint32_t WorkQueueCore::requeues(const WorkloadKey& key) const {
  auto it = requeues_.find(key);
  return it == requeues_.end() ? 0 : it->second;
}

std::size_t WorkQueueCore::slow_lane() const {
  std::size_t n = 0;
  for (const auto& [key, r] : requeues_) n += r > settings_.max_fast_retries ? 1 : 0;
  return n;
}

}  // namespace berth::reactor
