// File: src/aws/credentials.cpp — credentials chain: static, environment, shared files, ECS container endpoint, IMDSv2.
#include "aws/credentials.hpp"

#include "aws/ecs_json.hpp"
#include "common/logger.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace berth::aws {
namespace {

constexpr std::size_t max_file_bytes = 1024 * 1024;

std::shared_ptr<spdlog::logger> logger() {
  static auto log = logging::get("aws");
  return log;
}

std::string_view trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

std::optional<std::string> read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string out;
  out.resize(max_file_bytes + 1);
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<std::size_t>(in.gcount()));
  if (out.size() > max_file_bytes) return std::nullopt;
  return out;
}

AwsError credentials_error(std::string message) {
  AwsError e = client_error("CredentialsError", std::move(message));
  return e;
}

// Splits "http://host:port/path?x" into an endpoint and the target "/path?x".
AwsResult<std::pair<Endpoint, std::string>> split_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return credentials_error("malformed URL");
  const auto path_start = url.find('/', scheme_end + 3);
  const auto authority = url.substr(0, path_start);
  auto ep = parse_endpoint_url(authority);
  if (!ep) return credentials_error("malformed URL");
  std::string target = path_start == std::string_view::npos ? "/" : std::string(url.substr(path_start));
  return std::make_pair(*ep, target);
}

bool is_allowed_full_uri_host(const Endpoint& ep) {
  if (ep.tls) return true;
  // Plain http only to loopback or the ECS/EKS link-local agents, as the AWS SDKs require.
  return ep.host == "localhost" || ep.host.rfind("127.", 0) == 0 || ep.host == "::1" || ep.host == "169.254.170.2" ||
         ep.host == "169.254.170.23" || ep.host == "fd00:ec2::23";
}

HttpRequest get_request(const Endpoint& ep, const std::string& target) {
  HttpRequest r;
  r.method = "GET";
  sigv4::split_target(target, r.path, r.query);
  r.headers = {{"Host", ep.host_header()}, {"Accept", "application/json"}};
  return r;
}

}  // namespace

Environment process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::map<std::string, std::map<std::string, std::string>> parse_ini(std::string_view text) {
  std::map<std::string, std::map<std::string, std::string>> out;
  std::string section;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    auto line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      const auto close = line.find(']');
      section = std::string(trim(line.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1)));
      out[section];
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string_view::npos || section.empty()) continue;
    out[section][std::string(trim(line.substr(0, eq)))] = std::string(trim(line.substr(eq + 1)));
  }
  return out;
}

std::optional<AwsCredentials> profile_credentials(std::string_view credentials_text, std::string_view config_text,
                                                  std::string_view profile) {
  auto from = [&](const std::map<std::string, std::map<std::string, std::string>>& ini,
                  const std::string& section) -> std::optional<AwsCredentials> {
    auto it = ini.find(section);
    if (it == ini.end()) return std::nullopt;
    const auto& kv = it->second;
    auto ak = kv.find("aws_access_key_id");
    auto sk = kv.find("aws_secret_access_key");
    if (ak == kv.end() || sk == kv.end() || ak->second.empty() || sk->second.empty()) return std::nullopt;
    AwsCredentials c;
    c.keys.access_key_id = ak->second;
    c.keys.secret_access_key = sk->second;
    if (auto tok = kv.find("aws_session_token"); tok != kv.end()) c.keys.session_token = tok->second;
    c.source = "profile:" + std::string(profile);
    return c;
  };
  if (auto c = from(parse_ini(credentials_text), std::string(profile))) return c;
  const auto config = parse_ini(config_text);
  const std::string section = profile == "default" ? std::string("default") : "profile " + std::string(profile);
  return from(config, section);
}

AwsResult<AwsCredentials> parse_metadata_credentials(std::string_view body, std::string source) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return credentials_error(source + ": response is not a JSON object");
  const auto& o = v.get_object();
  auto str = [&](std::string_view k) -> std::string {
    if (const auto* x = o.if_contains(k); x && x->is_string()) return std::string(x->get_string());
    return {};
  };
  if (auto code = str("Code"); !code.empty() && code != "Success")
    return credentials_error(source + ": metadata service returned Code=" + code);
  AwsCredentials c;
  c.keys.access_key_id = str("AccessKeyId");
  c.keys.secret_access_key = str("SecretAccessKey");
  c.keys.session_token = str("Token");
  c.source = std::move(source);
  if (c.keys.access_key_id.empty() || c.keys.secret_access_key.empty())
    return credentials_error(c.source + ": AccessKeyId/SecretAccessKey missing");
  if (auto exp = str("Expiration"); !exp.empty()) {
    auto t = ecs::parse_iso8601(exp);
    if (!t) return credentials_error(c.source + ": bad Expiration");
    c.expiration = *t;
  }
  return c;
}

CredentialsChain::CredentialsChain(asio::any_io_executor executor, HttpTransport& metadata_http,
                                   CredentialsChainOptions options)
    : executor_(executor), http_(metadata_http), options_(std::move(options)), refresh_done_(executor) {
  // Never expires: waiters are woken by cancel(). Setting the expiry again would cancel other
  // waiters, so it is set once here.
  refresh_done_.expires_at(asio::steady_timer::time_point::max());
}

asio::awaitable<AwsResult<HttpResponse>> CredentialsChain::metadata_request(const Endpoint& ep, HttpRequest req) {
  auto r = co_await http_.send(ep, std::move(req), options_.metadata_timeout);
  if (!r) co_return transport_error(r.error());
  co_return std::move(*r);
}

asio::awaitable<AwsResult<AwsCredentials>> CredentialsChain::from_ecs_container() {
  const auto& env = options_.env;
  std::string url;
  if (auto rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel && !rel->empty()) {
    url = options_.ecs_relative_base + *rel;
  } else if (auto full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI"); full && !full->empty()) {
    url = *full;
  } else {
    co_return credentials_error("not configured");
  }
  auto parts = split_url(url);
  if (!parts) co_return parts.error();
  auto& [ep, target] = *parts;
  if (!is_allowed_full_uri_host(ep)) co_return credentials_error("ecs-container: plain http only to loopback hosts");
  auto req = get_request(ep, target);
  std::optional<std::string> token;
  if (auto file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); file && !file->empty()) {
    token = read_small_file(*file);
    if (!token) co_return credentials_error("ecs-container: cannot read authorization token file");
  } else {
    token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  }
  if (token && !trim(*token).empty()) {
    const std::string value(trim(*token));
    // A token spanning lines would inject headers.
    if (value.find_first_of("\r\n") != std::string::npos)
      co_return credentials_error("ecs-container: authorization token contains a line break");
    req.headers.push_back({"Authorization", value});
  }
  auto res = co_await metadata_request(ep, std::move(req));
  if (!res) co_return res.error();
  if (res->status != 200)
    co_return credentials_error("ecs-container: HTTP " + std::to_string(res->status));
  co_return parse_metadata_credentials(res->body, "ecs-container");
}

asio::awaitable<AwsResult<AwsCredentials>> CredentialsChain::from_imds() {
  const auto& env = options_.env;
  std::string base = options_.imds_endpoint;
  if (auto e = env("AWS_EC2_METADATA_SERVICE_ENDPOINT"); e && !e->empty()) base = *e;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto parts = split_url(base + "/");
  if (!parts) co_return parts.error();
  const Endpoint ep = parts->first;

  // IMDSv2: a session token from PUT, sent with every read.
  HttpRequest put;
  put.method = "PUT";
  put.path = "/latest/api/token";
  put.headers = {{"Host", ep.host_header()},
                 {"X-aws-ec2-metadata-token-ttl-seconds", std::to_string(options_.imds_token_ttl.count())}};
  auto tok = co_await metadata_request(ep, std::move(put));
  if (!tok) co_return tok.error();
  if (tok->status != 200) co_return credentials_error("imds: token request HTTP " + std::to_string(tok->status));
  const std::string token = std::string(trim(tok->body));

  auto role_req = get_request(ep, "/latest/meta-data/iam/security-credentials/");
  role_req.headers.push_back({"X-aws-ec2-metadata-token", token});
  auto role = co_await metadata_request(ep, std::move(role_req));
  if (!role) co_return role.error();
  if (role->status != 200) co_return credentials_error("imds: no instance role (HTTP " + std::to_string(role->status) + ")");
  const std::string role_name(trim(std::string_view(role->body).substr(0, role->body.find('\n'))));
  if (role_name.empty() || role_name.find('/') != std::string::npos) co_return credentials_error("imds: bad role name");

  auto creds_req = get_request(ep, "/latest/meta-data/iam/security-credentials/" + role_name);
  creds_req.headers.push_back({"X-aws-ec2-metadata-token", token});
  auto creds = co_await metadata_request(ep, std::move(creds_req));
  if (!creds) co_return creds.error();
  if (creds->status != 200) co_return credentials_error("imds: credentials HTTP " + std::to_string(creds->status));
  co_return parse_metadata_credentials(creds->body, "imds");
}

asio::awaitable<AwsResult<AwsCredentials>> CredentialsChain::resolve() {
  ++resolutions_;
  const auto& env = options_.env;
  // 1. Static keys from config.
  if (!options_.access_key_id.empty() && !options_.secret_access_key.empty()) {
    co_return AwsCredentials{{options_.access_key_id, options_.secret_access_key, options_.session_token},
                             std::nullopt, "static"};
  }
  // 2. Environment.
  auto ak = env("AWS_ACCESS_KEY_ID");
  auto sk = env("AWS_SECRET_ACCESS_KEY");
  if (ak && sk && !ak->empty() && !sk->empty()) {
    co_return AwsCredentials{{*ak, *sk, env("AWS_SESSION_TOKEN").value_or("")}, std::nullopt, "environment"};
  }
  // 3. Shared credentials/config files.
  std::string profile = options_.profile;
  if (profile.empty()) profile = env("AWS_PROFILE").value_or("default");
  const std::string home = env("HOME").value_or("");
  std::string cred_path = options_.credentials_file;
  if (cred_path.empty()) cred_path = env("AWS_SHARED_CREDENTIALS_FILE").value_or(home.empty() ? "" : home + "/.aws/credentials");
  std::string conf_path = options_.config_file;
  if (conf_path.empty()) conf_path = env("AWS_CONFIG_FILE").value_or(home.empty() ? "" : home + "/.aws/config");
  const auto cred_text = cred_path.empty() ? std::nullopt : read_small_file(cred_path);
  const auto conf_text = conf_path.empty() ? std::nullopt : read_small_file(conf_path);
  if (auto c = profile_credentials(cred_text.value_or(""), conf_text.value_or(""), profile)) co_return *c;
  // 4. ECS container credentials (only when the agent set the variables; failures are final).
  if (env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") || env("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    co_return co_await from_ecs_container();
  }
  // 5. EC2 instance metadata.
  if (auto disabled = env("AWS_EC2_METADATA_DISABLED"); disabled && (*disabled == "true" || *disabled == "TRUE")) {
    co_return credentials_error("no credentials found (static, environment, profile " + profile +
                                "; instance metadata disabled)");
  }
  auto imds = co_await from_imds();
  if (!imds) {
    auto e = imds.error();
    e.message = "no credentials found (static, environment, profile " + profile + ", instance metadata: " +
                e.message + ")";
    e.error_class = ErrorClass::permanent;
    co_return e;
  }
  co_return imds;
}

asio::awaitable<void> CredentialsChain::refresh_in_background() {
  auto r = co_await resolve();
  if (r) {
    logger()->info("aws credentials refreshed source={}", r->source);
    cached_ = std::move(*r);
  } else {
    // Keep the still-valid credentials; the next get() tries again.
    logger()->warn("aws credentials refresh failed error={}", r.error().describe());
  }
  refreshing_ = false;
  refresh_done_.cancel();
}

asio::awaitable<AwsResult<AwsCredentials>> CredentialsChain::get() {
  const auto t = now();
  if (cached_ && (!cached_->expiration || t + options_.refresh_ahead < *cached_->expiration)) co_return *cached_;
  if (cached_ && t < *cached_->expiration) {
    // Inside the refresh window: answer now, refresh behind the caller's back.
    if (!refreshing_) {
      refreshing_ = true;
      asio::co_spawn(executor_, refresh_in_background(), [](std::exception_ptr e) {
        if (e) logger()->error("aws credentials refresh threw");
      });
    }
    co_return *cached_;
  }
  // Missing or expired: block, but only one resolve at a time.
  while (refreshing_) {
    co_await refresh_done_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (cached_ && (!cached_->expiration || now() < *cached_->expiration)) co_return *cached_;
  refreshing_ = true;
  auto r = co_await resolve();
  refreshing_ = false;
  refresh_done_.cancel();
  if (!r) co_return r.error();
  logger()->info("aws credentials resolved source={}", r->source);
  cached_ = *r;
  co_return r;
}

}  // namespace berth::aws
