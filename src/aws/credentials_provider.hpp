// File: src/aws/credentials_provider.hpp — the interface clients use to get signing credentials, plus static keys.
#pragma once

#include "aws/aws_error.hpp"
#include "aws/sigv4.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace berth::aws {

struct AwsCredentials {
  sigv4::Credentials keys;
  std::optional<std::chrono::system_clock::time_point> expiration;  // nullopt for long-term keys
  std::string source;  // "static", "environment", "profile:<name>", "ecs-container", "imds" (for logs; never the keys)
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Returns usable credentials. Implementations with temporary credentials refresh ahead of
  // expiry so callers are not blocked (see credentials.hpp).
  virtual asio::awaitable<AwsResult<AwsCredentials>> get() = 0;
};

class StaticCredentialsProvider final : public CredentialsProvider {
 public:
  explicit StaticCredentialsProvider(AwsCredentials creds) : creds_(std::move(creds)) {}
  asio::awaitable<AwsResult<AwsCredentials>> get() override { co_return creds_; }

 private:
  AwsCredentials creds_;
};

}  // namespace berth::aws
