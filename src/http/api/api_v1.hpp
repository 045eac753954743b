// File: src/http/api/api_v1.hpp — the Blox-compatible /v1 API as a pure function of (request, store, model).
//
// Routes (JSON bodies, errors as {"error":{"code","message"}}):
//   GET    /v1/ping
//   GET    /v1/environments[?cluster=]                       -> {"environments":[Environment...]}
//   POST   /v1/environments                                  -> 201 Environment (and its first deployment)
//   GET    /v1/environments/{name}                           -> Environment
//   PUT    /v1/environments/{name}                           -> Environment (constraints, rollout settings)
//   DELETE /v1/environments/{name}[?terminateTasks=true]     -> Environment as it was
//   POST   /v1/environments/{name}/deployments[?deploymentToken=]  body {"taskDefinition"?}
//                                                            -> 201 Deployment (200 when the token replays)
//   GET    /v1/environments/{name}/deployments[?limit=]      -> {"deployments":[Deployment...]} newest first
//   GET    /v1/environments/{name}/deployments/{id}          -> Deployment
//   GET    /v1/clusters/{cluster}/instances                  -> {"cluster","instances":[...]} from ClusterView
//   GET    /v1/clusters/{cluster}/tasks                      -> {"cluster","tasks":[...]}
//
// A new deployment supersedes an unfinished one (marked failed, reason "superseded"): the newest request is what
// the operator wants, and two rollouts fighting over the same instances would violate maxUnavailable.
#pragma once

#include "http/api/api_json.hpp"
#include "http/api/api_types.hpp"
#include "store/store.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace berth::http::api {

// 128-bit random hex ids ("d-" prefix), good enough for uniqueness without coordination.
std::string random_deployment_id();

class ApiV1 {
 public:
  // All references must outlive the ApiV1. `clock` gives wall time for createdAt/updatedAt.
  ApiV1(store::Store& store, const ClusterView& clusters, Reconcile& reconcile, ApiClock clock,
        IdGenerator new_id = random_deployment_id, ApiV1Options options = {});

  // Never throws for bad input; unexpected store failures become an opaque 500 (logged).
  ApiResponse handle(const ApiRequest& request);

 private:
  using Params = std::vector<std::string>;  // captured {placeholders}, in order
  ApiResponse ping(const ApiRequest&, const Params&);
  ApiResponse list_environments(const ApiRequest&, const Params&);
  ApiResponse create_environment(const ApiRequest&, const Params&);
  ApiResponse get_environment(const ApiRequest&, const Params&);
  ApiResponse update_environment(const ApiRequest&, const Params&);
  ApiResponse delete_environment(const ApiRequest&, const Params&);
  ApiResponse create_deployment(const ApiRequest&, const Params&);
  ApiResponse list_deployments(const ApiRequest&, const Params&);
  ApiResponse get_deployment(const ApiRequest&, const Params&);
  ApiResponse list_instances(const ApiRequest&, const Params&);
  ApiResponse list_tasks(const ApiRequest&, const Params&);

  ApiResponse store_error(const store::StoreError& e, std::string_view what);

  store::Store& store_;
  const ClusterView& clusters_;
  Reconcile& reconcile_;
  ApiClock clock_;
  IdGenerator new_id_;
  ApiV1Options options_;
};

}  // namespace berth::http::api
