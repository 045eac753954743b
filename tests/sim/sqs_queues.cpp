// File: tests/sim/sqs_queues.cpp — creating, finding and deleting the sim's SQS queues.
#include "sqs_queues.hpp"

#include <cctype>

namespace berth::sim {

namespace {

ApiError no_such_queue() { return ApiError{"QueueDoesNotExist", "The specified queue does not exist.", 400}; }

// SQS: 1 to 80 characters, alphanumeric, hyphens and underscores (".fifo" only for FIFO queues).
bool valid_queue_name(const std::string& name) {
  if (name.empty() || name.size() > 80) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

}  // namespace

SqsQueues::SqsQueues(Timers& timers, Random& random, std::string endpoint, std::string region,
                     const std::string& event_queue)
    : timers_(timers), random_(random), endpoint_(std::move(endpoint)), region_(std::move(region)) {
  event_queue_ = make(event_queue);
}

std::shared_ptr<SqsQueue> SqsQueues::make(const std::string& name) {
  auto q = std::make_shared<SqsQueue>(timers_, random_, name, endpoint_ + "/" + account + "/" + name,
                                      "arn:aws:sqs:" + region_ + ":" + account + ":" + name);
  queues_[name] = q;
  return q;
}

SqsQueues::Created SqsQueues::create(const std::string& name, const boost::json::object& attributes) {
  if (name.size() > 5 && name.compare(name.size() - 5, 5, ".fifo") == 0)
    return {nullptr, ApiError{"UnsupportedOperation", "The sim serves standard queues only (" + name + " is a FIFO queue name).", 400}};
  if (!valid_queue_name(name))
    return {nullptr, ApiError{"InvalidParameterValue",
                              "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length", 400}};
  QueueSettings settings;
  if (auto bad = apply_queue_attributes(attributes, settings)) return {nullptr, std::move(bad)};
  if (auto existing = by_name(name)) {
    if (auto differs = differing_queue_attribute(attributes, existing->settings))
      return {nullptr, ApiError{"QueueNameExists",
                                "A queue already exists with the same name and a different value for attribute " +
                                    *differs,
                                400}};
    return {existing, std::nullopt};
  }
  auto q = make(name);
  q->settings = std::move(settings);
  return {q, std::nullopt};
}

std::shared_ptr<SqsQueue> SqsQueues::by_name(const std::string& name) const {
  auto it = queues_.find(name);
  return it == queues_.end() ? nullptr : it->second;
}

std::shared_ptr<SqsQueue> SqsQueues::by_url(const std::string& url) const {
  std::string::size_type path = 0;
  if (auto scheme = url.find("://"); scheme != std::string::npos) {
    path = url.find('/', scheme + 3);
    if (path == std::string::npos) return nullptr;
  }
  const std::string prefix = std::string("/") + account + "/";
  if (url.compare(path, prefix.size(), prefix) != 0) return nullptr;
  std::string name = url.substr(path + prefix.size());
  if (name.find('/') != std::string::npos) return nullptr;
  return by_name(name);
}

std::optional<ApiError> SqsQueues::remove(const std::string& name) {
  auto it = queues_.find(name);
  if (it == queues_.end()) return no_such_queue();
  if (it->second == event_queue_)
    return ApiError{"UnsupportedOperation",
                    "berth-sim: the event queue " + name + " cannot be deleted (ECS events are delivered to it).", 400};
  it->second->close();
  queues_.erase(it);
  return std::nullopt;
}

}  // namespace berth::sim
