// File: src/aws/credentials.hpp — the AWS credentials chain (SDK order) with background refresh of temporary credentials.
#pragma once

#include "aws/credentials_provider.hpp"
#include "aws/http_transport.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace berth::aws {

using Environment = std::function<std::optional<std::string>(std::string_view name)>;
// Reads the real process environment.
Environment process_environment();

struct CredentialsChainOptions {
  // 1. Static keys from berth's config (both empty = not configured).
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  // Profile name; empty = $AWS_PROFILE, else "default".
  std::string profile;
  Environment env = process_environment();
  // Shared files; empty = $AWS_SHARED_CREDENTIALS_FILE / $AWS_CONFIG_FILE, else ~/.aws/{credentials,config}.
  std::string credentials_file;
  std::string config_file;
  // Metadata endpoints (overridable for tests; IMDS also via $AWS_EC2_METADATA_SERVICE_ENDPOINT).
  std::string ecs_relative_base = "http://169.254.170.2";
  std::string imds_endpoint = "http://169.254.169.254";
  std::chrono::milliseconds metadata_timeout{1000};
  std::chrono::seconds imds_token_ttl{21600};
  // Temporary credentials are refreshed in the background this long before they expire;
  // callers are only blocked when credentials are missing or already expired.
  std::chrono::seconds refresh_ahead{300};
};

// ---- Pure helpers ----
// INI as the AWS shared files use it: [section], key = value, '#'/';' comments.
std::map<std::string, std::map<std::string, std::string>> parse_ini(std::string_view text);
// Keys for `profile` from the credentials file text ([name]) or config file text ([profile name],
// [default]); the credentials file wins. nullopt if neither has both keys.
std::optional<AwsCredentials> profile_credentials(std::string_view credentials_text, std::string_view config_text,
                                                  std::string_view profile);
// {"AccessKeyId","SecretAccessKey","Token","Expiration"} as served by ECS and IMDS.
AwsResult<AwsCredentials> parse_metadata_credentials(std::string_view body, std::string source);

// The chain: static config -> environment -> shared files (profile) -> ECS container endpoint
// -> EC2 instance metadata (IMDSv2). The first source that yields credentials is used.
class CredentialsChain final : public CredentialsProvider {
 public:
  // `metadata_http` must allow plain http (the metadata endpoints are http by design) and outlive this.
  CredentialsChain(asio::any_io_executor executor, HttpTransport& metadata_http, CredentialsChainOptions options);

  asio::awaitable<AwsResult<AwsCredentials>> get() override;

  // Clock used for expiry decisions; injectable for tests.
  std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); };
  [[nodiscard]] std::uint64_t resolutions() const { return resolutions_; }

 private:
  asio::awaitable<AwsResult<AwsCredentials>> resolve();
  asio::awaitable<AwsResult<AwsCredentials>> from_ecs_container();
  asio::awaitable<AwsResult<AwsCredentials>> from_imds();
  asio::awaitable<void> refresh_in_background();
  asio::awaitable<AwsResult<HttpResponse>> metadata_request(const Endpoint& ep, HttpRequest req);

  asio::any_io_executor executor_;
  HttpTransport& http_;
  CredentialsChainOptions options_;
  std::optional<AwsCredentials> cached_;
  bool refreshing_ = false;
  asio::steady_timer refresh_done_;  // waiters park on it while a blocking resolve runs
  std::uint64_t resolutions_ = 0;
};

}  // namespace berth::aws
