// File: src/reactor/launch_journal.cpp — launch records around StartTask and their recovery after a restart.
#include "reactor/launch_journal.hpp"

#include "config/logging.hpp"

#include <spdlog/logger.h>

#include <boost/json.hpp>

#include <set>
#include <unistd.h>

namespace berth::reactor {
namespace json = boost::json;

namespace {
std::shared_ptr<spdlog::logger> logger() {
  static auto log = logging::get("launch");
  return log;
}
}  // namespace

boost::asio::awaitable<EcsResult<StartTaskResult>> LaunchJournal::start_task(StartTaskRequest request) {
  // Unique per process and call; the pid keeps keys of a previous process apart.
  const std::string key = std::to_string(::getpid()) + "-" +
                          std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) + "-" +
                          std::to_string(++sequence_);
  json::array instances;
  for (const auto& i : request.container_instances) instances.emplace_back(i);
  json::object record{{"cluster", std::string(cluster_name_from_arn(request.cluster))},
                      {"startedBy", request.started_by},
                      {"taskDefinition", request.task_definition},
                      {"instances", std::move(instances)},
                      {"at", std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count()}};
  // Create-only (revision 0): the key is unique to this process and call, so an existing record is a bug.
  auto put = co_await store_.put_record(std::string(launch_namespace), key, json::serialize(record), 0);
  if (!put) {
    logger()->error("launch record not written, launch refused error=\"{}\"", put.error().message);
    co_return EcsError{EcsError::Kind::rejected, "LaunchJournalError", put.error().message};
  }
  ++written_;
  auto result = co_await inner_.start_task(std::move(request));
  // A known outcome (tasks, failures, or a refusal) is in the model now: the record has done its job. An unknown
  // one (timeout, cancelled at shutdown, 5xx) stays recorded: this process holds it as an in-memory doubt, and a
  // restarted one must too.
  if (!result && result.error().kind == EcsError::Kind::unknown) {
    ++kept_;
    co_return result;
  }
  auto del = co_await store_.delete_record(std::string(launch_namespace), key, *put);
  if (!del) logger()->warn("launch record not deleted key={} error=\"{}\"", key, del.error().message);
  co_return result;
}

boost::asio::awaitable<std::size_t> LaunchJournal::recover(ClusterModel& model, SystemTime now,
                                                           const LaunchDoubtSettings& doubt) {
  auto records = co_await store_.list_records(std::string(launch_namespace));
  if (!records) {
    logger()->error("launch records unreadable error=\"{}\"", records.error().message);
    co_return 0;
  }
  std::size_t added = 0;
  for (const auto& record : *records) {
    // Deleted at the revision read: a record another process rewrote meanwhile is left for it.
    auto forget = [&]() -> boost::asio::awaitable<void> {
      auto del = co_await store_.delete_record(std::string(launch_namespace), record.key, record.revision);
      if (!del) logger()->warn("launch record not deleted key={} error=\"{}\"", record.key, del.error().message);
    };
    boost::system::error_code ec;
    auto v = json::parse(record.value, ec);
    const json::object* o = ec ? nullptr : v.if_object();
    if (o == nullptr || !o->contains("cluster") || !o->at("cluster").is_string()) {
      co_await forget();  // unreadable: nothing to act on
      continue;
    }
    if (o->at("cluster").as_string() != model.cluster_name()) continue;
    // Old records describe launches that any listing shows by now (ListTasks lags by seconds, not minutes).
    const auto* at = o->if_contains("at");
    const auto age = now - SystemTime(std::chrono::seconds(at != nullptr && at->is_int64() ? at->as_int64() : 0));
    if (age > max_record_age) {
      co_await forget();
      continue;
    }
    const std::string started_by(o->contains("startedBy") ? o->at("startedBy").as_string().c_str() : "");
    const std::string td(o->contains("taskDefinition") ? o->at("taskDefinition").as_string().c_str() : "");
    std::set<std::string, std::less<>> occupied;
    for (const auto& t : model.snapshot(started_by, now).tasks)
      if (t.is_live()) occupied.emplace(t.instance_arn);
    if (const auto* arr = o->contains("instances") ? o->at("instances").if_array() : nullptr) {
      for (const auto& i : *arr) {
        if (!i.is_string()) continue;
        std::string_view arn = i.as_string();
        if (occupied.contains(arn)) continue;
        model.expect_launch_in_doubt(arn, started_by, td, now + doubt.check_after, now + doubt.expire_after);
        ++added;
      }
    }
    ++recovered_;
    co_await forget();
    logger()->warn("recovered launch record from an earlier process key={} cluster={} started_by={}", record.key,
                   model.cluster_name(), started_by);
  }
  co_return added;
}

}  // namespace berth::reactor
