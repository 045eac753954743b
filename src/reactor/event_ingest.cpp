// File: src/reactor/event_ingest.cpp — decode + apply + dirty keys for one SQS message.
#include "reactor/event_ingest.hpp"

namespace berth::reactor {

IngestStats::IngestStats(metrics::Registry& r)
    : received(metrics::must_counter(r, "berth_events_received_total", "SQS messages handed to the ingest.")),
      applied(metrics::must_counter(r, "berth_events_applied_total", "Events that changed the model.")),
      stale(metrics::must_counter(r, "berth_events_stale_total", "Events older than the model (by version).")),
      ignored(metrics::must_counter(r, "berth_events_ignored_total", "Events of a kind berth does not use.")),
      unknown_cluster(metrics::must_counter(r, "berth_events_unknown_cluster_total",
                                            "Events for a cluster berth does not watch.")),
      malformed(metrics::must_counter(r, "berth_events_malformed_total", "Messages that did not decode (kept).")),
      duplicate(metrics::must_counter(r, "berth_events_duplicate_total",
                                      "Stale events whose EventBridge id was seen recently (SQS redelivery).")) {}

const char* to_string(IngestResult r) {
  switch (r) {
    case IngestResult::applied: return "applied";
    case IngestResult::stale: return "stale";
    case IngestResult::ignored: return "ignored";
    case IngestResult::unknown_cluster: return "unknown_cluster";
    case IngestResult::malformed: return "malformed";
  }
  return "unknown";
}

namespace {
// The envelope's "id": EventBridge serialises it before "detail", so the first "id" key is the envelope's.
// A cheap scan instead of a second JSON parse per message; only used for the duplicate counter.
std::string_view envelope_id(std::string_view body) {
  auto k = body.find("\"id\"");
  if (k == std::string_view::npos) return {};
  auto q1 = body.find('"', body.find(':', k + 4));
  if (q1 == std::string_view::npos) return {};
  auto q2 = body.find('"', q1 + 1);
  if (q2 == std::string_view::npos || q2 - q1 > 128) return {};
  return body.substr(q1 + 1, q2 - q1 - 1);
}
}  // namespace

bool RecentEventIds::seen_before(std::string_view body) {
  auto id = envelope_id(body);
  if (id.empty()) return false;
  std::string key(id);
  if (ids_.contains(key)) return true;
  order_.push_back(key);
  ids_.insert(std::move(key));
  if (order_.size() > capacity_) {
    ids_.erase(order_.front());
    order_.pop_front();
  }
  return false;
}

Ingested EventIngest::finish(const ApplyOutcome& outcome, std::string_view cluster) {
  Ingested out;
  out.cluster = std::string(cluster);
  switch (outcome.result) {
    case ApplyResult::applied:
      out.result = IngestResult::applied;
      ++stats_.applied;
      break;
    case ApplyResult::stale:
      out.result = IngestResult::stale;
      ++stats_.stale;
      break;
    case ApplyResult::other_cluster:  // cannot happen: the model was chosen by the event's cluster
      out.result = IngestResult::unknown_cluster;
      ++stats_.unknown_cluster;
      break;
  }
  out.placement_change = outcome.placement_relevant;
  out.dirty_keys = workloads_.dirty_keys(outcome, cluster);
  return out;
}

Ingested EventIngest::ingest(std::string_view body, SystemTime now) {
  const bool seen = recent_ids_.seen_before(body);
  auto out = ingest_decoded(body, now);
  if (seen && out.result == IngestResult::stale) ++stats_.duplicate;
  return out;
}

Ingested EventIngest::ingest_decoded(std::string_view body, SystemTime now) {
  ++stats_.received;
  auto event = decoder_.decode(body);
  if (!event) {
    ++stats_.malformed;
    Ingested out;
    out.result = IngestResult::malformed;
    out.error = std::move(event.error().message);
    return out;
  }
  auto lookup = [&](const std::string& cluster_arn) -> ClusterModel* {
    return clusters_(cluster_name_from_arn(cluster_arn));
  };
  if (auto* te = std::get_if<TaskEvent>(&*event)) {
    ClusterModel* model = lookup(te->task.cluster_arn);
    if (!model) {
      ++stats_.unknown_cluster;
      return Ingested{IngestResult::unknown_cluster, {}, false, {}, {}};
    }
    return finish(model->apply_task(te->task, now), model->cluster_name());
  }
  if (auto* ie = std::get_if<InstanceEvent>(&*event)) {
    ClusterModel* model = lookup(ie->instance.cluster_arn);
    if (!model) {
      ++stats_.unknown_cluster;
      return Ingested{IngestResult::unknown_cluster, {}, false, {}, {}};
    }
    return finish(model->apply_instance(ie->instance, now), model->cluster_name());
  }
  ++stats_.ignored;
  return Ingested{IngestResult::ignored, {}, false, {}, {}};
}

}  // namespace berth::reactor
