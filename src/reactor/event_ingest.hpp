// File: src/reactor/event_ingest.hpp — one SQS message body in: decode, apply to the right cluster
// model, say which environments it made dirty and whether the message may be deleted. No I/O.
//
//   body --EventDecoder--> typed event --ClusterModel::apply_*--> ApplyOutcome
//        --WorkloadIndex::dirty_keys--> keys for the WorkQueue
//
// Deletion rule: a message is deleted once applied (or found stale, ignored, or for a cluster
// berth does not manage); a malformed one is kept, so the queue's redrive policy dead-letters it.
#pragma once

#include "metrics/registry.hpp"
#include "reactor/cluster_model.hpp"
#include "reactor/workload_index.hpp"
#include "reactor/event_decode.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace berth::reactor {

enum class IngestResult : unsigned char { applied, stale, ignored, unknown_cluster, malformed };
const char* to_string(IngestResult r);

struct Ingested {
  IngestResult result = IngestResult::ignored;
  std::vector<policy::WorkloadKey> dirty_keys;
  bool placement_change = false;  // an instance change: prefer a short batching delay for the keys
  std::string cluster;            // the cluster name the event was for (when known)
  std::string error;              // for malformed messages
  bool delete_message() const { return result != IngestResult::malformed; }
};

// Series of the metrics registry (berth_events_<field>_total): the registry is the one source of truth.
struct IngestStats {
  explicit IngestStats(metrics::Registry& registry);
  metrics::Counter &received, &applied, &stale, &ignored, &unknown_cluster, &malformed;
  metrics::Counter& duplicate;  // stale, with an EventBridge id seen recently: SQS redelivered it
};

// The EventBridge ids of the last `capacity` messages, to tell a redelivered duplicate from a merely late
// event (both are stale; only the count differs).
class RecentEventIds {
 public:
  explicit RecentEventIds(std::size_t capacity = 8192) : capacity_(capacity) {}
  // Remembers the body's envelope id; true if it was already there.
  bool seen_before(std::string_view sqs_body);

 private:
  std::size_t capacity_;
  std::deque<std::string> order_;
  std::unordered_set<std::string> ids_;
};

class EventIngest {
 public:
  // Returns the model of a cluster by name, or null if berth does not manage it (bootstrapped or not:
  // events are applied from the start, the bootstrap listing settles the model by version).
  using ModelLookup = std::function<ClusterModel*(std::string_view cluster_name)>;

  // Counts into `registry` (which must outlive the ingest).
  EventIngest(ModelLookup clusters, const WorkloadIndex& workloads, metrics::Registry& registry)
      : clusters_(std::move(clusters)), workloads_(workloads), stats_(registry) {}

  Ingested ingest(std::string_view sqs_body, SystemTime now);
  const IngestStats& stats() const { return stats_; }

 private:
  Ingested ingest_decoded(std::string_view sqs_body, SystemTime now);
  Ingested finish(const ApplyOutcome& outcome, std::string_view cluster);

  ModelLookup clusters_;
  const WorkloadIndex& workloads_;
  EventDecoder decoder_;
  RecentEventIds recent_ids_;
  IngestStats stats_;
};

}  // namespace berth::reactor
