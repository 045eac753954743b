// File: tests/support/sim_calls.hpp — test support: SigV4-signed ECS/SQS calls to a berth-sim child with its
// default credentials (works with or without --no-auth), for operations berth does not make itself.
#pragma once

#include "sim_process.hpp"  // berth::sim::HttpResult, SimProcess

#include <boost/json/value.hpp>

#include <string>

namespace berth::testing {

// The credentials berth-sim accepts by default.
inline constexpr const char* sim_access_key = "AKIDEXAMPLE";
inline constexpr const char* sim_secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// One signed ECS JSON 1.1 / SQS JSON 1.0 call (region us-east-1); the answer as it came, errors included.
sim::HttpResult ecs_call(const sim::SimProcess& sim, const std::string& op, const boost::json::value& body);
sim::HttpResult sqs_call(const sim::SimProcess& sim, const std::string& op, const boost::json::value& body);

// RegisterTaskDefinition of a one-container family (with a trivial health check when asked); returns
// "family:revision". Throws std::runtime_error on an error answer.
std::string register_task_definition(const sim::SimProcess& sim, const std::string& family, int cpu = 128,
                                     int memory = 128, bool health_check = false);

}  // namespace berth::testing
