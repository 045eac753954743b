// File: src/http/cluster_state/cluster_state_api.hpp — the Blox cluster-state-service front (basePath /v1):
//
//   GET /v1/instances[?cluster=&status=]           -> {"items":[ContainerInstance...]}   (the model: 0 ECS calls)
//   GET /v1/instances/{cluster}/{arn...}           -> ContainerInstance (model + DescribeContainerInstances, cached)
//   GET /v1/tasks[?cluster=&status=&startedBy=]    -> {"items":[Task...]}                (the model: 0 ECS calls)
//   GET /v1/tasks/{cluster}/{arn...}               -> Task (model + DescribeTasks, cached)
//   GET /v1/stream/instances|tasks[?entityVersion=N] -> 200 chunked, one {"metadata","entity"} JSON object per line
//                                                     for every change numbered after N (absent: from now on)
//
// Items are {"metadata":{"entityVersion":"N"},"entity":{...}}; N is berth's global change number (ChangeHistory).
// {arn} is a full ARN (raw with its slashes, or percent-encoded) or the bare id. Errors are Blox's: a JSON string
// body, naming the field ("Invalid status: ..."): 400 bad filter or entityVersion (an entityVersion whose later
// changes are no longer kept: the client must list again), 404 "Instance not found" / "Task not found", 503 when
// the server's stream cap is reached. A stream sends a blank line as heartbeat while quiet; a client that does not
// keep up is cut (its buffer is bounded, and a stream whose position leaves the kept history ends).
#pragma once

#include "http/cluster_state/cluster_state_source.hpp"
#include "http/router.hpp"
#include "http/stream.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <variant>

namespace berth::http::cluster_state {

struct ClusterStateOptions {
  StreamOptions stream;                              // heartbeat and per-client buffer
  std::chrono::milliseconds describe_ttl{5000};      // how long a Describe answer is reused
  std::size_t describe_cache_entries = 1024;         // bound of the Describe cache
  std::size_t stream_batch = 256;                    // changes read from the history per turn
};

class ClusterStateApi {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  // `source` must outlive the API and every stream it serves.
  explicit ClusterStateApi(ClusterStateSource& source, ClusterStateOptions options = {}, Clock clock = {});

  // Mounts every route on `router` (the API must outlive it).
  void mount(Router& router);

  boost::asio::awaitable<Response> list_instances(Request request);
  boost::asio::awaitable<Response> list_tasks(Request request);
  boost::asio::awaitable<Response> get_instance(Request request);
  boost::asio::awaitable<Response> get_task(Request request);
  boost::asio::awaitable<Response> stream_instances(Request request);
  boost::asio::awaitable<Response> stream_tasks(Request request);

  std::size_t describe_cache_size() const { return cache_.size(); }

 private:
  enum class Kind { instance, task };
  boost::asio::awaitable<Response> stream(Kind kind, const Request& request);
  // ECS's record through the cache (nullopt answers are cached too: a failing ECS is not asked per GET).
  boost::asio::awaitable<const aws::ecs::Task*> described_task(const std::string& cluster, const std::string& arn);
  boost::asio::awaitable<const aws::ecs::ContainerInstance*> described_instance(const std::string& cluster,
                                                                                const std::string& arn);
  struct Cached {
    std::chrono::steady_clock::time_point expires;
    std::variant<std::optional<aws::ecs::ContainerInstance>, std::optional<aws::ecs::Task>> value;
  };
  using CacheKey = std::tuple<int, std::string, std::string>;  // kind, cluster, arn
  const Cached* cache_find(const CacheKey& key);
  const Cached& cache_put(const CacheKey& key, Cached value);

  ClusterStateSource& source_;
  ClusterStateOptions options_;
  Clock clock_;
  std::map<CacheKey, Cached> cache_;
};

}  // namespace berth::http::cluster_state
