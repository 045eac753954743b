// File: src/config/diff.cpp — pure comparison of two configs for the SIGHUP reload log (secrets never shown).
#include <map>

#include "config/config.hpp"

namespace berth::config {

namespace {

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

std::string show_duration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

class Differ {
 public:
  void value(std::string key, const std::string& a, const std::string& b, bool needs_restart = false) {
    if (a != b) out_.push_back({std::move(key), a + " -> " + b, needs_restart});
  }
  void secret(std::string key, const std::string& a, const std::string& b, bool needs_restart = false) {
    if (a != b)
      out_.push_back({std::move(key), a.empty() ? "set" : (b.empty() ? "removed" : "changed"), needs_restart});
  }
  void add(Change c) { out_.push_back(std::move(c)); }
  std::vector<Change> take() { return std::move(out_); }

 private:
  std::vector<Change> out_;
};

}  // namespace

std::vector<Change> diff(const Config& a, const Config& b) {
  Differ d;
  d.value("server.listen", a.server.listen.to_string(), b.server.listen.to_string(), true);
  d.value("server.max_connections", std::to_string(a.server.max_connections), std::to_string(b.server.max_connections));
  d.value("server.max_header_bytes", std::to_string(a.server.max_header_bytes),
          std::to_string(b.server.max_header_bytes));
  d.value("server.read_timeout", show_duration(a.server.read_timeout), show_duration(b.server.read_timeout));
  d.value("server.shutdown_timeout", show_duration(a.server.shutdown_timeout),
          show_duration(b.server.shutdown_timeout));

  d.value("log.level", std::string(to_string(a.log.level)), std::string(to_string(b.log.level)));
  d.value("log.format", std::string(to_string(a.log.format)), std::string(to_string(b.log.format)));

  // The AWS clients are built once at start (endpoints, signing region, credentials chain).
  const bool restart = true;
  d.value("aws.region", quoted(a.aws.region), quoted(b.aws.region), restart);
  d.value("aws.endpoint", a.aws.endpoint ? quoted(*a.aws.endpoint) : "(default)",
          b.aws.endpoint ? quoted(*b.aws.endpoint) : "(default)", restart);
  const auto& ca = a.aws.credentials;
  const auto& cb = b.aws.credentials;
  d.value("aws.credentials.source", std::string(to_string(ca.source)), std::string(to_string(cb.source)), restart);
  d.value("aws.credentials.profile", quoted(ca.profile), quoted(cb.profile), restart);
  // Access key ids identify but do not grant access; still, only say that they changed.
  d.secret("aws.credentials.access_key_id", ca.access_key_id, cb.access_key_id, restart);
  d.secret("aws.credentials.secret_access_key", ca.secret_access_key, cb.secret_access_key, restart);
  d.secret("aws.credentials.session_token", ca.session_token, cb.session_token, restart);

  std::map<std::string, const ClusterConfig*> old_clusters, new_clusters;
  for (const auto& c : a.clusters) old_clusters[c.name] = &c;
  for (const auto& c : b.clusters) new_clusters[c.name] = &c;
  for (const auto& [name, c] : old_clusters) {
    if (!new_clusters.count(name)) d.add({"clusters", "removed " + quoted(name), false});
  }
  for (const auto& [name, c] : new_clusters) {
    auto it = old_clusters.find(name);
    if (it == old_clusters.end()) {
      d.add({"clusters", "added " + quoted(name), false});
      continue;
    }
    const std::string prefix = "clusters[" + name + "].";
    d.value(prefix + "queue_url", quoted(it->second->queue_url), quoted(c->queue_url));
    d.value(prefix + "audit_interval", show_duration(it->second->audit_interval), show_duration(c->audit_interval));
    d.value(prefix + "bootstrap", it->second->bootstrap ? "true" : "false", c->bootstrap ? "true" : "false");
    d.value(prefix + "receivers", std::to_string(it->second->receivers), std::to_string(c->receivers), true);
  }

  d.value("store.path", quoted(a.store.path), quoted(b.store.path), true);

  d.value("api.max_body_bytes", std::to_string(a.api.max_body_bytes), std::to_string(b.api.max_body_bytes));
  d.secret("api.auth_token", a.api.auth_token.value_or(""), b.api.auth_token.value_or(""));
  d.value("api.max_streams", std::to_string(a.api.max_streams), std::to_string(b.api.max_streams));
  // The streams' options and the history are built once at startup.
  d.value("api.stream_heartbeat", show_duration(a.api.stream_heartbeat), show_duration(b.api.stream_heartbeat), true);
  d.value("api.stream_buffer_bytes", std::to_string(a.api.stream_buffer_bytes),
          std::to_string(b.api.stream_buffer_bytes), true);
  d.value("api.change_history", std::to_string(a.api.change_history), std::to_string(b.api.change_history), true);

  d.value("scheduler.stop_on_draining", a.scheduler.stop_on_draining ? "true" : "false",
          b.scheduler.stop_on_draining ? "true" : "false");
  d.value("scheduler.launch_doubt_check_after", show_duration(a.scheduler.launch_doubt_check_after),
          show_duration(b.scheduler.launch_doubt_check_after));
  d.value("scheduler.launch_doubt_expire_after", show_duration(a.scheduler.launch_doubt_expire_after),
          show_duration(b.scheduler.launch_doubt_expire_after));
  return d.take();
}

}  // namespace berth::config
