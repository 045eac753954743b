// File: tests/policy/snapshot_builder.hpp — builds ClusterSnapshots for the policy piece tests: owns
// the strings and attribute lists the snapshot's views point to.
#pragma once

#include "policy/cluster_snapshot.hpp"
#include "policy/ownership.hpp"

#include <chrono>
#include <cstdio>
#include <deque>
#include <string>
#include <utility>
#include <vector>

namespace berth::policy::testing {

using namespace std::chrono_literals;
inline const SystemTime t0 = SystemTime{} + std::chrono::hours(24 * 365 * 50);

struct SnapshotBuilder {
  std::deque<std::string> strings;
  std::deque<std::vector<AttributeView>> attrs;
  std::deque<std::vector<std::uint16_t>> ports;
  ClusterSnapshot snap;
  int task_counter = 0;

  // Tests hold references to what add_* returned: reserve so that adding more never moves them.
  static constexpr std::size_t max_instances = 1000, max_tasks = 4000;
  SnapshotBuilder() {
    snap.instances.reserve(max_instances);
    snap.tasks.reserve(max_tasks);
  }
  SnapshotBuilder(const SnapshotBuilder&) = delete;
  SnapshotBuilder& operator=(const SnapshotBuilder&) = delete;

  std::string_view keep(std::string s) { return strings.emplace_back(std::move(s)); }
  static std::string inst_arn(int i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "arn:aws:ecs:us-east-1:1:container-instance/c/%04d", i);
    return buf;
  }

  SnapshotInstance& add_instance(int i, std::vector<std::pair<std::string, std::string>> a = {},
                                 InstanceStatus st = InstanceStatus::active, bool connected = true) {
    auto& v = attrs.emplace_back();
    for (auto& [k, val] : a) v.push_back({keep(k), keep(val), true});
    SnapshotInstance inst;
    inst.arn = keep(inst_arn(i));
    inst.ec2_instance_id = keep("i-" + std::to_string(i));
    inst.status = st;
    inst.agent_connected = connected;
    inst.attributes = v;
    inst.registered = inst.remaining = {4096, 8192};
    return snap.instances.emplace_back(inst);
  }
  std::span<const std::uint16_t> keep_ports(std::vector<std::uint16_t> p) { return ports.emplace_back(std::move(p)); }

  // A task of `workload` on instance i. `healthy_for` < 0 means not yet healthy.
  SnapshotTask& add_task(const WorkloadKey& workload, int i, std::string td, TaskStatus st = TaskStatus::running,
                         std::chrono::seconds healthy_for = 3600s, std::string deployment = "") {
    SnapshotTask t;
    t.arn = keep("arn:aws:ecs:us-east-1:1:task/c/t" + std::to_string(++task_counter));
    t.instance_arn = keep(inst_arn(i));
    t.task_definition = keep(std::move(td));
    t.started_by = keep(encode_started_by(workload));
    t.group = keep(*encode_group(workload, deployment));
    t.last_status = st;
    t.desired_status = st == TaskStatus::stopped ? TaskStatus::stopped : TaskStatus::running;
    if (st == TaskStatus::running && healthy_for >= 0s) {
      t.healthy_since = t0 - healthy_for;
      t.ever_healthy = true;
    }
    return snap.tasks.emplace_back(t);
  }
};

}  // namespace berth::policy::testing
