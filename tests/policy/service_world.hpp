// File: tests/policy/service_world.hpp — fixtures for the replica-service tests: instances in AZs with
// chosen capacity, and the service's tasks, on top of SnapshotBuilder.
#pragma once

#include "snapshot_builder.hpp"

#include "policy/service_spec.hpp"

#include <string>

namespace berth::policy::testing {

struct ServiceWorld : SnapshotBuilder {
  std::string service = "web";
  WorkloadKey key() const { return WorkloadKey::service(service); }

  SnapshotInstance& add_az_instance(int i, std::string az, CpuMemory capacity = {4096, 8192},
                                    InstanceStatus st = InstanceStatus::active, bool connected = true) {
    auto& inst = add_instance(i, {{"ecs.availability-zone", az}, {"ecs.os-type", "linux"}}, st, connected);
    inst.availability_zone = keep(az);
    inst.registered = inst.remaining = capacity;
    return inst;
  }
  // 3 AZs (a, b, c), instance i in AZ i % 3.
  void add_spread_cluster(int instances, CpuMemory capacity = {4096, 8192}) {
    static const char* azs[] = {"us-east-1a", "us-east-1b", "us-east-1c"};
    for (int i = 0; i < instances; ++i) add_az_instance(i, azs[i % 3], capacity);
  }
  // A task of the service: its reservation is subtracted from the instance, as the model reports it.
  SnapshotTask& add_service_task(int instance, std::string td, TaskStatus st = TaskStatus::running,
                                 std::chrono::seconds healthy_for = 3600s, std::string deployment = "d1",
                                 CpuMemory reserved = {256, 512}) {
    auto& t = add_task(key(), instance, std::move(td), st, healthy_for, std::move(deployment));
    t.reserved = reserved;
    if (st != TaskStatus::stopped)
      for (auto& inst : snap.instances)
        if (inst.arn == t.instance_arn) {
          inst.remaining.cpu -= reserved.cpu;
          inst.remaining.memory -= reserved.memory;
        }
    return t;
  }
  std::string_view az_of(std::string_view instance_arn) const {
    for (const auto& i : snap.instances)
      if (i.arn == instance_arn) return i.availability_zone;
    return {};
  }
};

inline ServiceSpec make_spec(std::int32_t desired, std::string td = "web:1") {
  ServiceSpec s;
  s.name = "web";
  s.cluster = "c";
  s.task_definition = std::move(td);
  s.desired_count = desired;
  s.deployment.min_healthy_seconds = 10;
  return s;
}

}  // namespace berth::policy::testing
