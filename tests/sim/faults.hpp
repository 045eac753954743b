// File: tests/sim/faults.hpp — fault-injection settings (start flags and POST /_sim/faults) and the event bus.
#pragma once
#include "sqs_queue.hpp"
#include "timers.hpp"
#include "util.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace berth::sim {

struct Faults {
  double event_delay_ms = 0;             // every event reaches the queue this late
  double event_duplicate_rate = 0;       // probability an event is sent twice
  double event_reorder_rate = 0;         // probability an event gets an extra random delay
  double event_reorder_window_ms = 2000;  // ... of up to this many ms (so later events overtake it)
  double event_loss_rate = 0;            // probability an event is never sent
  double api_error_rate = 0;             // probability an API call fails with a 500 (nothing done)
  double api_lost_response_rate = 0;     // probability an API call is carried out, then answered with a 500
  double api_latency_rate = 0;           // probability an API call is slowed by api_latency_ms
  double api_latency_ms = 0;
  double task_start_failure_rate = 0;    // probability a task stops with TaskFailedToStart

  boost::json::object to_json() const;
  // Applies the members present in `in`; returns an error for unknown members or bad values.
  std::optional<std::string> update(const boost::json::object& in);
};

struct EventStats {
  std::uint64_t published = 0, sent = 0, dropped = 0, duplicated = 0, reordered = 0;
};

// Delivers ECS events to the queue through the configured faults. Events without faults go
// straight in, in change order; delays use the shared Timers (stable for equal due times).
class EventBus {
public:
  EventBus(Timers& timers, Random& random, const Faults& faults, SqsQueue& queue)
      : timers_(timers), random_(random), faults_(faults), queue_(queue) {}
  void publish(std::string body);
  const EventStats& stats() const { return stats_; }

private:
  void deliver(std::string body, double delay_ms);
  Timers& timers_;
  Random& random_;
  const Faults& faults_;
  SqsQueue& queue_;
  EventStats stats_;
};

}  // namespace berth::sim
