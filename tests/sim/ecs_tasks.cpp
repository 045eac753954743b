// File: tests/sim/ecs_tasks.cpp — ECS task operations: placement, StartTask/RunTask/StopTask, lifecycle, listing.
#include "ecs_encode.hpp"
#include "ecs_engine.hpp"
#include "ecs_request.hpp"
#include "json_fields.hpp"
#include "sim_exit.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace berth::sim {
namespace json = boost::json;

namespace {

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

const std::string* attribute(const Instance& inst, const std::string& name) {
  for (const auto& [k, v] : inst.attributes)
    if (k == name) return &v;
  return nullptr;
}

bool clause_matches(const Instance& inst, std::string clause) {
  clause = trim(clause);
  if (clause.rfind("attribute:", 0) != 0) return false;
  auto sp = clause.find(' ');
  std::string name = clause.substr(10, sp == std::string::npos ? std::string::npos : sp - 10);
  std::string rest = sp == std::string::npos ? "" : trim(clause.substr(sp));
  const std::string* value = attribute(inst, name);
  if (rest == "exists") return value != nullptr;
  auto list_of = [](std::string s) {
    std::set<std::string> out;
    auto l = s.find('['), r = s.rfind(']');
    if (l == std::string::npos || r == std::string::npos) return out;
    s = s.substr(l + 1, r - l - 1);
    std::size_t pos = 0;
    while (pos <= s.size()) {
      auto comma = s.find(',', pos);
      out.insert(trim(s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos)));
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
    return out;
  };
  if (rest.rfind("==", 0) == 0) return value && *value == trim(rest.substr(2));
  if (rest.rfind("!=", 0) == 0) return !value || *value != trim(rest.substr(2));
  if (rest.rfind("not in", 0) == 0) return !value || !list_of(rest).count(*value);
  if (rest.rfind("in", 0) == 0) return value && list_of(rest).count(*value);
  return false;
}

// ECS refuses an override for a container the definition does not have.
std::optional<std::string> unknown_override_container(const TaskDef& td, const json::object& in) {
  auto* o = in.if_contains("overrides");
  auto* list = o && o->is_object() ? o->as_object().if_contains("containerOverrides") : nullptr;
  if (!list || !list->is_array()) return std::nullopt;
  for (const auto& v : list->as_array()) {
    std::string name = v.is_object() ? str(v.as_object(), "name") : std::string();
    auto named = [&](const ContainerDef& c) { return c.name == name; };
    if (std::none_of(td.containers.begin(), td.containers.end(), named))
      return "Override for container named " + name + " is not a container in the TaskDefinition.";
  }
  return std::nullopt;
}

}  // namespace

bool matches_expression(const Instance& inst, const std::string& expr) {
  std::size_t pos = 0;
  while (true) {
    auto a = expr.find(" and ", pos);
    if (!clause_matches(inst, expr.substr(pos, a == std::string::npos ? std::string::npos : a - pos))) return false;
    if (a == std::string::npos) return true;
    pos = a + 5;
  }
}

// ---- placement -----------------------------------------------------------------------------

std::string EcsEngine::check_fit(const Instance& inst, const TaskDef& td) const {
  if (inst.status == InstanceStatus::inactive) return "MISSING";
  if (!inst.agent_connected) return "AGENT";
  if (inst.cpu_left < td.cpu) return "RESOURCE:CPU";
  if (inst.memory_left < td.memory) return "RESOURCE:MEMORY";
  for (const auto& c : td.containers)
    for (const auto& p : c.ports) {
      if (p.host_port == 0) continue;
      auto port = static_cast<std::uint16_t>(p.host_port);
      const auto& used = p.udp ? inst.used_udp_ports : inst.used_ports;
      if (std::find(used.begin(), used.end(), port) != used.end() ||
          (!p.udp && std::find(inst.reserved_ports.begin(), inst.reserved_ports.end(), port) != inst.reserved_ports.end()))
        return p.udp ? "RESOURCE:PORTS_UDP" : "RESOURCE:PORTS";
    }
  return {};
}

std::uint32_t EcsEngine::launch(std::uint32_t iidx, std::uint32_t tdidx, const json::object& in) {
  Instance& inst = state_.instances[iidx];
  const TaskDef& td = state_.taskdefs[tdidx];
  Task t;
  t.id = random_.uuid();
  t.cluster = inst.cluster;
  t.instance = iidx;
  t.taskdef = tdidx;
  t.created_ms = now_ms();
  t.group = str(in, "group", "family:" + td.family);
  t.started_by = str(in, "startedBy");
  const json::object* overrides = nullptr;
  if (auto* o = in.if_contains("overrides"); o && o->is_object()) {
    overrides = &o->as_object();
    t.overrides_json = json::serialize(*o);
  }
  if (auto exit = planned_exit(td, overrides)) {
    t.exit_after_ms = exit->after_ms;
    t.planned_exit_code = exit->exit_code;
  }
  inst.cpu_left -= td.cpu;
  inst.memory_left -= td.memory;
  for (std::size_t ci = 0; ci < td.containers.size(); ++ci)
    for (const auto& p : td.containers[ci].ports) {
      std::uint16_t host = static_cast<std::uint16_t>(p.host_port);
      if (host == 0) {
        host = inst.next_dynamic_port;  // ephemeral range; not reported in PORTS, like ECS
        inst.next_dynamic_port = inst.next_dynamic_port >= 60999 ? 32768 : inst.next_dynamic_port + 1;
      } else {
        (p.udp ? inst.used_udp_ports : inst.used_ports).push_back(host);
      }
      t.bindings.push_back(Binding{static_cast<std::uint16_t>(p.container_port), host, p.udp,
                                   static_cast<std::uint8_t>(ci)});
    }
  std::uint32_t idx = 0;
  if (!state_.free_task_slots.empty()) {
    idx = state_.free_task_slots.back();
    state_.free_task_slots.pop_back();
    t.generation = state_.tasks[idx].generation;  // already bumped when the slot was freed
    state_.tasks[idx] = std::move(t);
  } else {
    state_.tasks.push_back(std::move(t));
    idx = static_cast<std::uint32_t>(state_.tasks.size() - 1);
  }
  Task& stored = state_.tasks[idx];
  state_.task_by_id.emplace(stored.id, idx);
  state_.clusters[stored.cluster].tasks_running.emplace(stored.id, idx);
  ++state_.clusters[stored.cluster].pending;
  inst.tasks.push_back(idx);
  ++inst.pending;
  ++inst.version;
  task_changed(stored);
  instance_changed(inst);
  schedule_lifecycle(idx);
  return idx;
}

void EcsEngine::schedule_lifecycle(std::uint32_t idx) {
  auto half = options_.task_start / 2;
  auto gen = state_.tasks[idx].generation;
  timers_.after(half, [this, idx, gen] { advance(idx, gen, TaskStatus::pending); });
  timers_.after(options_.task_start, [this, idx, gen] { advance(idx, gen, TaskStatus::running); });
}

void EcsEngine::advance(std::uint32_t idx, std::uint32_t gen, TaskStatus to) {
  Task& t = state_.tasks[idx];
  // Stale timer: the task was stopped, already moved on, or pruned (slot reused).
  if (t.generation != gen || t.desired != TaskStatus::running || t.last >= to) return;
  if (to == TaskStatus::pending) {
    t.pull_started_ms = now_ms();
  } else {
    if (random_.chance(options_.task_start_failure_rate)) {
      finish_stop(idx, StopCode::task_failed_to_start,
                  "CannotStartContainerError: Error response from daemon: sim injected start failure", -1);
      return;
    }
    t.pull_stopped_ms = t.started_ms = now_ms();
    Instance& inst = state_.instances[t.instance];
    --inst.pending;
    ++inst.running;
    --state_.clusters[t.cluster].pending;
    ++state_.clusters[t.cluster].running;
    if (t.exit_after_ms >= 0)
      timers_.after(std::chrono::milliseconds(t.exit_after_ms), [this, idx, gen] { exit_by_itself(idx, gen); });
  }
  t.last = to;
  ++t.version;
  task_changed(t);
}

// A batch container's program ended (sim_exit.hpp): as when an essential container exits in ECS,
// desired STOPPED at once (stopCode EssentialContainerExited), STOPPED with its exit code after
// the other containers are stopped (task_stop).
void EcsEngine::exit_by_itself(std::uint32_t idx, std::uint32_t gen) {
  Task& t = state_.tasks[idx];
  if (t.generation != gen || t.last != TaskStatus::running || t.desired != TaskStatus::running) return;
  request_stop(idx, StopCode::essential_container_exited, "Essential container in task exited", t.planned_exit_code);
}

void EcsEngine::request_stop(std::uint32_t idx, StopCode code, std::string reason, std::optional<int> exit_code) {
  Task& t = state_.tasks[idx];
  if (t.desired == TaskStatus::stopped) return;
  Cluster& c = state_.clusters[t.cluster];
  c.tasks_running.erase(t.id);
  c.tasks_stopped.emplace(t.id, idx);
  t.desired = TaskStatus::stopped;
  t.stop_code = code;
  t.stopped_reason = std::move(reason);
  t.stopping_ms = now_ms();
  ++t.version;
  task_changed(t);
  timers_.after(options_.task_stop, [this, idx, gen = t.generation, exit_code] {
    Task& s = state_.tasks[idx];
    if (s.generation == gen && s.last != TaskStatus::stopped)
      finish_stop(idx, s.stop_code, s.stopped_reason, exit_code.value_or(s.started_ms ? 143 : -1));
  });
}

void EcsEngine::finish_stop(std::uint32_t idx, StopCode code, std::string reason, int exit_code) {
  Task& t = state_.tasks[idx];
  if (t.last == TaskStatus::stopped) return;
  Cluster& c = state_.clusters[t.cluster];
  Instance& inst = state_.instances[t.instance];
  if (t.desired != TaskStatus::stopped) {
    c.tasks_running.erase(t.id);
    c.tasks_stopped.emplace(t.id, idx);
  }
  if (t.last == TaskStatus::running) {
    --inst.running;
    --c.running;
  } else {
    --inst.pending;
    --c.pending;
  }
  // Release resources.
  const TaskDef& td = state_.taskdefs[t.taskdef];
  inst.cpu_left += td.cpu;
  inst.memory_left += td.memory;
  for (const auto& b : t.bindings) {
    auto& used = b.udp ? inst.used_udp_ports : inst.used_ports;
    if (auto it = std::find(used.begin(), used.end(), b.host_port); it != used.end()) used.erase(it);
  }
  inst.tasks.erase(std::remove(inst.tasks.begin(), inst.tasks.end(), idx), inst.tasks.end());
  t.desired = TaskStatus::stopped;
  t.last = TaskStatus::stopped;
  t.stop_code = code;
  t.stopped_reason = std::move(reason);
  t.exit_code = exit_code;
  t.stopped_ms = now_ms();
  if (t.stopping_ms == 0) t.stopping_ms = t.stopped_ms;
  ++t.version;
  task_changed(t);
  if (inst.status != InstanceStatus::inactive) {
    ++inst.version;
    instance_changed(inst);
  }
  schedule_prune(idx);
}

// ---- pruning of STOPPED tasks --------------------------------------------------------------

void EcsEngine::schedule_prune(std::uint32_t idx) {
  prune_queue_.push_back(
      PruneEntry{Clock::now() + options_.stopped_task_retention, idx, state_.tasks[idx].generation});
  if (!prune_armed_) {
    prune_armed_ = true;
    timers_.at(prune_queue_.front().due, [this] { sweep_stopped(); });
  }
}

// Forgets every task whose retention has passed, then sleeps until the next one is due: one
// pending timer however many tasks are waiting, and no work while nothing is due.
void EcsEngine::sweep_stopped() {
  prune_armed_ = false;
  const auto now = Clock::now();
  while (!prune_queue_.empty() && prune_queue_.front().due <= now) {
    auto [due, idx, gen] = prune_queue_.front();
    prune_queue_.pop_front();
    const Task& t = state_.tasks[idx];
    if (t.generation == gen && t.last == TaskStatus::stopped) forget_task(idx);
  }
  if (!prune_queue_.empty()) {
    prune_armed_ = true;
    timers_.at(prune_queue_.front().due, [this] { sweep_stopped(); });
  }
}

void EcsEngine::forget_task(std::uint32_t idx) {
  Task& t = state_.tasks[idx];
  // The maps key on views of t.id: drop them before the id goes.
  state_.clusters[t.cluster].tasks_stopped.erase(t.id);
  state_.task_by_id.erase(t.id);
  const auto next_generation = t.generation + 1;
  t = Task{};  // releases the strings and bindings
  t.generation = next_generation;
  state_.free_task_slots.push_back(idx);
  ++tasks_pruned_;
}

std::optional<std::string> EcsEngine::task_action(const std::string& ref, const std::string& action, int exit_code,
                                                  const std::string& reason) {
  auto it = state_.task_by_id.find(last_segment(ref));
  if (it == state_.task_by_id.end()) return "task not found: " + ref;
  const std::uint32_t idx = it->second;
  if (state_.tasks[idx].last == TaskStatus::stopped) return "task already STOPPED";
  if (action == "stop") {
    request_stop(idx, StopCode::user_initiated, reason.empty() ? "Task stopped by sim control" : reason);
  } else if (action == "fail") {
    finish_stop(idx, StopCode::essential_container_exited,
                reason.empty() ? "Essential container in task exited" : reason, exit_code);
  } else {
    return "unknown task action: " + action;
  }
  return std::nullopt;
}

// ---- operations ----------------------------------------------------------------------------

ApiOutcome EcsEngine::start_task(std::uint32_t c, const json::object& in) {
  auto td = find_taskdef(str(in, "taskDefinition"));
  if (!td) return ApiOutcome::fail("ClientException", "TaskDefinition not found.");
  if (auto bad = unknown_override_container(state_.taskdefs[*td], in))
    return ApiOutcome::fail("InvalidParameterException", *bad);
  const auto& refs = in.at("containerInstances").as_array();
  if (refs.empty() || refs.size() > 10)
    return ApiOutcome::fail("InvalidParameterException", "containerInstances must have between 1 and 10 items.");
  json::array tasks, failures;
  for (const auto& r : refs) {
    auto idx = find_instance(c, r.as_string());
    std::string reason = idx ? check_fit(state_.instances[*idx], state_.taskdefs[*td]) : "MISSING";
    if (!reason.empty()) {
      failures.push_back(failure(idx ? json::value(state_.instance_arn(state_.instances[*idx])) : r, reason));
      continue;
    }
    auto t = launch(*idx, *td, in);
    tasks.push_back(encode_task(state_, state_.tasks[t]));
  }
  return with_failures("tasks", std::move(tasks), std::move(failures));
}

ApiOutcome EcsEngine::run_task(std::uint32_t c, const json::object& in) {
  constexpr auto token_ttl = std::chrono::hours(24);
  const auto now = Clock::now();
  while (!run_task_token_expiry_.empty() && run_task_token_expiry_.front().first <= now) {
    run_task_tokens_.erase(run_task_token_expiry_.front().second);
    run_task_token_expiry_.pop_front();
  }
  const std::string token = str(in, "clientToken");
  std::string parameters;
  if (!token.empty()) {
    json::object without_token = in;
    without_token.erase("clientToken");
    parameters = json::serialize(without_token);
    if (auto it = run_task_tokens_.find({c, token}); it != run_task_tokens_.end()) {
      if (it->second.parameters == parameters) return ApiOutcome::ok(it->second.result);
      ApiOutcome conflict = ApiOutcome::fail(
          "ConflictException", "The specified client token is already in use with a different RunTask request.");
      json::array ids;
      for (const auto& arn : it->second.task_arns) ids.emplace_back(arn);
      conflict.error->fields["resourceIds"] = std::move(ids);
      return conflict;
    }
  }
  ApiOutcome out = run_task_once(c, in);
  if (!token.empty() && !out.error) {
    std::vector<std::string> arns;
    for (const auto& t : out.body.as_object().at("tasks").as_array()) arns.emplace_back(str(t.as_object(), "taskArn"));
    run_task_tokens_[{c, token}] = RunTaskToken{std::move(parameters), out.body, std::move(arns), now + token_ttl};
    run_task_token_expiry_.emplace_back(now + token_ttl, std::pair{c, token});
  }
  return out;
}

ApiOutcome EcsEngine::run_task_once(std::uint32_t c, const json::object& in) {
  auto td = find_taskdef(str(in, "taskDefinition"));
  if (!td) return ApiOutcome::fail("ClientException", "TaskDefinition not found.");
  if (auto bad = unknown_override_container(state_.taskdefs[*td], in))
    return ApiOutcome::fail("InvalidParameterException", *bad);
  const int count = int_or(in, "count", 1);
  if (count < 1 || count > 10)
    return ApiOutcome::fail("InvalidParameterException", "count must be between 1 and 10.");
  if (auto lt = str(in, "launchType"); !lt.empty() && lt != "EC2")
    return ApiOutcome::fail("InvalidParameterException", "The sim only supports the EC2 launch type.");
  bool distinct = false;
  std::vector<std::string> member_of;
  if (auto* pc = in.if_contains("placementConstraints"))
    for (const auto& v : pc->as_array()) {
      const auto& o = v.as_object();
      if (str(o, "type") == "distinctInstance") distinct = true;
      else if (str(o, "type") == "memberOf") {
        std::string e = str(o, "expression");
        if (e.empty()) return ApiOutcome::fail("InvalidParameterException", "memberOf requires an expression.");
        member_of.push_back(e);
      }
    }
  std::vector<std::pair<std::string, std::string>> strategy;  // (type, field)
  if (auto* ps = in.if_contains("placementStrategy"))
    for (const auto& v : ps->as_array()) strategy.emplace_back(str(v.as_object(), "type"), str(v.as_object(), "field"));
  for (const auto& [type, field] : strategy) {
    if (type == "binpack" && field != "cpu" && field != "memory" && field != "CPU" && field != "MEMORY")
      return ApiOutcome::fail("InvalidParameterException", "binpack field must be cpu or memory.");
    if (type == "spread" && field.empty())
      return ApiOutcome::fail("InvalidParameterException", "spread requires a field.");
  }
  const TaskDef& def = state_.taskdefs[*td];
  const std::string group = str(in, "group", "family:" + def.family);

  json::array tasks, failures;
  std::set<std::uint32_t> used_this_call;
  for (int n = 0; n < count; ++n) {
    // Assumptions: clusters hold a few thousand instances; a linear scan per placement is
    // cheap next to the 40/s modify-action throttle.
    std::vector<std::uint32_t> candidates;
    std::map<std::string, int> reasons;
    for (const auto& [id, idx] : state_.clusters[c].instances) {
      const Instance& inst = state_.instances[idx];
      if (inst.status != InstanceStatus::active) continue;
      if (distinct && used_this_call.count(idx)) {
        ++reasons["DistinctInstance placement constraint unsatisfied."];
        continue;
      }
      bool member = std::all_of(member_of.begin(), member_of.end(),
                                [&](const std::string& e) { return matches_expression(inst, e); });
      if (!member) {
        ++reasons["MemberOf placement constraint unsatisfied."];
        continue;
      }
      std::string why = check_fit(inst, def);
      if (!why.empty()) {
        ++reasons[why];
        continue;
      }
      candidates.push_back(idx);
    }
    if (candidates.empty()) {
      std::string reason = "No Container Instances were found in your cluster.";
      int best = 0;
      for (const auto& [r, k] : reasons)
        if (k > best) best = k, reason = r;
      failures.push_back(failure(json::value(state_.clusters[c].arn), reason));
      continue;
    }
    // Score: lexicographic over the strategies in order; lower is better. Ties keep a
    // seeded shuffle so that "no strategy" (random) and equal scores spread placements.
    for (std::size_t i = candidates.size(); i > 1; --i) std::swap(candidates[i - 1], candidates[random_.below(i)]);
    auto group_count = [&](const Instance& inst) {
      int k = 0;
      for (auto t : inst.tasks)
        if (state_.tasks[t].group == group) ++k;
      return k;
    };
    std::map<std::string, int> per_value;  // spread over an attribute: tasks of the group per value
    for (const auto& [type, field] : strategy)
      if (type == "spread" && field.rfind("attribute:", 0) == 0)
        for (const auto& [id, idx] : state_.clusters[c].instances) {
          const Instance& inst = state_.instances[idx];
          const std::string* v = attribute(inst, field.substr(10));
          per_value[field + "=" + (v ? *v : "")] += group_count(inst);
        }
    auto score = [&](std::uint32_t idx) {
      const Instance& inst = state_.instances[idx];
      std::vector<long> key;
      for (const auto& [type, field] : strategy) {
        if (type == "binpack") key.push_back(field == "cpu" || field == "CPU" ? inst.cpu_left : inst.memory_left);
        else if (type == "spread" && field == "instanceId") key.push_back(group_count(inst));
        else if (type == "spread" && field.rfind("attribute:", 0) == 0) {
          const std::string* v = attribute(inst, field.substr(10));
          key.push_back(per_value[field + "=" + (v ? *v : "")]);
        }
      }
      return key;
    };
    auto best = *std::min_element(candidates.begin(), candidates.end(),
                                  [&](std::uint32_t a, std::uint32_t b) { return score(a) < score(b); });
    used_this_call.insert(best);
    auto t = launch(best, *td, in);
    tasks.push_back(encode_task(state_, state_.tasks[t]));
  }
  return with_failures("tasks", std::move(tasks), std::move(failures));
}

ApiOutcome EcsEngine::stop_task(std::uint32_t c, const json::object& in) {
  auto idx = find_task(c, str(in, "task"));
  if (!idx) return ApiOutcome::fail("InvalidParameterException", "The referenced task was not found.");
  request_stop(*idx, StopCode::user_initiated, str(in, "reason", "Task stopped by user"));
  return ApiOutcome::ok(json::object{{"task", encode_task(state_, state_.tasks[*idx])}});
}

ApiOutcome EcsEngine::list_tasks(std::uint32_t c, const json::object& in) {
  ApiOutcome err;
  const auto max = max_results(in, err);
  if (!max) return err;
  // Tasks of other launch types or of services never run in the sim: an empty page.
  if (auto lt = str(in, "launchType"); lt == "FARGATE" || lt == "EXTERNAL" || lt == "MANAGED_INSTANCES")
    return page("taskArns", json::array(), {});
  if (!str(in, "serviceName").empty()) return page("taskArns", json::array(), {});
  const Cluster& cl = state_.clusters[c];
  const auto& by_id = str(in, "desiredStatus", "RUNNING") == "STOPPED" ? cl.tasks_stopped : cl.tasks_running;
  std::optional<std::uint32_t> on_instance;
  if (auto ci = str(in, "containerInstance"); !ci.empty()) {
    on_instance = find_instance(c, ci);
    if (!on_instance) return ApiOutcome::fail("InvalidParameterException", "The referenced container instance was not found.");
  }
  std::string family = str(in, "family");
  // ECS: with startedBy "it must be the only filter"; not enforced (berth's e2e adds desiredStatus).
  std::string started_by = str(in, "startedBy");
  auto start = page_start(in, "t:", by_id, err);
  if (!start) return err;
  json::array arns;
  std::string last, next;
  for (auto it = *start; it != by_id.end(); ++it) {
    const Task& t = state_.tasks[it->second];
    if (on_instance && t.instance != *on_instance) continue;
    if (!family.empty() && state_.taskdefs[t.taskdef].family != family) continue;
    if (!started_by.empty() && t.started_by != started_by) continue;
    if (static_cast<int>(arns.size()) == *max) {
      next = "t:" + last;
      break;
    }
    arns.push_back(json::value(state_.task_arn(t)));
    last = t.id;
  }
  return page("taskArns", std::move(arns), next);
}

ApiOutcome EcsEngine::describe_tasks(std::uint32_t c, const json::object& in) {
  return describe_each(in, "tasks", [&](std::string_view ref) -> std::optional<json::value> {
    if (auto idx = find_task(c, ref)) return encode_task(state_, state_.tasks[*idx]);
    return std::nullopt;
  });
}

json::object EcsEngine::summary(bool with_tasks, bool with_instances) const {
  json::array clusters;
  for (const auto& c : state_.clusters) {
    json::object o{{"name", c.name}, {"arn", c.arn}, {"running_tasks", c.running}, {"pending_tasks", c.pending},
                   {"active_instances", c.active_instances}, {"stopped_tasks", c.tasks_stopped.size()}};
    if (with_instances) {
      json::array insts;
      for (const auto& [id, idx] : c.instances) {
        const Instance& i = state_.instances[idx];
        insts.push_back(json::object{{"arn", state_.instance_arn(i)}, {"id", i.id}, {"ec2_instance_id", i.ec2_id},
                                     {"status", to_string(i.status)}, {"agent_connected", i.agent_connected},
                                     {"version", i.version}, {"cpu", i.cpu}, {"memory", i.memory},
                                     {"cpu_remaining", i.cpu_left}, {"memory_remaining", i.memory_left},
                                     {"running_tasks", i.running}, {"pending_tasks", i.pending}});
      }
      o["instances"] = std::move(insts);
    }
    if (with_tasks) {
      json::array ts;
      for (const auto* m : {&c.tasks_running, &c.tasks_stopped})
        for (const auto& [id, idx] : *m) {
          const Task& t = state_.tasks[idx];
          ts.push_back(json::object{{"arn", state_.task_arn(t)}, {"last_status", to_string(t.last)},
                                    {"desired_status", to_string(t.desired)}, {"version", t.version},
                                    {"instance", state_.instance_arn(state_.instances[t.instance])},
                                    {"task_definition", state_.taskdefs[t.taskdef].arn},
                                    {"group", t.group}, {"started_by", t.started_by}});
        }
      o["tasks"] = std::move(ts);
    }
    clusters.push_back(std::move(o));
  }
  return json::object{{"clusters", std::move(clusters)}};
}

}  // namespace berth::sim
