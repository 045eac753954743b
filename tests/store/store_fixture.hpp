// File: tests/store/store_fixture.hpp — temp-directory fixture and desired-state builders for store tests.
#pragma once

#include "store/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

namespace berth::store::test {

inline policy::SystemTime at_seconds(std::int64_t s) { return policy::SystemTime(std::chrono::seconds(s)); }

inline policy::Environment make_env(std::string name, std::string cluster = "prod") {
  policy::Environment e;
  e.name = std::move(name);
  e.cluster = std::move(cluster);
  e.attributes = {{"stack", "blue"}, {"ecs.instance-type", ""}};
  e.constraint = "attribute:az in [a, b]";
  e.task_definition = "web:1";
  e.rollout.max_unavailable = "25%";
  e.rollout.min_healthy = std::chrono::seconds(30);
  e.rollout.deadline = std::chrono::seconds(900);
  e.rollout.max_failures = 5;
  e.rollout.auto_rollback = false;
  e.created_at = at_seconds(1000) + std::chrono::nanoseconds(123456789);  // sub-ms precision must survive
  e.updated_at = e.created_at;
  return e;
}

inline policy::Deployment make_deployment(std::string id, std::string env, std::string td, std::int64_t at = 2000) {
  policy::Deployment d;
  d.id = std::move(id);
  d.environment = std::move(env);
  d.task_definition = std::move(td);
  d.desired_count = 3;
  d.created_at = at_seconds(at);
  return d;
}

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("berth-store-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace berth::store::test
