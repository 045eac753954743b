// File: tests/sim/sqs_queues.hpp — the sim's SQS queues by name: the event queue plus any a client creates.
#pragma once
#include "api_error.hpp"
#include "sqs_queue.hpp"

#include <boost/json/object.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace berth::sim {

// Queue URLs are "<endpoint>/<account>/<name>" and ARNs "arn:aws:sqs:<region>:<account>:<name>",
// as SQS forms them. The event queue (--queue) exists from the start and cannot be deleted: ECS
// events would have nowhere to go.
class SqsQueues {
public:
  static constexpr const char* account = "000000000000";

  SqsQueues(Timers& timers, Random& random, std::string endpoint, std::string region, const std::string& event_queue);

  SqsQueue& event_queue() { return *event_queue_; }
  const SqsQueue& event_queue() const { return *event_queue_; }

  struct Created {
    std::shared_ptr<SqsQueue> queue;  // null on error
    std::optional<ApiError> error;
  };
  // CreateQueue: a new queue, or the existing one when every given attribute matches it.
  Created create(const std::string& name, const boost::json::object& attributes);
  // Null when there is no such queue. by_url accepts any scheme and host (clients may rewrite
  // them) but needs the path "/<account>/<name>".
  std::shared_ptr<SqsQueue> by_name(const std::string& name) const;
  std::shared_ptr<SqsQueue> by_url(const std::string& url) const;
  // DeleteQueue of an existing queue (QueueDoesNotExist otherwise).
  std::optional<ApiError> remove(const std::string& name);
  // In name order.
  const std::map<std::string, std::shared_ptr<SqsQueue>>& all() const { return queues_; }

private:
  std::shared_ptr<SqsQueue> make(const std::string& name);

  Timers& timers_;
  Random& random_;
  std::string endpoint_, region_;
  std::map<std::string, std::shared_ptr<SqsQueue>> queues_;
  std::shared_ptr<SqsQueue> event_queue_;
};

}  // namespace berth::sim
