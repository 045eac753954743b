// File: src/http/api/scheduler_adapters.hpp — the API's seams (ClusterView, Reconcile) over the running
// scheduler. The HTTP layer depends on the reactor here, never the other way round: the reactor exposes
// its model and its write hooks in its own terms, and these adapters shape them for /v1.
#pragma once

#include "http/api/api_types.hpp"
#include "http/cluster_state/cluster_state_source.hpp"
#include "reactor/scheduler_component.hpp"

namespace berth::http::api {

// GET /v1/clusters/{c}/instances|tasks: the in-memory model as JSON.
class SchedulerClusterView final : public ClusterView {
 public:
  // `scheduler` must outlive the view.
  explicit SchedulerClusterView(reactor::Scheduler& scheduler) : scheduler_(scheduler) {}
  std::optional<boost::json::array> list_instances(std::string_view cluster) const override;
  std::optional<boost::json::array> list_tasks(std::string_view cluster) const override;
  std::optional<std::uint32_t> daemon_instances_without_task(const policy::Environment& env) const override;
  std::vector<std::string> clusters() const override { return scheduler_.cluster_names(); }
  bool watches(std::string_view cluster) const override { return scheduler_.model(cluster) != nullptr; }
  boost::json::object service_unplaced(std::string_view service) const override;
  boost::asio::awaitable<std::optional<boost::json::object>> plan_service(policy::Service service) const override;
  boost::asio::awaitable<std::optional<policy::CpuMemory>> task_definition_size(std::string ref) const override;

 private:
  reactor::Scheduler& scheduler_;  // plan_service plans (the view itself changes nothing)
};

// API writes to environments reach the daemon controller.
class SchedulerReconcile final : public Reconcile {
 public:
  explicit SchedulerReconcile(reactor::Scheduler& scheduler) : scheduler_(scheduler) {}
  void mark_dirty(std::string_view environment) override;
  void terminate_tasks(std::string_view environment) override;
  void mark_service_dirty(std::string_view service) override;
  void terminate_service_tasks(std::string_view service) override;
  void kill_service_tasks(std::string_view service, const std::vector<std::string>& task_arns) override;

 private:
  reactor::Scheduler& scheduler_;
};

// The Blox cluster-state front's reads: the models, the change history, Describe through the reactor's ECS
// (rate-limited like every read call of berth's).
class SchedulerClusterState final : public cluster_state::ClusterStateSource {
 public:
  explicit SchedulerClusterState(reactor::Scheduler& scheduler) : scheduler_(scheduler) {}
  std::vector<std::string> clusters() const override { return scheduler_.cluster_names(); }
  bool for_each_instance(std::string_view cluster, const cluster_state::InstanceFn& fn) const override;
  bool for_each_task(std::string_view cluster, const cluster_state::TaskFn& fn) const override;
  bool visit_instance(std::string_view cluster, std::string_view arn_or_id,
                      const cluster_state::InstanceFn& fn) const override;
  bool visit_task(std::string_view cluster, std::string_view arn_or_id, const cluster_state::TaskFn& fn) const override;
  boost::asio::awaitable<std::optional<aws::ecs::ContainerInstance>> describe_instance(std::string cluster,
                                                                                     std::string arn) override;
  boost::asio::awaitable<std::optional<aws::ecs::Task>> describe_task(std::string cluster, std::string arn) override;
  cluster_state::ChangeRead read_instance_changes(std::uint64_t after, std::size_t max,
                                                  const cluster_state::InstanceFn& fn) const override;
  cluster_state::ChangeRead read_task_changes(std::uint64_t after, std::size_t max,
                                              const cluster_state::TaskFn& fn) const override;
  std::uint64_t last_change() const override { return scheduler_.changes().last(); }
  std::uint64_t subscribe(std::function<void()> wake) override { return scheduler_.changes().subscribe(std::move(wake)); }
  void unsubscribe(std::uint64_t id) override { scheduler_.changes().unsubscribe(id); }

 private:
  reactor::Scheduler& scheduler_;
};

}  // namespace berth::http::api
