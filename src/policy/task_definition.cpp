// File: src/policy/task_definition.cpp — task definition reference normalisation.
#include "policy/task_definition.hpp"

namespace berth::policy {

std::string_view task_definition_name(std::string_view ref) {
  if (!ref.starts_with("arn:")) return ref;
  auto slash = ref.find(":task-definition/");
  return slash == std::string_view::npos ? ref : ref.substr(slash + 17);
}

bool task_definition_matches(std::string_view desired, std::string_view actual) {
  auto d = task_definition_name(desired);
  auto a = task_definition_name(actual);
  if (d == a) return true;
  if (d.find(':') != std::string_view::npos) return false;  // pinned revision: exact only
  auto colon = a.rfind(':');
  return colon != std::string_view::npos && a.substr(0, colon) == d;
}

}  // namespace berth::policy
