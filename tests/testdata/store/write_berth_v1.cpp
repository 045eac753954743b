// File: tests/testdata/store/write_berth_v1.cpp — how berth-v1.db was written. NOT BUILT: it compiles only
// against the store::Store of commit 79e5273 (schema version 1), which is the point: the fixture is a file that
// berth as shipped before the async store (issue 10) wrote, and tests/store/store_migration_test.cpp opens it
// with today's code. Built once by hand:
//   g++ -std=c++20 -Isrc write_berth_v1.cpp build/src/store/libberth_store.a -lsqlite3 -lboost_json -o w && ./w
#include "store/store.hpp"

#include <chrono>
#include <cstdio>

using namespace berth;
using std::chrono::seconds;

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "berth-v1.db";
  auto opened = store::Store::open(path);
  if (!opened) return std::fprintf(stderr, "%s\n", opened.error().message.c_str()), 1;
  auto& s = **opened;
  const policy::SystemTime t0{seconds(1'780'000'000)};

  policy::Environment web;
  web.name = "web";
  web.cluster = "prod";
  web.attributes = {{"stack", "blue"}};
  web.constraint = "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]";
  web.rollout.max_unavailable = "25%";
  web.rollout.min_healthy = seconds(30);
  web.rollout.deadline = seconds(900);
  web.rollout.max_failures = 5;
  web.rollout.auto_rollback = false;
  web.created_at = web.updated_at = t0;
  policy::Deployment d1;
  d1.id = "d-web-1";
  d1.environment = "web";
  d1.task_definition = "web:1";
  d1.token = "token-1";
  d1.desired_count = 3;
  d1.created_at = t0;
  if (!s.create_environment_with_deployment(web, d1)) return 2;
  if (!s.finish_deployment("d-web-1", policy::DeploymentStatus::completed, "", t0 + seconds(60))) return 3;

  policy::Deployment d2;
  d2.id = "d-web-2";
  d2.environment = "web";
  d2.task_definition = "web:2";
  d2.created_at = t0 + seconds(120);
  auto started = s.start_deployment(d2);
  if (!started) return 4;
  policy::Deployment progress = started->deployment;
  progress.status = policy::DeploymentStatus::running;
  progress.updated_count = 1;
  progress.failed_count = 1;
  progress.failed_instances = {"arn:aws:ecs:us-east-1:123456789012:container-instance/prod/i-1"};
  progress.started_at = t0 + seconds(121);
  if (!s.update_deployment(progress)) return 5;

  policy::Environment agent;
  agent.name = "agent";
  agent.cluster = "staging";
  agent.created_at = agent.updated_at = t0 + seconds(5);
  policy::Deployment a1;
  a1.id = "d-agent-1";
  a1.environment = "agent";
  a1.task_definition = "agent:7";
  a1.desired_count = 2;
  a1.created_at = t0 + seconds(5);
  if (!s.create_environment_with_deployment(agent, a1)) return 6;
  if (!s.finish_deployment("d-agent-1", policy::DeploymentStatus::rolled_back, "health check failed",
                           t0 + seconds(65)))
    return 7;

  if (!s.kv_put("launch", "4242-1780000121000000000-1", R"({"cluster":"prod","startedBy":"berth/5d41402abc4b2a76","taskDefinition":"web:2",)"
                                  R"("instances":["arn:aws:ecs:us-east-1:123456789012:container-instance/prod/i-2"],"at":1780000121})")) return 8;
  if (!s.kv_put("other", "k", "v")) return 9;
  return 0;
}
