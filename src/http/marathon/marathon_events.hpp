// File: src/http/marathon/marathon_events.hpp — Marathon's event bus (GET /v2/events, Server-Sent Events) as pure
// functions: a change berth made -> the Marathon event JSON, and the SSE frame that carries it. Shapes as
// Marathon's docs/docs/event-bus.md and the REST reference's examples/events.txt print them.
//
// Which berth change is which event:
//   an app created or changed through /v2 (a service written)   -> api_post_event {clientIp, uri, appDefinition}
//   an app deleted                                             -> app_terminated_event {appId}
//   a service deployment pending or running                    -> deployment_info {plan, currentStep}
//   a service deployment completed                             -> deployment_success {id}
//   a service deployment failed or rolled back                 -> deployment_failed {id}
//   a count change through /v2 started / its tasks match       -> deployment_info (ScaleApplication) /
//                                                                 deployment_success
//   a task of an app changes status (the cluster model)        -> status_update_event {slaveId, taskId, taskStatus,
//                                                                 message, appId, host, ports, version}
//   a stream client attaches                                   -> event_stream_attached {remoteAddress}
// Every event carries eventType and timestamp (ISO-8601, milliseconds, UTC).
//
// GET /v2/events (marathon_event_stream.hpp) sends them; these functions are pure and tested on their own.
#pragma once

#include "policy/desired_state.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::http::marathon {

boost::json::object event_stream_attached(const std::string& remote_address, const std::string& timestamp);

// `app`: the app as GET /v2/apps/{id} answers it; `uri`: the request path that changed it.
boost::json::object api_post_event(const boost::json::object& app, const std::string& uri,
                                   const std::string& client_ip, const std::string& timestamp);

boost::json::object app_terminated_event(const std::string& app_id, const std::string& timestamp);

// The event for a service deployment of app `app_id` in its current status (version_string: the app version the
// deployment rolls out).
boost::json::object deployment_event(const policy::Deployment& d, const std::string& app_id,
                                     const std::string& version_string, const std::string& timestamp);

// A count change through /v2 (Marathon's ScaleApplication deployment, marathon_api.hpp) in progress:
// deployment_info with that action; its end is deployment_event's deployment_success.
boost::json::object scale_deployment_info(const std::string& id, const std::string& app_id,
                                          const std::string& version_string, const std::string& timestamp);

struct TaskStatusChange {
  std::string task_arn;
  std::string container_instance_arn;
  std::string host;         // the EC2 instance id
  std::string last_status;  // ECS's lastStatus
  std::string message;      // ECS's stoppedReason, if any
  std::string app_id;
  std::string version;      // the app version
  std::vector<int> ports;   // host ports (berth does not track them yet: empty)
  // Only for STOPPED: why ECS stopped it (stopCode) and whether a container exited non-zero, which tell
  // TASK_FAILED, TASK_FINISHED and TASK_KILLED apart (marathon_task_status).
  std::string stop_code;
  bool nonzero_exit = false;
};

// Marathon's taskStatus for an ECS task: task_state(last_status) while it lives; once STOPPED, TASK_FAILED when
// it failed to start or a container exited non-zero, TASK_FINISHED when its essential container exited 0, else
// TASK_KILLED (stopped by berth, a user or ECS: UserInitiated, ServiceSchedulerInitiated, spot, termination).
std::string marathon_task_status(std::string_view last_status, std::string_view stop_code, bool nonzero_exit);
boost::json::object status_update_event(const TaskStatusChange& change, const std::string& timestamp);

// "event: <eventType>\ndata: <json>\n\n", as Marathon's /v2/events writes each event.
std::string sse_frame(const boost::json::object& event);

}  // namespace berth::http::marathon
