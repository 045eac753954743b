// File: src/aws/ecs_protocol.cpp — ECS request bodies (member names from the botocore model) and typed response parsing.
#include "aws/ecs_protocol.hpp"

#include "aws/ecs_json.hpp"

namespace berth::aws::ecs {
namespace json = boost::json;

namespace {

AwsError invalid(std::string message) { return client_error("InvalidParameterException", std::move(message)); }
AwsError bad_response(std::string message) { return client_error("SerializationException", std::move(message)); }

void put_if(json::object& o, std::string_view key, const std::string& value) {
  if (!value.empty()) o[key] = value;
}

json::array to_array(const std::vector<std::string>& v) {
  json::array a;
  a.reserve(v.size());
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

// RunTask's placement lists: [{"type", detail_key?}...], left out when empty.
template <class T>
void put_typed_list(json::object& o, std::string_view key, const std::vector<T>& items, std::string_view detail_key,
                    std::string T::*detail) {
  if (items.empty()) return;
  json::array a;
  for (const auto& item : items) {
    json::object e{{"type", item.type}};
    put_if(e, detail_key, item.*detail);
    a.push_back(std::move(e));
  }
  o[key] = std::move(a);
}

AwsResult<void> check_max_results(const std::optional<int>& m) {
  if (m && (*m < 1 || *m > max_list_results)) return invalid("maxResults must be 1..100");
  return {};
}

AwsResult<void> check_arn_list(const std::vector<std::string>& arns, std::size_t max, std::string_view what) {
  if (arns.empty()) return invalid(std::string(what) + ": at least one entry required");
  if (arns.size() > max) return invalid(std::string(what) + ": at most " + std::to_string(max) + " entries");
  for (const auto& a : arns)
    if (a.empty()) return invalid(std::string(what) + ": empty entry");
  return {};
}

// A List* request body: cluster first, then what `fill` adds (the operation's own members; it may refuse the
// request by returning an error), then maxResults and nextToken. maxResults is checked before anything else.
template <class Request, class Fill>
AwsResult<json::object> list_request(const Request& r, Fill fill) {
  if (auto ok = check_max_results(r.max_results); !ok) return ok.error();
  json::object o;
  put_if(o, "cluster", r.cluster);
  if (auto ok = fill(o); !ok) return ok.error();
  if (r.max_results) o["maxResults"] = *r.max_results;
  put_if(o, "nextToken", r.next_token);
  return o;
}

// A batch request body {"cluster"?, member: [arns]}, once the ARN list is within the operation's limit.
AwsResult<json::object> arn_batch_request(std::string_view cluster, std::string_view member,
                                          const std::vector<std::string>& arns, std::size_t max) {
  if (auto ok = check_arn_list(arns, max, member); !ok) return ok.error();
  json::object o;
  if (!cluster.empty()) o["cluster"] = cluster;
  o[member] = to_array(arns);
  return o;
}

const json::object* as_object(const json::value& v) { return v.is_object() ? &v.get_object() : nullptr; }

std::string string_member(const json::object& o, std::string_view key) {
  if (const auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->get_string());
  return {};
}

AwsResult<std::vector<Failure>> parse_failures(const json::object& o) {
  std::vector<Failure> out;
  const auto* f = o.if_contains("failures");
  if (f == nullptr || f->is_null()) return out;
  if (!f->is_array()) return bad_response("failures: expected array");
  for (const auto& item : f->get_array()) {
    auto d = decode_failure(item);
    if (!d) return bad_response("failures: " + d.error().message);
    out.push_back(std::move(*d));
  }
  return out;
}

template <class T, class Decode>
AwsResult<BatchResult<T>> parse_batch(const json::value& body, std::string_view member, Decode decode) {
  const auto* o = as_object(body);
  if (o == nullptr) return bad_response("expected object");
  BatchResult<T> out;
  if (const auto* items = o->if_contains(member); items && !items->is_null()) {
    if (!items->is_array()) return bad_response(std::string(member) + ": expected array");
    for (const auto& item : items->get_array()) {
      auto d = decode(item);
      if (!d) return bad_response(std::string(member) + ": " + d.error().message);
      out.items.push_back(std::move(*d));
    }
  }
  auto failures = parse_failures(*o);
  if (!failures) return failures.error();
  out.failures = std::move(*failures);
  return out;
}

}  // namespace

std::vector<std::vector<std::string>> chunk(const std::vector<std::string>& items, std::size_t size) {
  std::vector<std::vector<std::string>> out;
  for (std::size_t i = 0; i < items.size(); i += size)
    out.emplace_back(items.begin() + static_cast<std::ptrdiff_t>(i),
                     items.begin() + static_cast<std::ptrdiff_t>(std::min(items.size(), i + size)));
  return out;
}

AwsResult<json::object> build_list_container_instances(const ListContainerInstancesRequest& r) {
  return list_request(r, [&](json::object& o) -> AwsResult<void> {
    put_if(o, "filter", r.filter);
    put_if(o, "status", r.status);
    return {};
  });
}

AwsResult<json::object> build_list_tasks(const ListTasksRequest& r) {
  // Cross-member rules (e.g. containerInstance with launchType FARGATE) are left to the service.
  return list_request(r, [&](json::object& o) -> AwsResult<void> {
    put_if(o, "containerInstance", r.container_instance);
    put_if(o, "family", r.family);
    put_if(o, "startedBy", r.started_by);
    put_if(o, "serviceName", r.service_name);
    put_if(o, "desiredStatus", r.desired_status);
    put_if(o, "launchType", r.launch_type);
    return {};
  });
}

AwsResult<json::object> build_list_attributes(const ListAttributesRequest& r) {
  return list_request(r, [&](json::object& o) -> AwsResult<void> {
    if (r.target_type.empty()) return invalid("targetType is required");
    if (!r.attribute_value.empty() && r.attribute_name.empty())
      return invalid("attributeValue requires attributeName");
    o["targetType"] = r.target_type;
    put_if(o, "attributeName", r.attribute_name);
    put_if(o, "attributeValue", r.attribute_value);
    return {};
  });
}

AwsResult<json::object> build_describe_container_instances(std::string_view cluster,
                                                           const std::vector<std::string>& arns) {
  return arn_batch_request(cluster, "containerInstances", arns, max_describe_batch);
}

AwsResult<json::object> build_describe_tasks(std::string_view cluster, const std::vector<std::string>& arns) {
  return arn_batch_request(cluster, "tasks", arns, max_describe_batch);
}

AwsResult<json::object> build_start_task(const StartTaskRequest& r) {
  if (r.task_definition.empty()) return invalid("taskDefinition is required");
  if (auto ok = check_arn_list(r.container_instances, max_start_task_instances, "containerInstances"); !ok)
    return ok.error();
  json::object o;
  put_if(o, "cluster", r.cluster);
  o["taskDefinition"] = r.task_definition;
  o["containerInstances"] = to_array(r.container_instances);
  put_if(o, "startedBy", r.started_by);
  put_if(o, "group", r.group);
  put_if(o, "referenceId", r.reference_id);
  if (!r.overrides.empty()) o["overrides"] = r.overrides;
  if (r.enable_ecs_managed_tags) o["enableECSManagedTags"] = true;
  return o;
}

AwsResult<json::object> build_run_task(const RunTaskRequest& r) {
  if (r.task_definition.empty()) return invalid("taskDefinition is required");
  if (r.count < 1 || r.count > max_run_task_count) return invalid("count must be 1..10");
  if (r.client_token.size() > 64) return invalid("clientToken: at most 64 characters");
  if (r.started_by.size() > 128) return invalid("startedBy: at most 128 characters");
  if (r.placement_constraints.size() > 10) return invalid("placementConstraints: at most 10");
  if (r.placement_strategy.size() > 5) return invalid("placementStrategy: at most 5");
  json::object o;
  put_if(o, "cluster", r.cluster);
  o["taskDefinition"] = r.task_definition;
  o["count"] = r.count;
  put_if(o, "clientToken", r.client_token);
  put_if(o, "startedBy", r.started_by);
  put_if(o, "group", r.group);
  put_if(o, "launchType", r.launch_type);
  put_if(o, "referenceId", r.reference_id);
  put_typed_list(o, "placementConstraints", r.placement_constraints, "expression", &PlacementConstraint::expression);
  put_typed_list(o, "placementStrategy", r.placement_strategy, "field", &PlacementStrategy::field);
  if (!r.overrides.empty()) o["overrides"] = r.overrides;
  if (r.enable_ecs_managed_tags) o["enableECSManagedTags"] = true;
  return o;
}

AwsResult<json::object> build_stop_task(const StopTaskRequest& r) {
  if (r.task.empty()) return invalid("task is required");
  if (r.reason.size() > 255) return invalid("reason: at most 255 characters");
  json::object o;
  put_if(o, "cluster", r.cluster);
  o["task"] = r.task;
  put_if(o, "reason", r.reason);
  return o;
}

AwsResult<json::object> build_describe_task_definition(std::string_view task_definition) {
  if (task_definition.empty()) return invalid("taskDefinition is required");
  return json::object{{"taskDefinition", task_definition}};
}

AwsResult<json::object> build_register_task_definition(const json::object& definition) {
  const auto* family = definition.if_contains("family");
  if (family == nullptr || !family->is_string() || family->get_string().empty()) return invalid("family is required");
  const auto* defs = definition.if_contains("containerDefinitions");
  if (defs == nullptr || !defs->is_array() || defs->get_array().empty())
    return invalid("containerDefinitions is required");
  return definition;
}

AwsResult<json::object> build_update_container_instances_state(std::string_view cluster,
                                                               const std::vector<std::string>& arns,
                                                               std::string_view status) {
  auto o = arn_batch_request(cluster, "containerInstances", arns, max_update_state_instances);
  if (!o) return o;
  if (status != "ACTIVE" && status != "DRAINING") return invalid("status must be ACTIVE or DRAINING");
  (*o)["status"] = status;
  return o;
}

AwsResult<ListPage> parse_list_page(const json::value& body, std::string_view arns_member) {
  const auto* o = as_object(body);
  if (o == nullptr) return bad_response("expected object");
  ListPage page;
  if (const auto* arns = o->if_contains(arns_member); arns && !arns->is_null()) {
    if (!arns->is_array()) return bad_response(std::string(arns_member) + ": expected array");
    for (const auto& a : arns->get_array()) {
      if (!a.is_string()) return bad_response(std::string(arns_member) + ": expected strings");
      page.arns.emplace_back(a.get_string());
    }
  }
  page.next_token = string_member(*o, "nextToken");
  return page;
}

AwsResult<AttributesPage> parse_list_attributes(const json::value& body) {
  const auto* o = as_object(body);
  if (o == nullptr) return bad_response("expected object");
  AttributesPage page;
  if (const auto* attrs = o->if_contains("attributes"); attrs && !attrs->is_null()) {
    if (!attrs->is_array()) return bad_response("attributes: expected array");
    for (const auto& a : attrs->get_array()) {
      const auto* ao = as_object(a);
      if (ao == nullptr) return bad_response("attributes: expected objects");
      TargetAttribute t;
      t.name = string_member(*ao, "name");
      if (const auto* v = ao->if_contains("value"); v && v->is_string()) t.value = std::string(v->get_string());
      t.target_type = string_member(*ao, "targetType");
      t.target_id = string_member(*ao, "targetId");
      page.attributes.push_back(std::move(t));
    }
  }
  page.next_token = string_member(*o, "nextToken");
  return page;
}

AwsResult<BatchResult<Task>> parse_tasks_result(const json::value& body) {
  return parse_batch<Task>(body, "tasks", [](const json::value& v) { return decode_task(v); });
}

AwsResult<BatchResult<ContainerInstance>> parse_container_instances_result(const json::value& body) {
  return parse_batch<ContainerInstance>(body, "containerInstances",
                                        [](const json::value& v) { return decode_container_instance(v); });
}

AwsResult<Task> parse_stop_task(const json::value& body) {
  const auto* o = as_object(body);
  if (o == nullptr) return bad_response("expected object");
  const auto* t = o->if_contains("task");
  if (t == nullptr) return bad_response("task: missing");
  auto d = decode_task(*t);
  if (!d) return bad_response("task: " + d.error().message);
  return std::move(*d);
}

AwsResult<TaskDefinition> parse_task_definition(const json::value& body) {
  const auto* o = as_object(body);
  if (o == nullptr) return bad_response("expected object");
  const auto* td = o->if_contains("taskDefinition");
  if (td == nullptr || !td->is_object()) return bad_response("taskDefinition: missing");
  const auto& t = td->get_object();
  TaskDefinition out;
  out.task_definition_arn = string_member(t, "taskDefinitionArn");
  out.family = string_member(t, "family");
  if (const auto* rev = t.if_contains("revision"); rev && rev->is_int64()) out.revision = rev->get_int64();
  out.status = string_member(t, "status");
  out.network_mode = string_member(t, "networkMode");
  out.cpu = string_member(t, "cpu");
  out.memory = string_member(t, "memory");
  if (const auto* rc = t.if_contains("requiresCompatibilities"); rc && rc->is_array())
    for (const auto& c : rc->get_array())
      if (c.is_string()) out.requires_compatibilities.emplace_back(c.get_string());
  if (const auto* cd = t.if_contains("containerDefinitions"); cd && cd->is_array())
    out.container_definitions = cd->get_array();
  out.raw = t;
  if (out.task_definition_arn.empty()) return bad_response("taskDefinition.taskDefinitionArn: missing");
  return out;
}

Idempotency operation_idempotency(std::string_view operation, const json::object& body) {
  // Reads change nothing.
  if (operation.starts_with("Describe") || operation.starts_with("List")) return Idempotency::idempotent;
  // RunTask's clientToken is the model's idempotencyToken: ECS answers a repeat with the first launch.
  if (operation == "RunTask") {
    const auto* token = body.if_contains("clientToken");
    return token && token->is_string() && !token->get_string().empty() ? Idempotency::idempotent
                                                                        : Idempotency::not_idempotent;
  }
  // Setting a state or an attribute twice is setting it once; stopping a stopped task returns it;
  // CreateCluster returns the existing cluster. A repeated RegisterTaskDefinition adds an identical
  // revision, which wastes a revision number but changes what runs nowhere.
  static constexpr std::string_view idempotent_ops[] = {
      "StopTask",          "UpdateContainerInstancesState", "PutAttributes", "DeleteAttributes",
      "CreateCluster",     "DeregisterContainerInstance",   "DeregisterTaskDefinition",
      "RegisterTaskDefinition"};
  for (auto op : idempotent_ops)
    if (op == operation) return Idempotency::idempotent;
  // StartTask has no idempotency token: a repeat launches again. Unknown operations likewise.
  return Idempotency::not_idempotent;
}

}  // namespace berth::aws::ecs
