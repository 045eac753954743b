// File: src/http/marathon/marathon_api.hpp — Marathon 1.x's /v2 REST API (mesosphere/marathon
// docs/docs/rest-api) over berth's replica services: what users of the ECS scheduler driver for Marathon ran.
// Apps are services (mapping in marathon_app.hpp); the same services show under /v1/services.
//
//   POST   /v2/apps                               -> 201 app + deployments, Location, Marathon-Deployment-Id
//   GET    /v2/apps[?id=&cmd=&label=]             -> {"apps":[app...]}
//   GET    /v2/apps/{id}                          -> {"app": app}
//   PUT    /v2/apps/{id}[?force=true]             -> 200 {"version","deploymentId"} (201 when it creates the app);
//                                                    the body is merged over the stored app (Marathon's partial
//                                                    update: {"instances": 3} scales)
//   DELETE /v2/apps/{id}[?force=true]             -> 200 {"version","deploymentId"}; its tasks are stopped
//   POST   /v2/apps/{id}/restart[?force=true]     -> 200 {"version","deploymentId"}: a new version, every task
//                                                    replaced
//   GET    /v2/apps/{id}/tasks                    -> {"tasks":[task...]}
//   DELETE /v2/apps/{id}/tasks/{taskId}[?scale=true] -> {"task": task}, or with scale {"version","deploymentId"}
//   DELETE /v2/apps/{id}/tasks[?host=&scale=true] -> {"tasks":[...]}, or with scale {"version","deploymentId"}
//   GET    /v2/apps/{id}/versions[/{version}]     -> {"versions":[iso...]} newest first / the app at that version
//   GET    /v2/tasks[?status=]                    -> {"tasks":[task...]} of every app
//   POST   /v2/tasks/delete[?scale=true] {"ids"}  -> {"tasks":[...]} or {"version","deploymentId"}
//   GET    /v2/deployments                        -> [deployment...] (berth's service deployments in progress, and
//                                                    count changes made through /v2 until the app's tasks match:
//                                                    ScaleApplication)
//   DELETE /v2/deployments/{id}[?force=true]      -> 200 {"deploymentId","version"} (rolled back), 202 with force
//   GET    /v2/queue                              -> {"queue":[{app, count, delay, since}]} (apps with unplaced
//                                                    tasks)
//   GET    /v2/info, /v2/leader                   -> this berth as the leading Marathon
//   GET    /ping                                  -> "pong" (text/plain; mounted by http/api_routes)
// Errors: Marathon's {"message", "details"?: [{"path","errors"}]}: 400 malformed JSON, 404 "App '/x' does not
// exist", 409 "An app with id [/x] already exists." / locked by a deployment (without force), 422 "Object is not
// valid" naming each field berth cannot honour. Nothing is written when a request is refused.
//
// An app's `id` may hold slashes, so every depth of /v2/apps/... is one route per method, and the handler reads
// the id and the sub-resource (tasks, versions, restart) from the path itself, as Marathon's {id:.+} does.
#pragma once

#include "http/api/api_types.hpp"
#include "http/route_table.hpp"
#include "http/marathon/marathon_app.hpp"
#include "store/desired_state_store.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace berth::http::marathon {

struct MarathonOptions {
  std::size_t max_body_bytes = 1024 * 1024;
  std::function<std::string()> leader;  // "host:port" of this berth (GET /v2/leader, /v2/info)
  std::string berth_version;            // shown in /v2/info
};

class MarathonApi {
 public:
  using ApiRequest = api::ApiRequest;
  using ApiResponse = api::ApiResponse;
  // References must outlive the API.
  MarathonApi(store::DesiredStateStore& store, const api::ClusterView& clusters, api::Reconcile& reconcile,
              api::ApiClock clock, api::IdGenerator new_id, MarathonOptions options = {});

  using Params = std::map<std::string, std::string>;
  struct Route {
    Verb method;
    std::string pattern;
    boost::asio::awaitable<ApiResponse> (MarathonApi::*handler)(const ApiRequest&, const Params&);
  };
  // Every /v2 route (not /ping); the HTTP server mounts them on its Router (http/api_routes.hpp).
  static const std::vector<Route>& routes();
  // Routes and answers one request (tests): 404 / 405 as the Router answers them.
  boost::asio::awaitable<ApiResponse> handle(const ApiRequest& request);
  // Answers a request matched to `route`; exceptions become an opaque 500.
  boost::asio::awaitable<ApiResponse> run(const Route& route, const ApiRequest& request, const Params& params);
  // The app as GET /v2/apps/{id} answers it (with "version"), for the event stream (marathon_event_stream.hpp);
  // nullopt for a service no Marathon app made.
  boost::asio::awaitable<std::optional<boost::json::object>> app_for_event(const policy::Service& service);
  // For the event stream: the last scale deployment of `service` (a count change through /v2) and whether it is
  // still in progress; nullopt when none is known (forgotten once done, superseded by a deployment, canceled).
  struct ScaleState {
    std::string id;
    bool in_progress = false;
  };
  std::optional<ScaleState> scale_state(const policy::Service& service) const;

 private:
  // marathon_api.cpp: apps
  boost::asio::awaitable<ApiResponse> list_apps(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> create_app(const ApiRequest&, const Params&);
  // A new app from `body` (`path_id`: PUT's id): 201 with the app as GET answers it.
  boost::asio::awaitable<ApiResponse> create(const boost::json::object& body, const std::optional<std::string>& path_id);
  boost::asio::awaitable<ApiResponse> app_path(const ApiRequest&, const Params&);  // /v2/apps/{id...}[/...]
  boost::asio::awaitable<ApiResponse> get_app(const std::string& id);
  boost::asio::awaitable<ApiResponse> put_app(const ApiRequest&, const std::string& id);
  boost::asio::awaitable<ApiResponse> delete_app(const ApiRequest&, const std::string& id);
  boost::asio::awaitable<ApiResponse> restart_app(const ApiRequest&, const std::string& id);
  boost::asio::awaitable<ApiResponse> app_versions(const std::string& id, const std::optional<std::string>& version);
  // marathon_api_tasks.cpp: tasks, deployments, queue, info
  boost::asio::awaitable<ApiResponse> app_tasks(const std::string& id);
  boost::asio::awaitable<ApiResponse> kill_app_task(const ApiRequest&, const std::string& id,
                                                    const std::string& task_id);
  // DELETE /v2/apps/{id}/tasks[?host=&scale=true]: every live task of the app (on `host`, an EC2 instance id).
  boost::asio::awaitable<ApiResponse> kill_app_tasks(const ApiRequest&, const std::string& id);
  // ?scale=true: the count drops by as many tasks as `arns` (through write_app, so the app's lock holds), then
  // those very tasks are killed, so they are not replaced.
  boost::asio::awaitable<ApiResponse> kill_and_scale(const ApiRequest& req, const std::string& name,
                                                     const std::vector<std::string>& arns);
  boost::asio::awaitable<ApiResponse> list_tasks(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> delete_tasks(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> list_deployments(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> delete_deployment(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> queue(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> info(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> leader(const ApiRequest&, const Params&);

  // The app JSON GET answers: the stored app plus version, versionInfo, task counts and deployments.
  // `with_tasks`: the app's live tasks embedded as `tasks` (Marathon's embed=apps.tasks; always on a single GET).
  boost::json::object app_json(const policy::Service& service, const std::string& version,
                               bool with_tasks = false) const;
  // The Marathon version of the app: the creation time of its current berth version (stable: a count change or
  // a deployment's end does not move it).
  boost::asio::awaitable<std::string> version_string(const policy::Service& service);
  // The service's live tasks: their ARN and Marathon's task JSON.
  struct LiveTask {
    std::string arn;
    boost::json::object json;
  };
  std::vector<LiveTask> live_tasks(const policy::Service& service, const std::string& version = {}) const;
  // Read a Marathon app by id (404 in Marathon's words when absent or not an app).
  struct Found {
    std::optional<policy::Service> service;
    std::optional<ApiResponse> error;
  };
  boost::asio::awaitable<Found> find_app(const std::string& id);
  // A changed app written through the shared service write path (api_service_store.hpp): 200
  // {"version","deploymentId"}; `force` overrides the deployment lock.
  boost::asio::awaitable<ApiResponse> write_app(const std::string& name,
                                                std::function<std::variant<policy::Service, MarathonError>(policy::Service)> change,
                                                bool force, int status = 200);
  // Every Marathon app, oldest name first.
  boost::asio::awaitable<store::StoreResult<std::vector<policy::Service>>> all_apps();
  ApiResponse store_error(const store::StoreError& e, const std::string& id, std::string_view what) const;
  policy::Deployment next_deployment(const std::string& service);
  std::vector<std::string> known_clusters() const;

  // marathon_scales.cpp: a count change through /v2 in progress, Marathon's ScaleApplication deployment. berth
  // scales without a deployment row, so the id answered is kept as a store record (namespace marathon_scales,
  // key the service name) and listed by /v2/deployments and the app's `deployments` until the app's live tasks
  // are `to` RUNNING ones; once a request sees it done it is forgotten (a later task loss does not reopen it).
  struct ScaleDeployment {
    std::string id;
    std::int32_t from = 0;
    std::int32_t to = 0;
    policy::SystemTime at{};
    std::int64_t revision = 0;  // of its store record (0: not stored)
  };
  // Its store record's value, and back (nullopt for a record berth cannot read).
  static std::string encode_scale(const ScaleDeployment& scale);
  static std::optional<ScaleDeployment> decode_scale(const store::KvRecord& record);
  // The scale deployment of `service` while it is in progress; nullptr when none (or it is done).
  const ScaleDeployment* scale_in_progress(const policy::Service& service) const;
  // The same, judged from the service's live tasks as already listed (live_tasks).
  const ScaleDeployment* scale_in_progress(const policy::Service& service, const std::vector<LiveTask>& tasks) const;
  // The deployment that locks `service` against a change without ?force=true (berth's deployment in progress,
  // else a scale deployment in progress), as Marathon locks an app while any deployment of it runs.
  std::optional<std::string> lock_holder(const policy::Service& service) const;
  // Before each request: loads the stored scale deployments once, then forgets those that are done or whose
  // app is gone.
  boost::asio::awaitable<void> refresh_scales();
  // Keeps `scale` as the one of `name` (replacing the one before), in memory and in the store.
  boost::asio::awaitable<void> save_scale(const std::string& name, ScaleDeployment scale);
  boost::asio::awaitable<void> forget_scale(const std::string& name);
  // DELETE /v2/deployments/{id} of a scale deployment: force forgets it (202), else the count goes back.
  boost::asio::awaitable<ApiResponse> delete_scale(const ApiRequest& req, const std::string& name,
                                                   const ScaleDeployment& scale);

  std::map<std::string, ScaleDeployment> scales_;  // by service name
  bool scales_loaded_ = false;
  store::DesiredStateStore& store_;
  const api::ClusterView& clusters_;
  api::Reconcile& reconcile_;
  api::ApiClock clock_;
  api::IdGenerator new_id_;
  MarathonOptions options_;
};

// Marathon's answers and errors, shared by the handler files.
namespace detail {
api::ApiResponse message(int status, std::string text);
api::ApiResponse error_response(const MarathonError& e);
api::ApiResponse app_not_found(const std::string& id);
bool query_true(const api::ApiRequest& req, const std::string& key);
// {"version","deploymentId"} with the Marathon-Deployment-Id header.
api::ApiResponse deployment_result(int status, const std::string& version, const std::string& deployment_id);
}  // namespace detail

}  // namespace berth::http::marathon
