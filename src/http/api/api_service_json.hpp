// File: src/http/api/api_service_json.hpp — JSON shapes of /v1/services: a service in ECS's spelling
// (taskDefinition, desiredCount, deploymentConfiguration, placementStrategy, placementConstraints) plus berth's
// version and revision; strict parsing that names the bad field, then policy::validate.
#pragma once

#include "http/api/api_json.hpp"
#include "policy/service_state.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace berth::http::api {

boost::json::object service_to_json(const policy::Service& service);
boost::json::object service_version_to_json(const policy::ServiceVersion& version);
// A deployment of a service: deployment_to_json's fields with "serviceName" and "version".
boost::json::object service_deployment_to_json(const policy::Deployment& d);

// A whole service spec (POST /v1/services, PUT /v1/services/{name}). `path_name`: the name in the path (PUT),
// which a body "name" must equal. Fields absent take ECS's defaults. Validated (policy::validate).
struct ParsedService {
  policy::ServiceSpec spec;
  std::optional<std::int64_t> revision;  // PUT: the revision the client expects (compare-and-set)
};
ApiResult<ParsedService> parse_service(const boost::json::object& body, const std::optional<std::string>& path_name);

// POST /v1/services/{name}/scale {"desiredCount"}.
ApiResult<std::int32_t> parse_scale(const boost::json::object& body);
// POST /v1/services/{name}/revert {"version"}.
ApiResult<std::int64_t> parse_revert(const boost::json::object& body);

}  // namespace berth::http::api
