// File: tests/e2e/e2e_harness.cpp — Blox API bodies and deployment polling for the e2e suite.
#include "e2e_harness.hpp"

#include <exception>

namespace berth::e2e {

json::object environment_body(const std::string& name, const std::string& task_definition, const std::string& cluster) {
  return json::object{{"name", name},
                      {"instanceGroup", json::object{{"cluster", cluster}, {"attributes", json::array()}}},
                      {"taskDefinition", task_definition}};
}

std::string deployment_status(const BerthProcess& berth, const std::string& env, const std::string& id) {
  try {
    auto r = berth.api("GET", "/v1/environments/" + env + "/deployments/" + id);
    if (r.status != 200) return {};
    const auto parsed = r.json();  // keep the document alive while reading from it
    const auto* status = parsed.as_object().if_contains("status");
    return status && status->is_string() ? std::string(status->as_string()) : std::string();
  } catch (const std::exception&) {
    return {};
  }
}

std::string wait_deployment_final(BerthProcess& berth, const std::string& env, const std::string& id,
                                  std::chrono::milliseconds timeout) {
  std::string status;
  wait_until(
      [&] {
        if (!berth.alive()) return true;
        status = deployment_status(berth, env, id);
        return status == "completed" || status == "failed" || status == "rolled_back";
      },
      timeout, 250ms);
  return status;
}

}  // namespace berth::e2e
