// File: tests/support/sim_view.cpp — the sim's state as plain structs, and the outcome checks built on it.
#include "sim_view.hpp"

#include "sim_calls.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <stdexcept>

namespace berth::testing {
namespace json = boost::json;

namespace {

std::string family_rev(std::string_view arn) {
  auto slash = arn.rfind('/');
  return std::string(slash == std::string_view::npos ? arn : arn.substr(slash + 1));
}

std::string str(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

double num(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_number() ? v->to_number<double>() : 0.0;
}

}  // namespace

std::set<std::string> SimView::instance_arns(const std::string& status) const {
  std::set<std::string> out;
  for (const auto& i : instances)
    if (status.empty() || i.status == status) out.insert(i.arn);
  return out;
}

std::map<std::string, std::vector<SimTask>> SimView::live_by_instance(const std::string& family) const {
  std::map<std::string, std::vector<SimTask>> out;
  for (const auto& t : tasks)
    if (t.live() && t.family() == family) out[t.instance].push_back(t);
  return out;
}

std::map<std::string, std::vector<SimTask>> SimView::all_by_instance(const std::string& family) const {
  std::map<std::string, std::vector<SimTask>> out;
  for (const auto& t : tasks)
    if (t.family() == family) out[t.instance].push_back(t);
  return out;
}

std::size_t SimView::without_healthy(const std::string& family, const std::set<std::string>& among) const {
  std::set<std::string> healthy;
  for (const auto& t : tasks)
    if (t.healthy() && t.family() == family) healthy.insert(t.instance);
  std::size_t n = 0;
  for (const auto& i : among) n += healthy.count(i) ? 0 : 1;
  return n;
}

SimView sim_view(const sim::SimProcess& sim, const std::string& cluster) {
  auto state = sim.get("/_sim/state?tasks=1");
  SimView view;
  for (const auto& cv : state.at("clusters").as_array()) {
    const auto& c = cv.as_object();
    if (str(c, "name") != cluster) continue;
    if (auto* insts = c.if_contains("instances"))
      for (const auto& iv : insts->as_array()) {
        const auto& i = iv.as_object();
        SimInstance si{str(i, "arn"), str(i, "id"), str(i, "ec2_instance_id"), str(i, "status"), true};
        if (auto* a = i.if_contains("agent_connected"); a && a->is_bool()) si.agent_connected = a->as_bool();
        view.instances.push_back(std::move(si));
      }
    if (auto* tasks = c.if_contains("tasks"))
      for (const auto& tv : tasks->as_array()) {
        const auto& t = tv.as_object();
        view.tasks.push_back(SimTask{str(t, "arn"), str(t, "last_status"), str(t, "desired_status"),
                                     str(t, "instance"), family_rev(str(t, "task_definition")), str(t, "group"),
                                     str(t, "started_by")});
      }
  }
  return view;
}

std::string check_one_per_instance(const SimView& view, const std::string& family, const std::set<std::string>& expected,
                                   const std::string& task_definition) {
  auto live = view.live_by_instance(family);
  std::size_t ok = 0;
  std::string first_problem;
  auto note = [&](const std::string& why) {
    if (first_problem.empty()) first_problem = why;
  };
  for (const auto& inst : expected) {
    auto it = live.find(inst);
    if (it == live.end()) {
      note("no task on " + inst);
      continue;
    }
    if (it->second.size() != 1) {
      note(std::to_string(it->second.size()) + " live tasks on " + inst);
      continue;
    }
    const auto& t = it->second.front();
    if (!t.healthy()) {
      note("task " + t.arn + " is " + t.last_status + "/" + t.desired_status);
      continue;
    }
    if (!task_definition.empty() && t.task_definition != task_definition) {
      note("task " + t.arn + " runs " + t.task_definition);
      continue;
    }
    ++ok;
  }
  for (const auto& [inst, ts] : live)
    if (!expected.count(inst)) note(std::to_string(ts.size()) + " live task(s) on unexpected instance " + inst);
  if (ok == expected.size() && first_problem.empty()) return {};
  return std::to_string(ok) + "/" + std::to_string(expected.size()) + " instances right; first problem: " +
         first_problem;
}

json::array describe_env_tasks(const sim::SimProcess& sim, const std::string& cluster, const std::string& started_by) {
  std::vector<std::string> arns;
  for (const char* desired : {"RUNNING", "STOPPED"}) {
    std::string token;
    do {
      json::object req{{"cluster", cluster}, {"startedBy", started_by}, {"desiredStatus", desired}, {"maxResults", 100}};
      if (!token.empty()) req["nextToken"] = token;
      auto r = ecs_call(sim, "ListTasks", req);
      if (r.status != 200) throw std::runtime_error("ListTasks: " + r.body);
      auto parsed = r.json();
      const auto& body = parsed.as_object();
      for (const auto& a : body.at("taskArns").as_array()) arns.emplace_back(a.as_string());
      token = str(body, "nextToken");
    } while (!token.empty());
  }
  json::array out;
  for (std::size_t i = 0; i < arns.size(); i += 100) {
    json::array batch;
    for (std::size_t j = i; j < std::min(arns.size(), i + 100); ++j) batch.push_back(json::value(arns[j]));
    auto r = ecs_call(sim, "DescribeTasks", json::object{{"cluster", cluster}, {"tasks", batch}});
    if (r.status != 200) throw std::runtime_error("DescribeTasks: " + r.body);
    auto described = r.json();  // keep the document alive while iterating it
    for (auto& t : described.as_object().at("tasks").as_array()) out.push_back(t);
  }
  return out;
}

std::vector<std::string> overlapping_tasks(const sim::SimProcess& sim, const std::string& cluster,
                                           const std::string& started_by) {
  struct Span {
    double created, stopped;  // stopped = +inf while not STOPPED
    std::string arn;
  };
  std::map<std::string, std::vector<Span>> by_instance;
  for (const auto& tv : describe_env_tasks(sim, cluster, started_by)) {
    const auto& t = tv.as_object();
    double stopped = str(t, "lastStatus") == "STOPPED" ? num(t, "stoppedAt") : 1e300;
    by_instance[str(t, "containerInstanceArn")].push_back(Span{num(t, "createdAt"), stopped, str(t, "taskArn")});
  }
  std::vector<std::string> out;
  for (auto& [inst, spans] : by_instance) {
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.created < b.created; });
    for (std::size_t i = 1; i < spans.size(); ++i)
      if (spans[i].created < spans[i - 1].stopped)
        out.push_back(inst + ": " + spans[i].arn + " created while " + spans[i - 1].arn + " was not stopped");
  }
  return out;
}

std::map<std::string, std::int64_t> ecs_call_counts(const sim::SimProcess& sim) {
  static const std::set<std::string> sqs_ops{"ReceiveMessage", "DeleteMessage", "DeleteMessageBatch", "SendMessage",
                                             "SendMessageBatch", "ChangeMessageVisibility",
                                             "ChangeMessageVisibilityBatch", "GetQueueAttributes", "GetQueueUrl",
                                             "PurgeQueue", "ListQueues", "CreateQueue"};
  std::map<std::string, std::int64_t> out;
  auto stats = sim.stats();
  for (const auto& [op, n] : stats.at("api_calls").as_object())
    if (!sqs_ops.count(std::string(op))) out[std::string(op)] = n.to_number<std::int64_t>();
  return out;
}

std::vector<std::pair<std::string, int>> running_tasks_per_instance(const sim::SimProcess& sim,
                                                                    const std::string& cluster,
                                                                    const std::string& task_definition_suffix) {
  const auto view = sim_view(sim, cluster);
  std::map<std::string, int> counts;
  for (const auto& i : view.instances)
    if (i.status == "ACTIVE") counts[i.arn] = 0;
  const auto& suffix = task_definition_suffix;
  for (const auto& t : view.tasks) {
    if (t.last_status != "RUNNING") continue;
    const auto& td = t.task_definition;
    if (!suffix.empty() && (td.size() < suffix.size() || td.compare(td.size() - suffix.size(), suffix.size(), suffix) != 0))
      continue;
    ++counts[t.instance];
  }
  return {counts.begin(), counts.end()};
}

}  // namespace berth::testing
