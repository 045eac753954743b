// File: src/http/cluster_state/cluster_state_api.cpp — Blox cluster-state handlers: filters over the model,
// single GETs with a cached Describe, and resumable streams pumped from the change history.
#include "http/cluster_state/cluster_state_api.hpp"

#include "http/cluster_state/cluster_state_json.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

namespace berth::http::cluster_state {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// Blox's error bodies are JSON strings.
Response error(unsigned status, std::string message) { return Response::json(status, json::string(message)); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Blox's cluster name rule: 1-255 letters, digits, hyphens and underscores.
bool is_cluster_name(std::string_view s) {
  return !s.empty() && s.size() <= 255 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_';
  });
}

bool is_cluster_arn(std::string_view s) {
  auto at = s.find(":cluster/");
  return s.starts_with("arn:") && at != std::string_view::npos && is_cluster_name(s.substr(at + 9));
}

// The name from `cluster=` (name or ARN).
std::string cluster_name(std::string_view s) {
  auto at = s.find(":cluster/");
  return std::string(s.starts_with("arn:") && at != std::string_view::npos ? s.substr(at + 9) : s);
}

// A filter that is neither one of `allowed` nor empty: the 400 naming it, else nullopt.
std::optional<Response> unsupported_filter(const Request& r, const std::set<std::string_view>& allowed) {
  for (const auto& [key, value] : r.query)
    if (!allowed.contains(key))
      return error(400, "Unsupported filter: " + key + " (supported: " + [&] {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        return list;
      }() + ")");
  return std::nullopt;
}

std::optional<Response> bad_cluster(const Request& r) {
  auto it = r.query.find("cluster");
  if (it == r.query.end() || is_cluster_name(it->second) || is_cluster_arn(it->second)) return std::nullopt;
  return error(400, "Invalid cluster: \"" + it->second + "\" is neither a cluster name nor a cluster ARN");
}

// The clusters a list covers: the one of `cluster=`, else every watched cluster.
std::vector<std::string> clusters_of(const Request& r, const ClusterStateSource& source) {
  auto it = r.query.find("cluster");
  if (it == r.query.end()) return source.clusters();
  return {cluster_name(it->second)};
}

std::optional<Response> bad_status(const Request& r, const std::set<std::string_view>& statuses) {
  auto it = r.query.find("status");
  if (it == r.query.end() || statuses.contains(lower(it->second))) return std::nullopt;
  std::string list;
  for (auto s : statuses) list += (list.empty() ? "" : ", ") + std::string(s);
  return error(400, "Invalid status: \"" + it->second + "\" (expected one of " + list + ")");
}

const std::set<std::string_view> instance_statuses{"active", "draining", "inactive", "registering", "deregistering"};
const std::set<std::string_view> task_statuses{"pending", "running", "stopped", "provisioning",
                                               "activating", "deactivating", "stopping", "deprovisioning"};

std::string line(const json::object& item) { return json::serialize(item) + "\n"; }

}  // namespace

ClusterStateApi::ClusterStateApi(ClusterStateSource& source, ClusterStateOptions options, Clock clock)
    : source_(source), options_(std::move(options)), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
}

void ClusterStateApi::mount(Router& router) {
  router.add_async(Verb::get, "/v1/instances", [this](Request r) { return list_instances(std::move(r)); });
  router.add_async(Verb::get, "/v1/instances/{cluster}/{arn...}", [this](Request r) { return get_instance(std::move(r)); });
  router.add_async(Verb::get, "/v1/tasks", [this](Request r) { return list_tasks(std::move(r)); });
  router.add_async(Verb::get, "/v1/tasks/{cluster}/{arn...}", [this](Request r) { return get_task(std::move(r)); });
  router.add_async(Verb::get, "/v1/stream/instances", [this](Request r) { return stream_instances(std::move(r)); });
  router.add_async(Verb::get, "/v1/stream/tasks", [this](Request r) { return stream_tasks(std::move(r)); });
}

asio::awaitable<Response> ClusterStateApi::list_instances(Request r) {
  if (auto e = unsupported_filter(r, {"cluster", "status"})) co_return *e;
  if (auto e = bad_cluster(r)) co_return *e;
  if (auto e = bad_status(r, instance_statuses)) co_return *e;
  const auto status = r.query.contains("status") ? std::optional(lower(r.query.at("status"))) : std::nullopt;
  json::array items;
  for (const auto& cluster : clusters_of(r, source_)) {
    source_.for_each_instance(cluster, [&](std::string_view c, const policy::SnapshotInstance& i, std::uint64_t v) {
      if (status && lower(policy::to_string(i.status)) != *status) return;
      items.push_back(instance_item(c, i, v));
    });
  }
  co_return Response::json(200, json::object{{"items", std::move(items)}});
}

asio::awaitable<Response> ClusterStateApi::list_tasks(Request r) {
  if (auto e = unsupported_filter(r, {"cluster", "status", "startedBy"})) co_return *e;
  if (auto e = bad_cluster(r)) co_return *e;
  if (auto e = bad_status(r, task_statuses)) co_return *e;
  const auto status = r.query.contains("status") ? std::optional(lower(r.query.at("status"))) : std::nullopt;
  const auto started_by = r.query.contains("startedBy") ? std::optional(r.query.at("startedBy")) : std::nullopt;
  json::array items;
  for (const auto& cluster : clusters_of(r, source_)) {
    source_.for_each_task(cluster, [&](std::string_view c, const policy::SnapshotTask& t, std::uint64_t v) {
      if (status && lower(policy::to_string(t.last_status)) != *status) return;
      if (started_by && t.started_by != *started_by) return;
      items.push_back(task_item(c, t, v));
    });
  }
  co_return Response::json(200, json::object{{"items", std::move(items)}});
}

asio::awaitable<Response> ClusterStateApi::get_instance(Request r) {
  const std::string cluster = cluster_name(r.params["cluster"]);
  const std::string arn = r.params["arn"];
  if (!is_cluster_name(cluster)) co_return error(400, "Invalid cluster: \"" + r.params["cluster"] + "\"");
  std::string full_arn;
  source_.visit_instance(cluster, arn, [&](std::string_view, const policy::SnapshotInstance& i, std::uint64_t) {
    full_arn = i.arn;
  });
  if (full_arn.empty()) co_return error(404, "Instance not found");
  const auto* described = co_await described_instance(cluster, full_arn);
  std::optional<json::object> out;
  source_.visit_instance(cluster, full_arn, [&](std::string_view c, const policy::SnapshotInstance& i, std::uint64_t v) {
    out = instance_item(c, i, v, described);
  });
  if (!out) co_return error(404, "Instance not found");  // forgotten while ECS was asked
  co_return Response::json(200, *out);
}

asio::awaitable<Response> ClusterStateApi::get_task(Request r) {
  const std::string cluster = cluster_name(r.params["cluster"]);
  const std::string arn = r.params["arn"];
  if (!is_cluster_name(cluster)) co_return error(400, "Invalid cluster: \"" + r.params["cluster"] + "\"");
  std::string full_arn;
  source_.visit_task(cluster, arn, [&](std::string_view, const policy::SnapshotTask& t, std::uint64_t) {
    full_arn = t.arn;
  });
  if (full_arn.empty()) co_return error(404, "Task not found");
  const auto* described = co_await described_task(cluster, full_arn);
  std::optional<json::object> out;
  source_.visit_task(cluster, full_arn, [&](std::string_view c, const policy::SnapshotTask& t, std::uint64_t v) {
    out = task_item(c, t, v, described);
  });
  if (!out) co_return error(404, "Task not found");
  co_return Response::json(200, *out);
}

const ClusterStateApi::Cached* ClusterStateApi::cache_find(const CacheKey& key) {
  auto it = cache_.find(key);
  if (it == cache_.end()) return nullptr;
  if (it->second.expires <= clock_()) {
    cache_.erase(it);
    return nullptr;
  }
  return &it->second;
}

const ClusterStateApi::Cached& ClusterStateApi::cache_put(const CacheKey& key, Cached value) {
  if (cache_.size() >= options_.describe_cache_entries) {
    const auto now = clock_();
    std::erase_if(cache_, [&](const auto& kv) { return kv.second.expires <= now; });
    if (cache_.size() >= options_.describe_cache_entries) cache_.erase(cache_.begin());
  }
  return cache_.insert_or_assign(key, std::move(value)).first->second;
}

asio::awaitable<const aws::ecs::Task*> ClusterStateApi::described_task(const std::string& cluster,
                                                                       const std::string& arn) {
  CacheKey key{1, cluster, arn};
  const Cached* hit = cache_find(key);
  if (hit == nullptr) {
    auto task = co_await source_.describe_task(cluster, arn);
    hit = &cache_put(key, Cached{clock_() + options_.describe_ttl, std::move(task)});
  }
  const auto& value = std::get<std::optional<aws::ecs::Task>>(hit->value);
  co_return value ? &*value : nullptr;
}

asio::awaitable<const aws::ecs::ContainerInstance*> ClusterStateApi::described_instance(const std::string& cluster,
                                                                                        const std::string& arn) {
  CacheKey key{0, cluster, arn};
  const Cached* hit = cache_find(key);
  if (hit == nullptr) {
    auto instance = co_await source_.describe_instance(cluster, arn);
    hit = &cache_put(key, Cached{clock_() + options_.describe_ttl, std::move(instance)});
  }
  const auto& value = std::get<std::optional<aws::ecs::ContainerInstance>>(hit->value);
  co_return value ? &*value : nullptr;
}

asio::awaitable<Response> ClusterStateApi::stream_instances(Request r) { co_return co_await stream(Kind::instance, r); }
asio::awaitable<Response> ClusterStateApi::stream_tasks(Request r) { co_return co_await stream(Kind::task, r); }

namespace {

// One client's stream: reads the history from its cursor into the client's channel, paced by the channel's room.
struct Pump {
  Pump(asio::any_io_executor ex, ClusterStateSource& s, std::shared_ptr<StreamChannel> ch, std::uint64_t from,
       std::size_t batch_size)
      : source(s), channel(std::move(ch)), cursor(from), batch(batch_size), wake(std::move(ex)) {}
  ClusterStateSource& source;
  std::shared_ptr<StreamChannel> channel;
  std::uint64_t cursor;
  std::size_t batch;
  asio::steady_timer wake;
  bool signalled = false;
  std::uint64_t subscription = 0;

  void signal() {
    signalled = true;
    wake.cancel();
  }
  ChangeRead read(bool tasks) {
    if (tasks)
      return source.read_task_changes(cursor, batch, [&](std::string_view c, const policy::SnapshotTask& t,
                                                         std::uint64_t v) { channel->push(line(task_item(c, t, v))); });
    return source.read_instance_changes(cursor, batch, [&](std::string_view c, const policy::SnapshotInstance& i,
                                                           std::uint64_t v) { channel->push(line(instance_item(c, i, v))); });
  }
};

asio::awaitable<void> pump_changes(std::shared_ptr<Pump> p, bool tasks) {
  const std::size_t pause_above = p->channel->options().max_buffered_bytes / 2;
  while (!p->channel->ended()) {
    p->signalled = false;
    const auto read = p->read(tasks);
    if (read.too_old) {
      // The client fell so far behind that the history moved past it: cut, it must list again.
      p->channel->cut();
      break;
    }
    p->cursor = read.scanned_through;
    if (p->channel->ended()) break;
    const bool more = p->cursor < p->source.last_change();
    if (more && p->channel->buffered_bytes() <= pause_above) continue;
    if (p->signalled) continue;
    // Woken by a new change, by the client taking chunks, or by the end of the stream.
    p->wake.expires_after(std::chrono::minutes(1));
    co_await p->wake.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  p->source.unsubscribe(p->subscription);
}

}  // namespace

asio::awaitable<Response> ClusterStateApi::stream(Kind kind, const Request& r) {
  if (auto e = unsupported_filter(r, {"entityVersion"})) co_return *e;
  std::uint64_t from = source_.last_change();
  if (auto it = r.query.find("entityVersion"); it != r.query.end()) {
    const auto& text = it->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), from);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
      co_return error(400, "Invalid entityVersion: \"" + text + "\" is not a non-negative integer");
    // An empty read answers whether the changes after `from` are all still kept.
    const auto probe = kind == Kind::task ? source_.read_task_changes(from, 0, {}) : source_.read_instance_changes(from, 0, {});
    if (probe.too_old)
      co_return error(400, "Invalid entityVersion: " + text + " is too old, the oldest change kept is " +
                               std::to_string(probe.oldest_kept) + "; list again and stream from its entityVersion");
  }
  auto executor = co_await asio::this_coro::executor;
  auto channel = std::make_shared<StreamChannel>(executor, options_.stream);
  auto pump = std::make_shared<Pump>(executor, source_, channel, from, std::max<std::size_t>(options_.stream_batch, 1));
  // The callbacks hold the pump weakly: the pump coroutine owns it and exits once the channel has ended.
  std::weak_ptr<Pump> weak = pump;
  pump->subscription = source_.subscribe([weak] {
    if (auto p = weak.lock()) p->signal();
  });
  channel->on_drain([weak] {
    if (auto p = weak.lock()) p->signal();
  });
  channel->on_end([weak] {
    if (auto p = weak.lock()) p->signal();
  });
  asio::co_spawn(executor, pump_changes(pump, kind == Kind::task), asio::detached);
  co_return Response::streaming(channel, "application/octet-stream");
}

}  // namespace berth::http::cluster_state
