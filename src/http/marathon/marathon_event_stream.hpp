// File: src/http/marathon/marathon_event_stream.hpp — Marathon's event bus as GET /v2/events (Server-Sent
// Events): every client gets `event: <type>\ndata: <json>\n\n` frames (marathon_events.hpp) for the changes berth
// makes to Marathon apps, from two feeds berth already keeps:
//
//   the store's change feed (DesiredStateStore::watch), so /v1 service writes count as much as /v2 ones:
//     a service written          -> api_post_event (appDefinition: the app as GET answers it; uri /v2/apps<id>),
//                                   when its definition changed (not for a row rewritten with its status)
//     a service deleted          -> app_terminated_event
//     a service deployment row   -> deployment_info (pending, running), deployment_success, deployment_failed
//     a count change through /v2 -> deployment_info (ScaleApplication), deployment_success once the app's tasks
//                                   match (MarathonApi's scale deployments, checked on app and task changes)
//   the cluster model's change history (ClusterStateSource, the reactor's ChangeHistory):
//     a task of an app changes lastStatus -> status_update_event (TASK_STAGING, TASK_RUNNING, TASK_FAILED|
//                                            TASK_FINISHED|TASK_KILLED once STOPPED)
// A client first gets event_stream_attached. `?event_type=<type>` keeps one type (Marathon repeats the
// parameter; berth's query map keeps the last value). Heartbeats are SSE comments (":\n\n") while quiet. A client
// whose Accept admits no text/event-stream is answered 406, as Marathon does; the stream cap's 503 is the server's.
//
// The feeds are followed only while some client is attached (one reader each for all clients, whatever their
// number), from the moment the first one attaches: there is no replay. Publishing only pushes into each client's
// bounded StreamChannel, so a slow client is cut by its channel and never slows the reactor or the other clients.
// Single-threaded: everything on the io_context's thread.
#pragma once

#include "http/cluster_state/cluster_state_source.hpp"
#include "http/marathon/marathon_api.hpp"
#include "http/router.hpp"
#include "http/stream.hpp"
#include "store/desired_state_store.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace berth::http::marathon {

struct MarathonEventOptions {
  StreamOptions stream{":\n\n", std::chrono::seconds(15), 1024 * 1024};  // SSE comment heartbeat, per-client cap
  std::chrono::milliseconds store_watch_timeout{std::chrono::seconds(1)};  // a feed reader looks for clients
  std::size_t task_batch = 256;                                             // history changes read per turn
};

class MarathonEventStream {
 public:
  // References must outlive the stream and every client it serves.
  MarathonEventStream(store::DesiredStateStore& store, cluster_state::ClusterStateSource& model, MarathonApi& api,
                      api::ApiClock clock, MarathonEventOptions options = {});
  MarathonEventStream(const MarathonEventStream&) = delete;
  MarathonEventStream& operator=(const MarathonEventStream&) = delete;

  // GET /v2/events on `router` (this must outlive it).
  void mount(Router& router);
  boost::asio::awaitable<Response> events(Request request);

  std::size_t clients() const { return clients_.size(); }

 private:
  struct Client {
    std::shared_ptr<StreamChannel> channel;
    std::string event_type;  // empty: every event
  };
  struct App {
    std::string service;  // berth's service name
    std::string app_id;   // Marathon's id
    std::string version;  // the app version (Marathon's, ISO-8601)
    std::string definition;  // the app definition last seen (serialized): a service row rewritten for its status
                             // (a deployment's end) is no api_post_event
  };

  std::string now() const;
  void publish(const boost::json::object& event);
  void drop_ended_clients();
  // The store feed from `from`: app and deployment events.
  boost::asio::awaitable<void> follow_store(std::int64_t from);
  boost::asio::awaitable<void> service_changed(const std::string& name, bool deleted);
  boost::asio::awaitable<void> deployment_changed(const std::string& key);
  // Every Marathon app berth has now (so tasks and deletes of apps written before the stream are known).
  boost::asio::awaitable<void> learn_apps();
  // Records the app; false when its definition is the one already known.
  bool remember(const boost::json::object& app, const policy::Service& service);
  // A count change through /v2 (MarathonApi's scale deployments): deployment_info when one starts,
  // deployment_success when it is no longer in progress (checked after app writes and task changes).
  void check_scale(const policy::Service& service);
  boost::asio::awaitable<void> check_open_scales();
  // The change history from `from`: task status events.
  boost::asio::awaitable<void> follow_tasks(std::uint64_t from);
  void publish_task_changes(std::uint64_t& cursor);

  store::DesiredStateStore& store_;
  cluster_state::ClusterStateSource& model_;
  MarathonApi& api_;
  api::ApiClock clock_;
  MarathonEventOptions options_;

  std::vector<Client> clients_;
  bool store_running_ = false;
  bool tasks_running_ = false;
  std::map<std::string, App> apps_by_service_;
  std::map<std::string, std::string> service_by_started_by_;  // a task's startedBy -> its service
  std::map<std::string, std::string> deployment_sent_;        // deployment id -> the last event type sent
  std::map<std::string, std::string> task_sent_;              // task ARN -> the last taskStatus sent
  std::map<std::string, std::string> scale_announced_;        // service -> its last scale deployment announced
  std::map<std::string, std::string> scale_open_;             // service -> that one, until it ends
  // The task reader's wake-up (a new change, a client gone); shared so a late signal after it ended is harmless.
  struct TaskWake;
  std::shared_ptr<TaskWake> task_wake_;
};

}  // namespace berth::http::marathon
