// File: tests/sim/sqs_attributes.hpp — a simulated queue's settable attributes: parsing, comparison, reporting.
#pragma once
#include "api_error.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace berth::sim {

// What CreateQueue/SetQueueAttributes may set on a standard queue. The numbers change how the
// queue behaves (defaults of SendMessage and ReceiveMessage, the size limit); the opaque ones
// (Policy, RedrivePolicy, KMS, SSE) are stored and reported, not acted on.
struct QueueSettings {
  int delay_seconds = 0;                        // 0-900: default DelaySeconds of a sent message
  int maximum_message_size = 1048576;           // 1024-1048576 bytes
  int message_retention_period = 345600;        // 60-1209600 s (reported; messages are not expired)
  int receive_message_wait_time_seconds = 0;    // 0-20: default WaitTimeSeconds of ReceiveMessage
  int visibility_timeout = 30;                  // 0-43200: default VisibilityTimeout of ReceiveMessage
  std::map<std::string, std::string> opaque;    // Policy, RedrivePolicy, ... as given
};

// Applies a CreateQueue/SetQueueAttributes "Attributes" map to `settings`. On error (unknown or
// read-only name: InvalidAttributeName; bad value: InvalidAttributeValue; FIFO attributes:
// UnsupportedOperation) `settings` is left unchanged.
std::optional<ApiError> apply_queue_attributes(const boost::json::object& attributes, QueueSettings& settings);

// The first attribute of a CreateQueue "Attributes" map whose value differs from the queue's
// (SQS answers QueueNameExists only then; attributes left out are not compared).
std::optional<std::string> differing_queue_attribute(const boost::json::object& attributes,
                                                     const QueueSettings& settings);

// A settable attribute's value as GetQueueAttributes reports it; empty for an unset opaque one.
std::optional<std::string> queue_setting(const QueueSettings& settings, std::string_view name);

}  // namespace berth::sim
