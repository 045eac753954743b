// File: tests/sim/sim_exit.cpp — a task's planned exit from its merged environment (BERTH_SIM_EXIT_*).
#include "sim_exit.hpp"

#include "json_fields.hpp"

#include <charconv>
#include <string>

namespace berth::sim {
namespace json = boost::json;

namespace {

std::optional<std::int64_t> non_negative(const std::string& s, std::int64_t max) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty() || v < 0 || v > max) return std::nullopt;
  return v;
}

const json::object* override_for(const json::object* overrides, const std::string& container) {
  if (!overrides) return nullptr;
  auto* list = overrides->if_contains("containerOverrides");
  if (!list || !list->is_array()) return nullptr;
  for (const auto& o : list->as_array())
    if (o.is_object() && str(o.as_object(), "name") == container) return &o.as_object();
  return nullptr;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> container_environment(const ContainerDef& container,
                                                                       const json::object* overrides) {
  auto env = container.environment;
  const json::object* o = override_for(overrides, container.name);
  auto* list = o ? o->if_contains("environment") : nullptr;
  if (!list || !list->is_array()) return env;
  for (const auto& kv : list->as_array()) {
    if (!kv.is_object()) continue;
    std::string name = str(kv.as_object(), "name"), value = str(kv.as_object(), "value");
    bool replaced = false;
    for (auto& [n, v] : env)
      if (n == name) v = value, replaced = true;
    if (!replaced) env.emplace_back(std::move(name), std::move(value));
  }
  return env;
}

std::optional<PlannedExit> planned_exit(const TaskDef& td, const json::object* overrides) {
  std::optional<PlannedExit> first;
  for (const auto& c : td.containers) {
    if (!c.essential) continue;
    std::optional<std::int64_t> after;
    int code = 0;
    for (const auto& [name, value] : container_environment(c, overrides)) {
      if (name == exit_after_variable) after = non_negative(value, std::int64_t{1} << 40);
      if (name == exit_code_variable) code = static_cast<int>(non_negative(value, 255).value_or(0));
    }
    if (after && (!first || *after < first->after_ms)) first = PlannedExit{*after, code};
  }
  return first;
}

}  // namespace berth::sim
