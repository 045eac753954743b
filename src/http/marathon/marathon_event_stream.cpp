// File: src/http/marathon/marathon_event_stream.cpp — GET /v2/events: the store feed and the model's change
// history as Marathon events to every attached client (see the header).
#include "http/marathon/marathon_event_stream.hpp"

#include "http/api/api_json.hpp"
#include "http/marathon/marathon_app.hpp"
#include "http/marathon/marathon_events.hpp"
#include "policy/ownership.hpp"
#include "policy/workload.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace berth::http::marathon {
namespace asio = boost::asio;
namespace json = boost::json;

// Wakes the task reader: a new change in the history, or a client gone (so it can stop when none is left).
struct MarathonEventStream::TaskWake {
  explicit TaskWake(asio::any_io_executor ex) : timer(std::move(ex)) {}
  asio::steady_timer timer;
  bool signalled = false;
  void signal() {
    signalled = true;
    timer.cancel();
  }
};

MarathonEventStream::MarathonEventStream(store::DesiredStateStore& store, cluster_state::ClusterStateSource& model,
                                         MarathonApi& api, api::ApiClock clock, MarathonEventOptions options)
    : store_(store), model_(model), api_(api), clock_(std::move(clock)), options_(std::move(options)) {}

void MarathonEventStream::mount(Router& router) {
  router.add_async(Verb::get, "/v2/events", [this](Request r) { return events(std::move(r)); });
}

std::string MarathonEventStream::now() const { return api::format_time(clock_()); }

void MarathonEventStream::drop_ended_clients() {
  std::erase_if(clients_, [](const Client& c) { return c.channel->ended(); });
}

void MarathonEventStream::publish(const json::object& event) {
  const auto* type = event.if_contains("eventType");
  const std::string name = type && type->is_string() ? std::string(type->get_string()) : std::string();
  const std::string frame = sse_frame(event);
  // A push beyond a client's buffer cuts that client (its channel does it); the others are not held up.
  for (auto& c : clients_)
    if (!c.channel->ended() && (c.event_type.empty() || c.event_type == name)) c.channel->push(frame);
  drop_ended_clients();
}

namespace {

// Marathon serves the stream only to a client that accepts text/event-stream (no Accept header: any type).
bool accepts_event_stream(std::string_view accept) {
  if (accept.empty()) return true;
  for (std::string_view type : {"text/event-stream", "text/*", "*/*"})
    if (accept.find(type) != std::string_view::npos) return true;
  return false;
}

}  // namespace

asio::awaitable<Response> MarathonEventStream::events(Request r) {
  if (!accepts_event_stream(r.header("accept")))
    co_return Response::json(406, json::object{{"message", "GET /v2/events answers only Accept: text/event-stream"}});
  std::string event_type;
  if (auto it = r.query.find("event_type"); it != r.query.end()) event_type = it->second;
  auto executor = co_await asio::this_coro::executor;
  drop_ended_clients();

  // The feeds are read from now on; a reader already running (another client) serves this one too.
  const bool start_store = !store_running_;
  const bool start_tasks = !tasks_running_;
  store_running_ = true;
  tasks_running_ = true;
  if (start_tasks) task_wake_ = std::make_shared<TaskWake>(executor);
  std::int64_t store_from = 0;
  if (start_store) {
    auto revision = co_await store_.revision();
    if (!revision) {
      store_running_ = false;
      tasks_running_ = !start_tasks;
      co_return Response::json(503, json::object{{"message", "the store is unavailable: " + revision.error().message}});
    }
    store_from = *revision;
    co_await learn_apps();
  }
  const std::uint64_t tasks_from = model_.last_change();

  auto channel = std::make_shared<StreamChannel>(executor, options_.stream);
  std::weak_ptr<TaskWake> wake = task_wake_;
  channel->on_end([wake] {
    if (auto w = wake.lock()) w->signal();
  });
  clients_.push_back(Client{channel, event_type});
  const std::string remote = r.remote_address;
  const auto attached = event_stream_attached(remote, now());
  if (event_type.empty() || event_type == "event_stream_attached") channel->push(sse_frame(attached));

  if (start_store) asio::co_spawn(executor, follow_store(store_from), asio::detached);
  if (start_tasks) asio::co_spawn(executor, follow_tasks(tasks_from), asio::detached);
  auto response = Response::streaming(channel, "text/event-stream");
  response.headers.emplace_back("Cache-Control", "no-cache, no-store, must-revalidate");  // as Marathon answers
  co_return response;
}

// --- the store feed: apps and deployments ------------------------------------------------------------------------

bool MarathonEventStream::remember(const json::object& app, const policy::Service& service) {
  const std::string& name = service.spec.name;
  const auto* id = app.if_contains("id");
  const auto* version = app.if_contains("version");
  const auto definition = stored_app(service.spec);
  App a{name, id && id->is_string() ? std::string(id->get_string()) : std::string(),
        version && version->is_string() ? std::string(version->get_string()) : std::string(),
        definition ? json::serialize(*definition) : std::string()};
  service_by_started_by_[policy::encode_started_by(policy::WorkloadKey::service(name))] = name;
  auto it = apps_by_service_.find(name);
  const bool changed = it == apps_by_service_.end() || it->second.definition != a.definition;
  apps_by_service_[name] = std::move(a);
  return changed;
}

asio::awaitable<void> MarathonEventStream::learn_apps() {
  for (const auto& cluster : model_.clusters()) {
    auto services = co_await store_.list_services(cluster);
    if (!services) continue;
    for (const auto& s : *services) {
      auto app = co_await api_.app_for_event(s);
      if (app) remember(*app, s);
    }
  }
}

asio::awaitable<void> MarathonEventStream::service_changed(const std::string& name, bool deleted) {
  if (deleted) {
    // Kept in the maps: the app's tasks still stop after it is gone, and their events name it.
    auto it = apps_by_service_.find(name);
    if (it == apps_by_service_.end()) co_return;
    it->second.definition.clear();  // an app created again under that name is posted again
    scale_open_.erase(name);
    scale_announced_.erase(name);
    publish(app_terminated_event(it->second.app_id, now()));
    co_return;
  }
  auto service = co_await store_.get_service(name);
  if (!service) co_return;  // deleted since (its delete is a later change)
  auto app = co_await api_.app_for_event(*service);
  if (!app) co_return;  // a /v1 service no Marathon app made
  if (remember(*app, *service)) {  // else the same definition: a status write
    // The change feed does not say who wrote it: the uri is the app's, the client unknown.
    const std::string uri = "/v2/apps" + apps_by_service_[name].app_id;
    publish(api_post_event(*app, uri, "", now()));
  }
  check_scale(*service);
}

asio::awaitable<void> MarathonEventStream::deployment_changed(const std::string& key) {
  // "<service>/<id>"
  const auto slash = key.rfind('/');
  if (slash == std::string::npos) co_return;
  const std::string service = key.substr(0, slash);
  const std::string id = key.substr(slash + 1);
  auto it = apps_by_service_.find(service);
  if (it == apps_by_service_.end()) co_return;  // not a Marathon app
  auto d = co_await store_.get_service_deployment(id);
  if (!d) co_return;
  const auto event = deployment_event(*d, it->second.app_id, it->second.version, now());
  const std::string type(event.at("eventType").as_string());
  // A deployment's row is written on every progress step: one deployment_info, then its end.
  auto& sent = deployment_sent_[id];
  if (sent == type) co_return;
  sent = type;
  publish(event);
  if (type != "deployment_info") deployment_sent_.erase(id);
}

void MarathonEventStream::check_scale(const policy::Service& service) {
  const std::string& name = service.spec.name;
  auto app = apps_by_service_.find(name);
  if (app == apps_by_service_.end()) return;
  const auto state = api_.scale_state(service);
  auto success = [&](const std::string& id) {
    policy::Deployment done;
    done.id = id;
    done.status = policy::DeploymentStatus::completed;
    publish(deployment_event(done, app->second.app_id, app->second.version, now()));
  };
  // The open one is over: done, replaced by a newer count change or a deployment, canceled.
  auto open = scale_open_.find(name);
  if (open != scale_open_.end() && (!state || state->id != open->second || !state->in_progress)) {
    success(open->second);
    scale_open_.erase(open);
  }
  // A new one: announced once, and ended at once when its tasks already matched.
  if (state && scale_announced_[name] != state->id) {
    scale_announced_[name] = state->id;
    publish(scale_deployment_info(state->id, app->second.app_id, app->second.version, now()));
    if (state->in_progress) scale_open_[name] = state->id;
    else success(state->id);
  }
}

asio::awaitable<void> MarathonEventStream::check_open_scales() {
  std::vector<std::string> names;
  for (const auto& [name, id] : scale_open_) names.push_back(name);
  for (const auto& name : names) {
    auto service = co_await store_.get_service(name);
    if (service) check_scale(*service);
  }
}

asio::awaitable<void> MarathonEventStream::follow_store(std::int64_t from) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer pause(executor);
  std::int64_t revision = from;
  while (!clients_.empty()) {
    auto batch = co_await store_.watch(revision, options_.store_watch_timeout);
    if (!batch) {
      spdlog::warn("marathon events: store watch failed: {}", batch.error().message);
      pause.expires_after(options_.store_watch_timeout);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    } else if (batch->reset) {
      // The feed no longer reaches back that far: go on from now (a stream does not replay).
      auto now_revision = co_await store_.revision();
      if (now_revision) revision = *now_revision;
    } else {
      for (const auto& change : batch->changes) {
        if (change.kind == store::ChangeKind::service) co_await service_changed(change.key, change.deleted);
        if (change.kind == store::ChangeKind::service_deployment && !change.deleted)
          co_await deployment_changed(change.key);
      }
      revision = batch->revision;
    }
    drop_ended_clients();
  }
  store_running_ = false;
}

// --- the change history: task status -----------------------------------------------------------------------------

void MarathonEventStream::publish_task_changes(std::uint64_t& cursor) {
  struct Seen {
    std::string cluster;
    TaskStatusChange change;
  };
  std::vector<Seen> seen;  // the history's views are valid only inside its callback
  const auto read = model_.read_task_changes(
      cursor, std::max<std::size_t>(options_.task_batch, 1),
      [&](std::string_view cluster, const policy::SnapshotTask& t, std::uint64_t) {
        if (t.arn.empty()) return;  // a launch in doubt: no task yet
        auto s = service_by_started_by_.find(std::string(t.started_by));
        if (s == service_by_started_by_.end()) return;
        const App& app = apps_by_service_[s->second];
        TaskStatusChange c;
        c.task_arn = std::string(t.arn);
        c.container_instance_arn = std::string(t.instance_arn);
        c.last_status = policy::to_string(t.last_status);
        if (t.is_stopped()) c.message = std::string(t.stop_code);
        c.app_id = app.app_id;
        c.version = app.version;
        c.stop_code = std::string(t.stop_code);
        c.nonzero_exit = t.nonzero_exit;
        seen.push_back(Seen{std::string(cluster), std::move(c)});
      });
  // Changes no longer kept are lost to the stream (it does not replay): go on from the newest.
  cursor = read.too_old ? model_.last_change() : read.scanned_through;
  for (auto& s : seen) {
    const std::string status = marathon_task_status(s.change.last_status, s.change.stop_code, s.change.nonzero_exit);
    // The history records every change of a task (health, desired status...): one event per taskStatus.
    auto& sent = task_sent_[s.change.task_arn];
    if (sent == status) continue;
    sent = status;
    model_.visit_instance(s.cluster, s.change.container_instance_arn,
                          [&](std::string_view, const policy::SnapshotInstance& i, std::uint64_t) {
                            s.change.host = std::string(i.ec2_instance_id);
                          });
    publish(status_update_event(s.change, now()));
    if (s.change.last_status == "STOPPED") task_sent_.erase(s.change.task_arn);
  }
}

asio::awaitable<void> MarathonEventStream::follow_tasks(std::uint64_t from) {
  std::shared_ptr<TaskWake> wake = task_wake_;
  std::weak_ptr<TaskWake> weak = wake;
  const auto subscription = model_.subscribe([weak] {
    if (auto w = weak.lock()) w->signal();
  });
  std::uint64_t cursor = from;
  while (true) {
    drop_ended_clients();
    if (clients_.empty()) break;
    wake->signalled = false;
    publish_task_changes(cursor);
    if (!scale_open_.empty()) co_await check_open_scales();
    if (clients_.empty()) break;
    if (cursor < model_.last_change()) continue;  // more than one batch
    if (wake->signalled) continue;
    wake->timer.expires_after(std::chrono::minutes(1));
    co_await wake->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  model_.unsubscribe(subscription);
  tasks_running_ = false;
}

}  // namespace berth::http::marathon
