// File: src/http/marathon/marathon_scales.cpp — Marathon's ScaleApplication deployments: a count change through
// /v2 answers a deployment id, and berth keeps it (in memory and as a store record, so a restart of berth still
// lists it) until the app's live tasks match the count.
#include "http/marathon/marathon_api.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <spdlog/spdlog.h>

namespace berth::http::marathon {
namespace asio = boost::asio;
namespace json = boost::json;
using api::ApiRequest;
using api::ApiResponse;
using store::StoreErrc;
using namespace detail;

namespace {

// The store records' namespace: one record per service with a scale deployment in progress.
constexpr std::string_view scales_namespace = "marathon_scales";

}  // namespace

std::string MarathonApi::encode_scale(const ScaleDeployment& scale) {
  const auto at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(scale.at.time_since_epoch()).count();
  return json::serialize(json::object{{"id", scale.id}, {"from", scale.from}, {"to", scale.to}, {"atMs", at_ms}});
}

// A record berth cannot read is logged and skipped by the caller: that scale is then simply not listed.
std::optional<MarathonApi::ScaleDeployment> MarathonApi::decode_scale(const store::KvRecord& record) {
  boost::system::error_code ec;
  const auto v = json::parse(record.value, ec);
  const auto* o = ec ? nullptr : v.if_object();
  const auto* id = o ? o->if_contains("id") : nullptr;
  const auto* from = o ? o->if_contains("from") : nullptr;
  const auto* to = o ? o->if_contains("to") : nullptr;
  const auto* at = o ? o->if_contains("atMs") : nullptr;
  if (!id || !id->is_string() || !from || !from->is_int64() || !to || !to->is_int64() || !at || !at->is_int64())
    return std::nullopt;
  ScaleDeployment scale;
  scale.id = std::string(id->get_string());
  scale.from = static_cast<std::int32_t>(from->get_int64());
  scale.to = static_cast<std::int32_t>(to->get_int64());
  scale.at = policy::SystemTime(std::chrono::milliseconds(at->get_int64()));
  scale.revision = record.revision;
  return scale;
}

const MarathonApi::ScaleDeployment* MarathonApi::scale_in_progress(const policy::Service& service) const {
  if (!scales_.count(service.spec.name)) return nullptr;  // no need to list the tasks
  return scale_in_progress(service, live_tasks(service));
}

const MarathonApi::ScaleDeployment* MarathonApi::scale_in_progress(const policy::Service& service,
                                                                   const std::vector<LiveTask>& tasks) const {
  auto it = scales_.find(service.spec.name);
  if (it == scales_.end()) return nullptr;
  // Done once the live tasks are as many as the count and all RUNNING (a scale down: the extra ones stopped).
  bool done = static_cast<std::int32_t>(tasks.size()) == service.spec.desired_count;
  for (const auto& t : tasks) done = done && t.json.at("state") == "TASK_RUNNING";
  return done ? nullptr : &it->second;
}

std::optional<std::string> MarathonApi::lock_holder(const policy::Service& service) const {
  if (!service.active_deployment_id.empty()) return service.active_deployment_id;
  if (const auto* scale = scale_in_progress(service)) return scale->id;
  return std::nullopt;
}

std::optional<MarathonApi::ScaleState> MarathonApi::scale_state(const policy::Service& service) const {
  auto it = scales_.find(service.spec.name);
  if (it == scales_.end()) return std::nullopt;
  return ScaleState{it->second.id, scale_in_progress(service) != nullptr};
}

asio::awaitable<void> MarathonApi::refresh_scales() {
  if (!scales_loaded_) {
    auto records = co_await store_.list_records(std::string(scales_namespace));
    if (!records) {
      spdlog::warn("marathon_api scales_not_loaded error=\"{}\"", records.error().message);
      co_return;  // tried again by the next request
    }
    for (const auto& r : *records) {
      if (auto scale = decode_scale(r)) scales_[r.key] = std::move(*scale);
      else spdlog::warn("marathon_api scale_record_unreadable service={}", r.key);
    }
    scales_loaded_ = true;
  }
  std::vector<std::string> names;  // copied: another request may change scales_ while this one waits
  for (const auto& entry : scales_) names.push_back(entry.first);
  std::vector<std::string> finished;
  for (const auto& name : names) {
    auto service = co_await store_.get_service(name);
    if (service ? scale_in_progress(*service) == nullptr : service.error().code == StoreErrc::not_found)
      finished.push_back(name);
  }
  for (const auto& name : finished) co_await forget_scale(name);
}

asio::awaitable<void> MarathonApi::save_scale(const std::string& name, ScaleDeployment scale) {
  co_await forget_scale(name);
  const std::string value = encode_scale(scale);
  auto revision = co_await store_.put_record(std::string(scales_namespace), name, value, 0);
  if (!revision && revision.error().code == StoreErrc::already_exists) {
    // A record this process did not know of (left by a failed delete, or read before the first load): replace it.
    auto records = co_await store_.list_records(std::string(scales_namespace));
    if (records) {
      for (const auto& r : *records) {
        if (r.key != name) continue;
        auto replaced = co_await store_.put_record(std::string(scales_namespace), name, value, r.revision);
        revision = std::move(replaced);
      }
    }
  }
  if (revision) scale.revision = *revision;
  else spdlog::warn("marathon_api scale_not_stored service={} error=\"{}\"", name, revision.error().message);
  scales_[name] = std::move(scale);
}

asio::awaitable<void> MarathonApi::forget_scale(const std::string& name) {
  auto it = scales_.find(name);
  if (it == scales_.end()) co_return;
  const std::int64_t revision = it->second.revision;
  scales_.erase(it);
  if (revision == 0) co_return;
  auto deleted = co_await store_.delete_record(std::string(scales_namespace), name, revision);
  if (!deleted) spdlog::warn("marathon_api scale_not_deleted service={} error=\"{}\"", name, deleted.error().message);
}

asio::awaitable<ApiResponse> MarathonApi::delete_scale(const ApiRequest& req, const std::string& name,
                                                       const ScaleDeployment& scale) {
  if (query_true(req, "force")) {
    // Canceled: berth goes on towards the count (it has no plan to stop); the scale is no longer listed.
    co_await forget_scale(name);
    ApiResponse r;
    r.status = 202;
    co_return r;
  }
  // Rolled back, as Marathon does: the count goes back to what it was (itself a scale deployment, answered).
  const std::int32_t back = scale.from;
  co_return co_await write_app(
      name,
      [back](policy::Service s) -> std::variant<policy::Service, MarathonError> {
        s.spec.desired_count = back;
        return s;
      },
      true);
}

}  // namespace berth::http::marathon
