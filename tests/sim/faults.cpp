// File: tests/sim/faults.cpp — fault settings (JSON round trip) and fault-aware event delivery to SQS.
#include "faults.hpp"

namespace berth::sim {
namespace json = boost::json;

namespace {
struct Field {
  const char* name;
  double Faults::*member;
  bool is_rate;
};
constexpr Field fields[] = {
    {"event_delay_ms", &Faults::event_delay_ms, false},
    {"event_duplicate_rate", &Faults::event_duplicate_rate, true},
    {"event_reorder_rate", &Faults::event_reorder_rate, true},
    {"event_reorder_window_ms", &Faults::event_reorder_window_ms, false},
    {"event_loss_rate", &Faults::event_loss_rate, true},
    {"api_error_rate", &Faults::api_error_rate, true},
    {"api_lost_response_rate", &Faults::api_lost_response_rate, true},
    {"api_latency_rate", &Faults::api_latency_rate, true},
    {"api_latency_ms", &Faults::api_latency_ms, false},
    {"task_start_failure_rate", &Faults::task_start_failure_rate, true},
};
}  // namespace

json::object Faults::to_json() const {
  json::object o;
  for (const auto& f : fields) o[f.name] = this->*f.member;
  return o;
}

std::optional<std::string> Faults::update(const json::object& in) {
  Faults next = *this;
  for (const auto& [key, val] : in) {
    const Field* f = nullptr;
    for (const auto& c : fields)
      if (key == c.name) f = &c;
    if (!f) return "unknown fault: " + std::string(key);
    if (!val.is_number()) return std::string(key) + " must be a number";
    double v = val.to_number<double>();
    if (v < 0 || (f->is_rate && v > 1) || (!f->is_rate && v > 3600000))
      return std::string(key) + (f->is_rate ? " must be within [0, 1]" : " must be within [0, 3600000]");
    next.*(f->member) = v;
  }
  *this = next;
  return std::nullopt;
}

void EventBus::publish(std::string body) {
  ++stats_.published;
  if (random_.chance(faults_.event_loss_rate)) {
    ++stats_.dropped;
    return;
  }
  double delay = faults_.event_delay_ms;
  if (random_.chance(faults_.event_reorder_rate)) {
    ++stats_.reordered;
    delay += random_.uniform() * faults_.event_reorder_window_ms;
  }
  if (random_.chance(faults_.event_duplicate_rate)) {
    ++stats_.duplicated;
    deliver(body, delay + random_.uniform() * 100.0);
  }
  deliver(std::move(body), delay);
}

void EventBus::deliver(std::string body, double delay_ms) {
  if (delay_ms < 1.0) {
    ++stats_.sent;
    queue_.send(std::move(body));
    return;
  }
  timers_.after(std::chrono::milliseconds(static_cast<long>(delay_ms)), [this, b = std::move(body)]() mutable {
    ++stats_.sent;
    queue_.send(std::move(b));
  });
}

}  // namespace berth::sim
