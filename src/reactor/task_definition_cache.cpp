// File: src/reactor/task_definition_cache.cpp — DescribeTaskDefinition once per revision, shared in flight.
#include "reactor/task_definition_cache.hpp"

#include "policy/task_definition.hpp"

#include "common/logger.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <limits>

namespace berth::reactor {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto log = logging::get("reactor");
  return log;
}

std::int64_t non_negative(std::int64_t v) { return std::clamp<std::int64_t>(v, 0, std::numeric_limits<std::int32_t>::max()); }

// ECS sends container cpu/memory as numbers; the task-level ones as strings ("256").
std::int64_t number(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size() ? non_negative(v) : 0;
}

std::int64_t number(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_int64()) return non_negative(v->get_int64());
  if (v->is_uint64()) return non_negative(static_cast<std::int64_t>(std::min<std::uint64_t>(v->get_uint64(), 1u << 31)));
  if (v->is_string()) return number(std::string_view(v->get_string()));
  return 0;
}

void sort_unique(std::vector<std::uint16_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

TaskDefinitionInfo task_definition_info(const aws::ecs::TaskDefinition& td) {
  TaskDefinitionInfo info;
  info.arn = td.task_definition_arn;
  std::int64_t cpu_sum = 0, memory_sum = 0;
  const bool awsvpc = td.network_mode == "awsvpc";
  const bool host_mode = td.network_mode == "host";
  for (const auto& c : td.container_definitions) {
    const auto* obj = c.if_object();
    if (obj == nullptr) continue;
    if (const auto* hc = obj->if_contains("healthCheck"); hc != nullptr && !hc->is_null()) info.has_health_check = true;
    cpu_sum += number(*obj, "cpu");
    // Placement reserves the soft limit where one is set (ECS: memoryReservation, else memory).
    const auto soft = number(*obj, "memoryReservation");
    memory_sum += soft > 0 ? soft : number(*obj, "memory");
    const auto* pm = obj->if_contains("portMappings");
    if (awsvpc || pm == nullptr || !pm->is_array()) continue;
    for (const auto& pv : pm->get_array()) {
      const auto* p = pv.if_object();
      if (p == nullptr) continue;
      auto host = number(*p, "hostPort");
      if (host == 0 && host_mode) host = number(*p, "containerPort");
      if (host <= 0 || host > 65535) continue;  // dynamic: an ephemeral port ECS does not list in PORTS
      const auto* proto = p->if_contains("protocol");
      const bool udp = proto != nullptr && proto->is_string() && proto->get_string() == "udp";
      (udp ? info.host_udp_ports : info.host_tcp_ports).push_back(static_cast<std::uint16_t>(host));
    }
  }
  sort_unique(info.host_tcp_ports);
  sort_unique(info.host_udp_ports);
  const auto task_cpu = number(td.cpu), task_memory = number(td.memory);
  info.cpu = static_cast<std::int32_t>(non_negative(task_cpu > 0 ? task_cpu : cpu_sum));
  info.memory = static_cast<std::int32_t>(non_negative(task_memory > 0 ? task_memory : memory_sum));
  return info;
}

// One describe in progress; the callers that join it wait on `done` (cancelled when it ends).
struct TaskDefinitionCache::Flight {
  explicit Flight(asio::any_io_executor ex) : done(ex, asio::steady_timer::time_point::max()) {}
  asio::steady_timer done;
  EcsResult<TaskDefinitionInfo> result{EcsError{EcsError::Kind::unknown, "Cancelled", "describe abandoned"}};
};

TaskDefinitionCache::TaskDefinitionCache(EcsApi& ecs, Clock clock, Spawn spawn, TaskDefinitionCacheSettings settings)
    : ecs_(ecs), clock_(std::move(clock)), spawn_(std::move(spawn)), settings_(settings) {}

TaskDefinitionCache::~TaskDefinitionCache() = default;

const TaskDefinitionInfo* TaskDefinitionCache::lookup(std::string_view ref) const {
  std::string_view name = policy::task_definition_name(ref);
  if (name.find(':') == std::string_view::npos) {  // family only: through its alias while fresh
    auto a = families_.find(name);
    if (a == families_.end() || a->second.until <= clock_()) return nullptr;
    name = a->second.revision;
  }
  auto it = revisions_.find(name);
  return it == revisions_.end() ? nullptr : &it->second;
}

const TaskDefinitionInfo* TaskDefinitionCache::lookup_or_fetch(std::string_view ref) {
  if (const auto* hit = lookup(ref)) return hit;
  const std::string_view name = policy::task_definition_name(ref);
  if (name.empty() || !spawn_ || in_flight_.contains(name) || fetching_.contains(name)) return nullptr;
  // Marked now: the spawned describe only starts on a later turn of the loop.
  fetching_.emplace(std::string(name), true);
  spawn_("describe task definition",
         [](TaskDefinitionCache& self, std::string r) -> asio::awaitable<void> {
           struct Done {
             TaskDefinitionCache& self;
             const std::string& r;
             ~Done() { self.fetching_.erase(std::string(policy::task_definition_name(r))); }
           } done{self, r};
           auto res = co_await self.ensure(r);  // logs its own failure
           (void)res;
         }(*this, std::string(ref)));
  return nullptr;
}

void TaskDefinitionCache::store(std::string_view ref, const TaskDefinitionInfo& info) {
  std::string revision(policy::task_definition_name(info.arn));
  if (revision.empty()) revision = std::string(policy::task_definition_name(ref));
  const std::string_view asked = policy::task_definition_name(ref);
  if (asked.find(':') == std::string_view::npos && !asked.empty())
    families_.insert_or_assign(std::string(asked), Alias{revision, clock_() + settings_.family_ttl});
  revisions_.insert_or_assign(revision, info);
}

asio::awaitable<EcsResult<TaskDefinitionInfo>> TaskDefinitionCache::ensure(std::string ref) {
  if (const auto* hit = lookup(ref)) co_return *hit;
  const std::string key(policy::task_definition_name(ref));
  if (auto it = in_flight_.find(key); it != in_flight_.end()) {
    auto flight = it->second;  // keeps it alive after the leader erased it
    ++stats_.joined;
    boost::system::error_code ec;
    co_await flight->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_return flight->result;
  }
  auto flight = std::make_shared<Flight>(co_await asio::this_coro::executor);
  in_flight_.emplace(key, flight);
  // Whatever ends this coroutine (answer, exception, cancellation), the joined callers are released.
  struct Release {
    TaskDefinitionCache& self;
    const std::string& key;
    Flight& flight;
    ~Release() {
      self.in_flight_.erase(key);
      flight.done.cancel();
    }
  } release{*this, key, *flight};
  ++stats_.describes;
  auto res = co_await ecs_.describe_task_definition(ref);
  if (!res) {
    // Not cached: the next use asks again.
    ++stats_.failures;
    logger()->warn("describe task definition failed task_definition={} code={}", ref, res.error().code);
    flight->result = res;
    co_return res;
  }
  store(ref, *res);
  flight->result = res;
  for (const auto& l : listeners_) l(*res);
  co_return res;
}

std::vector<std::string> TaskDefinitionCache::health_checked_names() const {
  std::vector<std::string> out;
  for (const auto& [name, info] : revisions_)
    if (info.has_health_check) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace berth::reactor
