// File: src/http/marathon/marathon_events.cpp — berth changes as Marathon events (see the header's table).
#include "http/marathon/marathon_events.hpp"

#include "http/marathon/marathon_app.hpp"

namespace berth::http::marathon {
namespace json = boost::json;

namespace {

// Marathon writes the payload first, then eventType and timestamp (examples/events.txt).
json::object stamped(json::object payload, const char* type, const std::string& timestamp) {
  payload["eventType"] = type;
  payload["timestamp"] = timestamp;
  return payload;
}

const char* action_of(const policy::Deployment& d) { return d.version <= 1 ? "StartApplication" : "RestartApplication"; }

}  // namespace

json::object event_stream_attached(const std::string& remote_address, const std::string& timestamp) {
  return stamped(json::object{{"remoteAddress", remote_address}}, "event_stream_attached", timestamp);
}

json::object api_post_event(const json::object& app, const std::string& uri, const std::string& client_ip,
                            const std::string& timestamp) {
  return stamped(json::object{{"clientIp", client_ip}, {"uri", uri}, {"appDefinition", app}}, "api_post_event",
                 timestamp);
}

json::object app_terminated_event(const std::string& app_id, const std::string& timestamp) {
  return stamped(json::object{{"appId", app_id}}, "app_terminated_event", timestamp);
}

namespace {

json::object deployment_info(const std::string& id, const char* action, const std::string& app_id,
                             const std::string& version_string, const std::string& timestamp) {
  json::object plan{{"id", id},
                    {"steps", json::array{json::object{{"action", action}, {"app", app_id}}}},
                    {"version", version_string}};
  json::object step{{"actions", json::array{json::object{{"type", action}, {"app", app_id}}}}};
  return stamped(json::object{{"plan", std::move(plan)}, {"currentStep", std::move(step)}}, "deployment_info",
                 timestamp);
}

}  // namespace

json::object scale_deployment_info(const std::string& id, const std::string& app_id,
                                   const std::string& version_string, const std::string& timestamp) {
  return deployment_info(id, "ScaleApplication", app_id, version_string, timestamp);
}

json::object deployment_event(const policy::Deployment& d, const std::string& app_id,
                              const std::string& version_string, const std::string& timestamp) {
  using policy::DeploymentStatus;
  if (d.status == DeploymentStatus::completed) return stamped(json::object{{"id", d.id}}, "deployment_success", timestamp);
  if (d.status == DeploymentStatus::failed || d.status == DeploymentStatus::rolled_back)
    return stamped(json::object{{"id", d.id}}, "deployment_failed", timestamp);
  return deployment_info(d.id, action_of(d), app_id, version_string, timestamp);
}

std::string marathon_task_status(std::string_view last_status, std::string_view stop_code, bool nonzero_exit) {
  if (last_status != "STOPPED") return task_state(last_status);
  if (stop_code == "TaskFailedToStart" || nonzero_exit) return "TASK_FAILED";
  if (stop_code == "EssentialContainerExited") return "TASK_FINISHED";
  return "TASK_KILLED";
}

json::object status_update_event(const TaskStatusChange& change, const std::string& timestamp) {
  json::array ports;
  for (int p : change.ports) ports.emplace_back(p);
  return stamped(json::object{{"slaveId", task_id_of(change.container_instance_arn)},
                              {"taskId", task_id_of(change.task_arn)},
                              {"taskStatus", marathon_task_status(change.last_status, change.stop_code,
                                                                  change.nonzero_exit)},
                              {"message", change.message},
                              {"appId", change.app_id},
                              {"host", change.host},
                              {"ports", std::move(ports)},
                              {"version", change.version}},
                 "status_update_event", timestamp);
}

std::string sse_frame(const json::object& event) {
  const auto* type = event.if_contains("eventType");
  const std::string name = type && type->is_string() ? std::string(type->get_string()) : std::string("message");
  return "event: " + name + "\ndata: " + json::serialize(event) + "\n\n";
}

}  // namespace berth::http::marathon
