// File: tests/e2e/e2e_harness.hpp — end-to-end test support: the shared harness of tests/support (berth and
// berth-sim children, signed sim calls, the sim's state as structs) brought into berth::e2e, plus the Blox API
// helpers only the e2e suite uses.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

// The test files rely on these through this header.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "berth_process.hpp"
#include "http_call.hpp"
#include "sim_calls.hpp"
#include "sim_process.hpp"
#include "sim_view.hpp"
#include "temp_dir.hpp"
#include "wait_until.hpp"

namespace berth::e2e {

namespace json = boost::json;
using sim::HttpResult;
using sim::SimProcess;
using namespace std::chrono_literals;

using berth::testing::BerthOptions;
using berth::testing::BerthProcess;
using berth::testing::check_one_per_instance;
using berth::testing::describe_env_tasks;
using berth::testing::ecs_call;
using berth::testing::ecs_call_counts;
using berth::testing::http_call;
using berth::testing::overlapping_tasks;
using berth::testing::register_task_definition;
using berth::testing::sim_view;
using berth::testing::SimInstance;
using berth::testing::SimTask;
using berth::testing::SimView;
using berth::testing::sqs_call;
using berth::testing::TempDir;
using berth::testing::wait_until;

// Blox API bodies.
json::object environment_body(const std::string& name, const std::string& task_definition,
                              const std::string& cluster = "default");
// GET .../deployments/{id} "status", Blox's pending | running | completed (empty if the call failed).
std::string deployment_status(const BerthProcess& berth, const std::string& env, const std::string& id);
// Waits until the deployment is over; returns berth's "outcome" (succeeded, failed, rolled_back) or "".
// Stops early (returning "") if berth exits.
std::string wait_deployment_final(BerthProcess& berth, const std::string& env, const std::string& id,
                                  std::chrono::milliseconds timeout);

}  // namespace berth::e2e
