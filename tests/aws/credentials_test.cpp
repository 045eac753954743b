// File: tests/aws/credentials_test.cpp — credentials chain order with a fake environment, temp files and fake
// ECS/IMDS metadata servers on loopback; background refresh before expiry.
#include "aws/credentials.hpp"
#include "aws/ecs_json.hpp"
#include "aws/http_client.hpp"
#include "fake_http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace berth::aws {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::FakeHttpServer;
using testing::FakeReply;
using testing::run;

Environment fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("berth-creds-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

std::string creds_json(std::string ak, std::chrono::system_clock::time_point exp) {
  return boost::json::serialize(boost::json::object{{"Code", "Success"},
                                                    {"AccessKeyId", ak},
                                                    {"SecretAccessKey", "secret-" + ak},
                                                    {"Token", "token-" + ak},
                                                    {"Expiration", ecs::format_iso8601(exp)}});
}

HttpResponse text(unsigned status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

struct Harness {
  boost::asio::io_context io;
  HttpClient http{io.get_executor(), [] {
                    HttpOptions o;
                    o.allow_plain_http = true;
                    return o;
                  }()};
  TempDir dir;
  CredentialsChainOptions options;
  Harness() {
    // Point every file and endpoint somewhere harmless by default.
    options.env = fake_env({});
    options.credentials_file = (dir.path / "none-credentials").string();
    options.config_file = (dir.path / "none-config").string();
    options.imds_endpoint = "http://127.0.0.1:1";  // nothing listens on port 1
    options.metadata_timeout = 1000ms;
  }
};

TEST(CredentialsFiles, ParsesIniAndProfiles) {
  const auto ini = parse_ini("# comment\n[default]\naws_access_key_id = AK1\n aws_secret_access_key=SK1 \n"
                             "[profile dev]\nregion=eu-west-1\n");
  EXPECT_EQ(ini.at("default").at("aws_access_key_id"), "AK1");
  EXPECT_EQ(ini.at("default").at("aws_secret_access_key"), "SK1");
  EXPECT_EQ(ini.at("profile dev").at("region"), "eu-west-1");

  const std::string credentials = "[dev]\naws_access_key_id=CRED\naws_secret_access_key=S\naws_session_token=T\n";
  const std::string config = "[profile dev]\naws_access_key_id=CONF\naws_secret_access_key=S\n"
                             "[profile ops]\naws_access_key_id=OPS\naws_secret_access_key=S\n";
  auto dev = profile_credentials(credentials, config, "dev");
  ASSERT_TRUE(dev);
  EXPECT_EQ(dev->keys.access_key_id, "CRED");  // the credentials file wins
  EXPECT_EQ(dev->keys.session_token, "T");
  auto ops = profile_credentials(credentials, config, "ops");
  ASSERT_TRUE(ops);
  EXPECT_EQ(ops->keys.access_key_id, "OPS");
  EXPECT_EQ(ops->source, "profile:ops");
  EXPECT_FALSE(profile_credentials(credentials, config, "missing"));
}

TEST(CredentialsFiles, ParsesMetadataJson) {
  const auto exp = std::chrono::system_clock::time_point{} + std::chrono::seconds(1900000000);
  auto c = parse_metadata_credentials(creds_json("AK", exp), "imds");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->keys.access_key_id, "AK");
  EXPECT_EQ(c->keys.session_token, "token-AK");
  EXPECT_EQ(c->expiration, exp);
  EXPECT_FALSE(parse_metadata_credentials("{}", "imds"));
  EXPECT_FALSE(parse_metadata_credentials("nope", "imds"));
  auto failed = parse_metadata_credentials(R"({"Code":"Failure","AccessKeyId":"A","SecretAccessKey":"S"})", "imds");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message.find("S\""), std::string::npos);
}

TEST(CredentialsChain, StaticConfigComesFirst) {
  Harness h;
  h.options.access_key_id = "STATIC";
  h.options.secret_access_key = "S";
  h.options.env = fake_env({{"AWS_ACCESS_KEY_ID", "ENV"}, {"AWS_SECRET_ACCESS_KEY", "S"}});
  CredentialsChain chain(h.io.get_executor(), h.http, h.options);
  auto c = run(h.io, chain.get());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->keys.access_key_id, "STATIC");
  EXPECT_EQ(c->source, "static");
}

TEST(CredentialsChain, EnvironmentBeatsFiles) {
  Harness h;
  h.options.credentials_file = h.dir.write("credentials", "[default]\naws_access_key_id=FILE\naws_secret_access_key=S\n");
  h.options.env = fake_env({{"AWS_ACCESS_KEY_ID", "ENV"}, {"AWS_SECRET_ACCESS_KEY", "S"}, {"AWS_SESSION_TOKEN", "T"}});
  CredentialsChain chain(h.io.get_executor(), h.http, h.options);
  auto c = run(h.io, chain.get());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->keys.access_key_id, "ENV");
  EXPECT_EQ(c->keys.session_token, "T");
  EXPECT_EQ(c->source, "environment");
}

TEST(CredentialsChain, ProfileFromAwsProfileBeatsContainerCredentials) {
  Harness h;
  h.options.credentials_file = h.dir.write("credentials", "[default]\naws_access_key_id=DEF\naws_secret_access_key=S\n"
                                                          "[blue]\naws_access_key_id=BLUE\naws_secret_access_key=S\n");
  h.options.env = fake_env({{"AWS_PROFILE", "blue"}, {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds"}});
  CredentialsChain chain(h.io.get_executor(), h.http, h.options);
  auto c = run(h.io, chain.get());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->keys.access_key_id, "BLUE");
  EXPECT_EQ(c->source, "profile:blue");
}

TEST(CredentialsChain, EcsContainerFullUriWithAuthorizationToken) {
  Harness h;
  std::string auth_seen;
  FakeHttpServer ecs(h.io, [&](const HttpRequest& r) {
    if (const auto* a = r.find_header("Authorization")) auth_seen = *a;
    if (r.path != "/creds" || auth_seen != "Bearer abc") return FakeReply{text(401, "")};
    return FakeReply{text(200, creds_json("ECS", std::chrono::system_clock::now() + 6h))};
  });
  const auto token_file = h.dir.write("token", "Bearer abc\n");
  h.options.env = fake_env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:" + std::to_string(ecs.port()) + "/creds"},
                            {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file}});
  CredentialsChain chain(h.io.get_executor(), h.http, h.options);
  auto c = run(h.io, chain.get());
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->keys.access_key_id, "ECS");
  EXPECT_EQ(c->source, "ecs-container");
  EXPECT_TRUE(c->expiration.has_value());
  EXPECT_EQ(auth_seen, "Bearer abc");
}

TEST(CredentialsChain, EcsContainerRelativeUri) {
  Harness h;
  FakeHttpServer ecs(h.io, [&](const HttpRequest& r) {
    if (r.path != "/v2/credentials/abc") return FakeReply{text(404, "")};
    return FakeReply{text(200, creds_json("REL", std::chrono::system_clock::now() + 6h))};
  });
  h.options.ecs_relative_base = "http://127.0.0.1:" + std::to_string(ecs.port());
  h.options.env = fake_env({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"}});
  CredentialsChain chain(h.io.get_executor(), h.http, h.options);
  auto c = run(h.io, chain.get());
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->keys.access_key_id, "REL");
}

TEST(CredentialsChain, ContainerFullUriMustBeLoopbackForPlainHttp) {
  Harness h;
  h.options.env = fake_env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.0.0.5/creds"}});
  CredentialsChain chain(h.io.get_executor(), h.http, h.options);
  auto c = run(h.io, chain.get());
  EXPECT_FALSE(c);
}

// Fake IMDSv2: requires the session token on reads; role "berth-role".
struct FakeImds {
  int token_puts = 0;
  int credential_gets = 0;
  std::chrono::seconds lifetime{6 * 3600};
  std::vector<std::string> problems;

  FakeReply handle(const HttpRequest& r) {
    if (r.method == "PUT" && r.path == "/latest/api/token") {
      if (r.find_header("X-aws-ec2-metadata-token-ttl-seconds") == nullptr) problems.push_back("no ttl header");
      ++token_puts;
      return FakeReply{text(200, "imds-token")};
    }
    const auto* tok = r.find_header("X-aws-ec2-metadata-token");
    if (tok == nullptr || *tok != "imds-token") return FakeReply{text(401, "")};
    if (r.path == "/latest/meta-data/iam/security-credentials/") return FakeReply{text(200, "berth-role")};
    if (r.path == "/latest/meta-data/iam/security-credentials/berth-role") {
      ++credential_gets;
      return FakeReply{text(200, creds_json("IMDS" + std::to_string(credential_gets),
                                            std::chrono::system_clock::now() + lifetime))};
    }
    return FakeReply{text(404, "")};
  }
};

TEST(CredentialsChain, InstanceMetadataWithImdsV2Token) {
  Harness h;
  FakeImds imds;
  FakeHttpServer server(h.io, [&](const HttpRequest& r) { return imds.handle(r); });
  h.options.env = fake_env({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:" + std::to_string(server.port())}});
  CredentialsChain chain(h.io.get_executor(), h.http, h.options);
  auto c = run(h.io, chain.get());
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->keys.access_key_id, "IMDS1");
  EXPECT_EQ(c->source, "imds");
  EXPECT_EQ(imds.token_puts, 1);
  EXPECT_TRUE(imds.problems.empty());
  // Cached: a second get does not touch the metadata service.
  auto again = run(h.io, chain.get());
  ASSERT_TRUE(again);
  EXPECT_EQ(imds.credential_gets, 1);
}

TEST(CredentialsChain, RefreshesAheadOfExpiryWithoutBlocking) {
  Harness h;
  FakeImds imds;
  imds.lifetime = 2min;  // inside the 5-minute refresh window from the start
  FakeHttpServer server(h.io, [&](const HttpRequest& r) { return imds.handle(r); });
  h.options.imds_endpoint = "http://127.0.0.1:" + std::to_string(server.port());
  CredentialsChain chain(h.io.get_executor(), h.http, h.options);
  auto first = run(h.io, chain.get());
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_EQ(first->keys.access_key_id, "IMDS1");
  imds.lifetime = 6h;
  // Still valid: answered from cache at once while a refresh starts in the background.
  auto second = run(h.io, chain.get());
  ASSERT_TRUE(second);
  EXPECT_EQ(second->keys.access_key_id, "IMDS1");
  // Let the background refresh finish.
  for (int i = 0; i < 200 && imds.credential_gets < 2; ++i) h.io.run_for(10ms);
  h.io.restart();
  EXPECT_EQ(imds.credential_gets, 2);
  auto third = run(h.io, chain.get());
  ASSERT_TRUE(third);
  EXPECT_EQ(third->keys.access_key_id, "IMDS2");
}

TEST(CredentialsChain, ExpiredCredentialsBlockUntilRefreshed) {
  Harness h;
  FakeImds imds;
  FakeHttpServer server(h.io, [&](const HttpRequest& r) { return imds.handle(r); });
  h.options.imds_endpoint = "http://127.0.0.1:" + std::to_string(server.port());
  CredentialsChain chain(h.io.get_executor(), h.http, h.options);
  ASSERT_TRUE(run(h.io, chain.get()));
  chain.now = [] { return std::chrono::system_clock::now() + 7h; };  // past expiry
  auto c = run(h.io, chain.get());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->keys.access_key_id, "IMDS2");
}

TEST(CredentialsChain, NothingConfiguredIsAClearError) {
  Harness h;
  h.options.env = fake_env({{"AWS_EC2_METADATA_DISABLED", "true"}});
  CredentialsChain chain(h.io.get_executor(), h.http, h.options);
  auto c = run(h.io, chain.get());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().error_class, ErrorClass::permanent);
  EXPECT_NE(c.error().message.find("no credentials found"), std::string::npos);
}

}  // namespace
}  // namespace berth::aws
