// File: tests/e2e/e2e_harness.cpp — Blox API bodies and deployment polling for the e2e suite.
#include "e2e_harness.hpp"

#include <exception>

namespace berth::e2e {

json::object environment_body(const std::string& name, const std::string& task_definition, const std::string& cluster) {
  return json::object{{"name", name},
                      {"instanceGroup", json::object{{"cluster", cluster}, {"attributes", json::array()}}},
                      {"taskDefinition", task_definition}};
}

namespace {
// A string member of GET .../deployments/{id} (empty if the call failed or the member is not a string).
std::string deployment_member(const BerthProcess& berth, const std::string& env, const std::string& id,
                              std::string_view member) {
  try {
    auto r = berth.api("GET", "/v1/environments/" + env + "/deployments/" + id);
    if (r.status != 200) return {};
    const auto parsed = r.json();  // keep the document alive while reading from it
    const auto* value = parsed.as_object().if_contains(member);
    return value && value->is_string() ? std::string(value->as_string()) : std::string();
  } catch (const std::exception&) {
    return {};
  }
}
}  // namespace

std::string deployment_status(const BerthProcess& berth, const std::string& env, const std::string& id) {
  return deployment_member(berth, env, id, "status");
}

std::string wait_deployment_final(BerthProcess& berth, const std::string& env, const std::string& id,
                                  std::chrono::milliseconds timeout) {
  // Blox's status says "completed" once the deployment is over, however it ended; berth's outcome says how.
  std::string outcome;
  wait_until(
      [&] {
        if (!berth.alive()) return true;
        outcome = deployment_member(berth, env, id, "outcome");
        return !outcome.empty();
      },
      timeout, 250ms);
  return outcome;
}

}  // namespace berth::e2e
