// File: src/reactor/event_ingest.cpp — decode + apply + dirty keys for one SQS message.
#include "reactor/event_ingest.hpp"

namespace berth::reactor {

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

Ingested EventIngest::finish(const ApplyOutcome& outcome, std::string_view cluster) {
  Ingested out;
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
  out.dirty_keys = environments_.dirty_keys(outcome, cluster);
  return out;
}

Ingested EventIngest::ingest(std::string_view body, SystemTime now) {
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
      return Ingested{IngestResult::unknown_cluster, {}, false, {}};
    }
    return finish(model->apply_task(te->task, now), model->cluster_name());
  }
  if (auto* ie = std::get_if<InstanceEvent>(&*event)) {
    ClusterModel* model = lookup(ie->instance.cluster_arn);
    if (!model) {
      ++stats_.unknown_cluster;
      return Ingested{IngestResult::unknown_cluster, {}, false, {}};
    }
    return finish(model->apply_instance(ie->instance, now), model->cluster_name());
  }
  ++stats_.ignored;
  return Ingested{IngestResult::ignored, {}, false, {}};
}

}  // namespace berth::reactor
