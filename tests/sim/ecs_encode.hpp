// File: tests/sim/ecs_encode.hpp — JSON encoding of ECS shapes (API: epoch seconds) and EventBridge events (ISO-8601).
#pragma once
#include "ecs_state.hpp"

#include <boost/json/object.hpp>

namespace berth::sim {

boost::json::object encode_task(const EcsState& s, const Task& t);
boost::json::object encode_instance(const EcsState& s, const Instance& i);
boost::json::object encode_cluster(const EcsState& s, const Cluster& c);
boost::json::object encode_taskdef(const EcsState& s, const TaskDef& d);

// Whole EventBridge envelopes as sent to SQS ("ECS Task State Change", "ECS Container Instance State Change").
boost::json::object task_event(const EcsState& s, const Task& t, const std::string& event_id);
boost::json::object instance_event(const EcsState& s, const Instance& i, const std::string& event_id);

}  // namespace berth::sim
