// File: tests/config/config_test.cpp — config parsing: good files, each kind of bad input, TOML/JSON parity, diff.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>

#include "config/config.hpp"

namespace {

using namespace berth::config;

const char* minimal_toml = R"(
[aws]
region = "us-east-1"
)";

TEST(ConfigParse, MinimalTomlTakesDefaults) {
  auto r = parse_toml(minimal_toml);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->server.listen.to_string(), "127.0.0.1:2000");
  EXPECT_EQ(r->log.level, LogLevel::info);
  EXPECT_EQ(r->log.format, LogFormat::text);
  EXPECT_EQ(r->aws.region, "us-east-1");
  EXPECT_FALSE(r->aws.endpoint);
  EXPECT_EQ(r->aws.credentials.source, CredentialsSource::chain);
  EXPECT_TRUE(r->clusters.empty());
  EXPECT_EQ(r->api.max_body_bytes, 1024u * 1024u);
  EXPECT_FALSE(r->api.auth_token);
  EXPECT_FALSE(r->scheduler.stop_on_draining);
  EXPECT_EQ(r->scheduler.launch_doubt_check_after, std::chrono::seconds(10));
  EXPECT_EQ(r->scheduler.launch_doubt_expire_after, std::chrono::seconds(120));
}

TEST(ConfigParse, FullTomlAndJsonGiveTheSameConfig) {
  const char* toml = R"(
[server]
listen = "[::1]:0"
max_connections = 10
read_timeout = "500ms"
shutdown_timeout = 3
[log]
level = "debug"
format = "json"
[aws]
region = "eu-west-1"
endpoint = "http://127.0.0.1:4566"
[aws.credentials]
source = "static"
access_key_id = "AKIDEXAMPLE"
secret_access_key = "secret"
[[clusters]]
name = "prod"
queue_url = "https://sqs.eu-west-1.amazonaws.com/1/prod"
audit_interval = "5m"
[[clusters]]
name = "staging_2"
queue_url = "http://127.0.0.1:4566/1/staging"
bootstrap = false
receivers = 4
[store]
path = "/tmp/x.db"
[api]
max_body_bytes = 2048
auth_token = "0123456789abcdef"
max_streams = 8
stream_heartbeat = "5s"
stream_buffer_bytes = 65536
change_history = 500
[scheduler]
stop_on_draining = true
launch_doubt_check_after = 5
launch_doubt_expire_after = "1m"
)";
  const char* json = R"({
 "server": {"listen": "[::1]:0", "max_connections": 10, "read_timeout": "500ms", "shutdown_timeout": 3},
 "log": {"level": "debug", "format": "json"},
 "aws": {"region": "eu-west-1", "endpoint": "http://127.0.0.1:4566",
         "credentials": {"source": "static", "access_key_id": "AKIDEXAMPLE", "secret_access_key": "secret"}},
 "clusters": [
   {"name": "prod", "queue_url": "https://sqs.eu-west-1.amazonaws.com/1/prod", "audit_interval": "5m"},
   {"name": "staging_2", "queue_url": "http://127.0.0.1:4566/1/staging", "bootstrap": false, "receivers": 4}],
 "store": {"path": "/tmp/x.db"},
 "api": {"max_body_bytes": 2048, "auth_token": "0123456789abcdef", "max_streams": 8, "stream_heartbeat": 5,
         "stream_buffer_bytes": 65536, "change_history": 500},
 "scheduler": {"stop_on_draining": true, "launch_doubt_check_after": "5s", "launch_doubt_expire_after": 60}
})";
  auto t = parse_toml(toml);
  auto j = parse_json(json);
  ASSERT_TRUE(t) << t.error().to_string();
  ASSERT_TRUE(j) << j.error().to_string();
  EXPECT_EQ(*t, *j);
  EXPECT_EQ(t->server.listen.host, "::1");
  EXPECT_EQ(t->server.listen.port, 0);
  EXPECT_EQ(t->server.listen.to_string(), "[::1]:0");
  EXPECT_EQ(t->server.read_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(t->server.shutdown_timeout, std::chrono::seconds(3));
  EXPECT_EQ(t->aws.credentials.source, CredentialsSource::static_keys);
  ASSERT_EQ(t->clusters.size(), 2u);
  EXPECT_EQ(t->clusters[0].audit_interval, std::chrono::seconds(300));
  EXPECT_TRUE(t->clusters[0].bootstrap);
  EXPECT_EQ(t->clusters[1].audit_interval, std::chrono::seconds(600));
  EXPECT_FALSE(t->clusters[1].bootstrap);
  EXPECT_EQ(t->clusters[0].receivers, 2);
  EXPECT_EQ(t->clusters[1].receivers, 4);
  EXPECT_EQ(t->api.auth_token, "0123456789abcdef");
  EXPECT_EQ(t->api.max_streams, 8u);
  EXPECT_EQ(t->api.stream_heartbeat, std::chrono::seconds(5));
  EXPECT_EQ(t->api.stream_buffer_bytes, 65536u);
  EXPECT_EQ(t->api.change_history, 500u);
  EXPECT_TRUE(t->scheduler.stop_on_draining);
  EXPECT_EQ(t->scheduler.launch_doubt_check_after, std::chrono::seconds(5));
  EXPECT_EQ(t->scheduler.launch_doubt_expire_after, std::chrono::seconds(60));
}

struct BadCase {
  const char* name;
  const char* toml;
  const char* json;            // the same mistake in JSON
  const char* expected_error;  // the full message: key, what was expected, what was found
};

const BadCase bad_cases[] = {
    {"unknown_top_level_key", "[aws]\nregion = \"us-east-1\"\n[serverr]\nlisten = \"127.0.0.1:1\"\n",
     R"({"aws":{"region":"us-east-1"},"serverr":{}})",
     "serverr: unknown key (allowed keys: server, log, aws, clusters, store, api, scheduler)"},
    {"unknown_nested_key", "[aws]\nregion = \"us-east-1\"\n[server]\nlistn = \"127.0.0.1:1\"\n",
     R"({"aws":{"region":"us-east-1"},"server":{"listn":"127.0.0.1:1"}})",
     "server.listn: unknown key (allowed keys: listen, max_connections, max_header_bytes, read_timeout, "
     "shutdown_timeout)"},
    {"wrong_type_queue_url",
     "[aws]\nregion = \"us-east-1\"\n[[clusters]]\nname = \"a\"\nqueue_url = \"http://h/q\"\n"
     "[[clusters]]\nname = \"b\"\nqueue_url = 42\n",
     R"({"aws":{"region":"us-east-1"},"clusters":[{"name":"a","queue_url":"http://h/q"},{"name":"b","queue_url":42}]})",
     "clusters[1].queue_url: expected a string URL, got 42"},
    {"wrong_type_section", "server = 5\n[aws]\nregion = \"us-east-1\"\n",
     R"({"server":5,"aws":{"region":"us-east-1"}})", "server: expected a table, got 5"},
    {"wrong_type_bool",
     "[aws]\nregion = \"us-east-1\"\n[[clusters]]\nname = \"a\"\nqueue_url = \"http://h/q\"\nbootstrap = \"yes\"\n",
     R"({"aws":{"region":"us-east-1"},"clusters":[{"name":"a","queue_url":"http://h/q","bootstrap":"yes"}]})",
     "clusters[0].bootstrap: expected true or false, got \"yes\""},
    {"bad_enum_level", "[aws]\nregion = \"us-east-1\"\n[log]\nlevel = \"loud\"\n",
     R"({"aws":{"region":"us-east-1"},"log":{"level":"loud"}})",
     "log.level: expected one of \"trace\", \"debug\", \"info\", \"warn\", \"error\", \"critical\", \"off\", got "
     "\"loud\""},
    {"bad_enum_format", "[aws]\nregion = \"us-east-1\"\n[log]\nformat = \"xml\"\n",
     R"({"aws":{"region":"us-east-1"},"log":{"format":"xml"}})",
     "log.format: expected one of \"text\", \"json\", got \"xml\""},
    {"bad_enum_credentials", "[aws]\nregion = \"us-east-1\"\n[aws.credentials]\nsource = \"magic\"\n",
     R"({"aws":{"region":"us-east-1","credentials":{"source":"magic"}}})",
     "aws.credentials.source: expected one of \"chain\", \"static\", \"env\", \"profile\", \"container\", \"imds\", "
     "got \"magic\""},
    {"missing_region", "[log]\nlevel = \"info\"\n", R"({"log":{"level":"info"}})",
     "aws.region: missing required key (expected a region name such as \"us-east-1\")"},
    {"missing_queue_url", "[aws]\nregion = \"us-east-1\"\n[[clusters]]\nname = \"a\"\n",
     R"({"aws":{"region":"us-east-1"},"clusters":[{"name":"a"}]})",
     "clusters[0].queue_url: missing required key (expected a string URL)"},
    {"missing_static_secret",
     "[aws]\nregion = \"us-east-1\"\n[aws.credentials]\nsource = \"static\"\naccess_key_id = \"AKID\"\n",
     R"({"aws":{"region":"us-east-1","credentials":{"source":"static","access_key_id":"AKID"}}})",
     "aws.credentials.secret_access_key: missing required key (expected a string secret access key)"},
    {"static_key_without_static_source",
     "[aws]\nregion = \"us-east-1\"\n[aws.credentials]\nsecret_access_key = \"s\"\n",
     R"({"aws":{"region":"us-east-1","credentials":{"secret_access_key":"s"}}})",
     "aws.credentials.secret_access_key: only allowed with source = \"static\" (source is \"chain\")"},
    {"bad_listen_no_port", "[aws]\nregion = \"us-east-1\"\n[server]\nlisten = \"127.0.0.1\"\n",
     R"({"aws":{"region":"us-east-1"},"server":{"listen":"127.0.0.1"}})",
     "server.listen: expected an address \"IP:PORT\" such as \"127.0.0.1:2000\" or \"[::1]:2000\", got "
     "\"127.0.0.1\""},
    {"bad_listen_port_range", "[aws]\nregion = \"us-east-1\"\n[server]\nlisten = \"127.0.0.1:70000\"\n",
     R"({"aws":{"region":"us-east-1"},"server":{"listen":"127.0.0.1:70000"}})",
     "server.listen: expected an address \"IP:PORT\" such as \"127.0.0.1:2000\" or \"[::1]:2000\", got "
     "\"127.0.0.1:70000\""},
    {"bad_listen_hostname", "[aws]\nregion = \"us-east-1\"\n[server]\nlisten = \"localhost:2000\"\n",
     R"({"aws":{"region":"us-east-1"},"server":{"listen":"localhost:2000"}})",
     "server.listen: expected an address \"IP:PORT\" such as \"127.0.0.1:2000\" or \"[::1]:2000\", got "
     "\"localhost:2000\""},
    {"bad_url_scheme", "[aws]\nregion = \"us-east-1\"\n[[clusters]]\nname = \"a\"\nqueue_url = \"ftp://h/q\"\n",
     R"({"aws":{"region":"us-east-1"},"clusters":[{"name":"a","queue_url":"ftp://h/q"}]})",
     "clusters[0].queue_url: expected an http(s) SQS queue URL, got \"ftp://h/q\""},
    {"bad_endpoint_url", "[aws]\nregion = \"us-east-1\"\nendpoint = \"127.0.0.1:4566\"\n",
     R"({"aws":{"region":"us-east-1","endpoint":"127.0.0.1:4566"}})",
     "aws.endpoint: expected an http(s) URL such as \"http://127.0.0.1:4566\", got \"127.0.0.1:4566\""},
    {"duplicate_cluster",
     "[aws]\nregion = \"us-east-1\"\n[[clusters]]\nname = \"a\"\nqueue_url = \"http://h/q\"\n"
     "[[clusters]]\nname = \"a\"\nqueue_url = \"http://h/q2\"\n",
     R"({"aws":{"region":"us-east-1"},"clusters":[{"name":"a","queue_url":"http://h/q"},{"name":"a","queue_url":"http://h/q2"}]})",
     "clusters[1].name: duplicate cluster name \"a\" (also clusters[0])"},
    {"bad_cluster_name", "[aws]\nregion = \"us-east-1\"\n[[clusters]]\nname = \"a b\"\nqueue_url = \"http://h/q\"\n",
     R"({"aws":{"region":"us-east-1"},"clusters":[{"name":"a b","queue_url":"http://h/q"}]})",
     "clusters[0].name: expected a cluster name of 1-255 letters, digits, '-' or '_', got \"a b\""},
    {"integer_out_of_range", "[aws]\nregion = \"us-east-1\"\n[api]\nmax_body_bytes = 0\n",
     R"({"aws":{"region":"us-east-1"},"api":{"max_body_bytes":0}})",
     "api.max_body_bytes: expected an integer from 1 to 1073741824, got 0"},
    {"float_for_integer", "[aws]\nregion = \"us-east-1\"\n[server]\nmax_connections = 1.5\n",
     R"({"aws":{"region":"us-east-1"},"server":{"max_connections":1.5}})",
     "server.max_connections: expected an integer from 1 to 100000, got 1.5"},
    {"bad_duration", "[aws]\nregion = \"us-east-1\"\n[server]\nread_timeout = \"soon\"\n",
     R"({"aws":{"region":"us-east-1"},"server":{"read_timeout":"soon"}})",
     "server.read_timeout: expected a positive duration such as 30, \"30s\", \"500ms\", \"10m\" or \"1h\", got "
     "\"soon\""},
    {"fractional_heartbeat", "[aws]\nregion = \"us-east-1\"\n[api]\nstream_heartbeat = \"1500ms\"\n",
     R"({"aws":{"region":"us-east-1"},"api":{"stream_heartbeat":"1500ms"}})",
     "api.stream_heartbeat: expected whole seconds between 1s and 600s, got 1500ms"},
    {"tiny_stream_buffer", "[aws]\nregion = \"us-east-1\"\n[api]\nstream_buffer_bytes = 10\n",
     R"({"aws":{"region":"us-east-1"},"api":{"stream_buffer_bytes":10}})",
     "api.stream_buffer_bytes: expected an integer from 4096 to 1073741824, got 10"},
    {"short_auth_token", "[aws]\nregion = \"us-east-1\"\n[api]\nauth_token = \"short\"\n",
     R"({"aws":{"region":"us-east-1"},"api":{"auth_token":"short"}})",
     "api.auth_token: expected a token of at least 16 characters"},
    {"too_many_receivers",
     "[aws]\nregion = \"us-east-1\"\n[[clusters]]\nname = \"a\"\nqueue_url = \"http://h/q\"\nreceivers = 11\n",
     R"({"aws":{"region":"us-east-1"},"clusters":[{"name":"a","queue_url":"http://h/q","receivers":11}]})",
     "clusters[0].receivers: expected an integer from 1 to 10, got 11"},
    {"doubt_check_after_expiry",
     "[aws]\nregion = \"us-east-1\"\n[scheduler]\nlaunch_doubt_check_after = \"3m\"\n",
     R"({"aws":{"region":"us-east-1"},"scheduler":{"launch_doubt_check_after":"3m"}})",
     "scheduler.launch_doubt_expire_after: expected at least launch_doubt_check_after (180s), got 120s"},
    {"doubt_check_sub_second",
     "[aws]\nregion = \"us-east-1\"\n[scheduler]\nlaunch_doubt_check_after = \"1500ms\"\n",
     R"({"aws":{"region":"us-east-1"},"scheduler":{"launch_doubt_check_after":"1500ms"}})",
     "scheduler.launch_doubt_check_after: expected whole seconds between 1s and 3600s, got 1500ms"},
    {"stop_on_draining_not_bool",
     "[aws]\nregion = \"us-east-1\"\n[scheduler]\nstop_on_draining = 1\n",
     R"({"aws":{"region":"us-east-1"},"scheduler":{"stop_on_draining":1}})",
     "scheduler.stop_on_draining: expected true or false, got 1"},
    {"clusters_not_array", "clusters = \"a\"\n[aws]\nregion = \"us-east-1\"\n",
     R"({"clusters":"a","aws":{"region":"us-east-1"}})",
     "clusters: expected an array of tables ([[clusters]]), got \"a\""},
};

class ConfigBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConfigBad, TomlIsRefusedWithKeyValueAndExpectation) {
  auto r = parse_toml(GetParam().toml);
  ASSERT_FALSE(r) << "accepted: " << GetParam().name;
  EXPECT_EQ(r.error().to_string(), GetParam().expected_error);
}

TEST_P(ConfigBad, JsonIsRefusedWithTheSameMessage) {
  auto r = parse_json(GetParam().json);
  ASSERT_FALSE(r) << "accepted: " << GetParam().name;
  EXPECT_EQ(r.error().to_string(), GetParam().expected_error);
}

INSTANTIATE_TEST_SUITE_P(AllKinds, ConfigBad, ::testing::ValuesIn(bad_cases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ConfigParse, SyntaxErrorsNameTheFormatAndPosition) {
  auto t = parse_toml("[aws\nregion = 1\n", "x.toml");
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("invalid TOML at x.toml:1:"), std::string::npos) << t.error().message;
  auto j = parse_json("{\"aws\": ");
  ASSERT_FALSE(j);
  EXPECT_EQ(j.error().message.rfind("invalid JSON: ", 0), 0u) << j.error().message;
  auto arr = parse_json("[1]");
  ASSERT_FALSE(arr);
  EXPECT_EQ(arr.error().to_string(), "expected a table at the top level, got an array");
}

TEST(ConfigParse, ErrorsNeverEchoSecrets) {
  auto r = parse_toml("[aws]\nregion = \"us-east-1\"\n[api]\nauth_token = \"sekrit\"\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().to_string().find("sekrit"), std::string::npos);
}

class ConfigFile : public ::testing::Test {
 protected:
  std::filesystem::path dir_ =
      std::filesystem::temp_directory_path() / ("berth-config-test-" + std::to_string(::getpid()));
  void SetUp() override { std::filesystem::create_directories(dir_); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path write(const std::string& name, const std::string& text) {
    auto p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }
};

TEST_F(ConfigFile, PicksTheFormatByExtension) {
  EXPECT_TRUE(load_file(write("a.toml", minimal_toml)));
  EXPECT_TRUE(load_file(write("a.json", R"({"aws":{"region":"us-east-1"}})")));
  auto yaml = load_file(write("a.yaml", "aws: {}"));
  ASSERT_FALSE(yaml);
  EXPECT_NE(yaml.error().message.find("expected a .toml or .json file"), std::string::npos);
  auto missing = load_file(dir_ / "nope.toml");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("cannot read"), std::string::npos);
}

TEST_F(ConfigFile, ExampleConfigIsValid) {
  auto r = load_file(std::filesystem::path(BERTH_SOURCE_DIR) / "config" / "berth.toml");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->server.listen.to_string(), "127.0.0.1:2000");
  ASSERT_EQ(r->clusters.size(), 1u);
}

TEST(ConfigDiff, ListsChangesAndHidesSecrets) {
  auto a = parse_toml(R"(
[aws]
region = "us-east-1"
[aws.credentials]
source = "static"
access_key_id = "AKID1"
secret_access_key = "old-secret"
[[clusters]]
name = "keep"
queue_url = "http://h/keep"
[[clusters]]
name = "gone"
queue_url = "http://h/gone"
)");
  auto b = parse_toml(R"(
[server]
listen = "127.0.0.1:2001"
[log]
level = "debug"
[aws]
region = "us-east-1"
[aws.credentials]
source = "static"
access_key_id = "AKID1"
secret_access_key = "new-secret"
[[clusters]]
name = "keep"
queue_url = "http://h/keep2"
[[clusters]]
name = "new"
queue_url = "http://h/new"
[api]
max_streams = 8
change_history = 500
[scheduler]
stop_on_draining = true
)");
  ASSERT_TRUE(a && b);
  auto changes = diff(*a, *b);
  std::vector<std::string> lines;
  for (const auto& c : changes) {
    lines.push_back(c.key + ": " + c.description + (c.needs_restart ? " (restart)" : ""));
    EXPECT_EQ(c.description.find("secret"), std::string::npos) << c.description;
  }
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "server.listen: 127.0.0.1:2000 -> 127.0.0.1:2001 (restart)",
                       "log.level: info -> debug",
                       "aws.credentials.secret_access_key: changed (restart)",
                       "clusters: removed \"gone\"",
                       "clusters[keep].queue_url: \"http://h/keep\" -> \"http://h/keep2\"",
                       "clusters: added \"new\"",
                       "api.max_streams: 64 -> 8",
                       "api.change_history: 10000 -> 500 (restart)",
                       "scheduler.stop_on_draining: false -> true",
                   }));
  EXPECT_TRUE(diff(*a, *a).empty());
}

}  // namespace

namespace {

// The unit file is part of the product: check the options the issue requires are present, in the unit CMake
// generated from config/berth.service.in for this build's install prefix.
TEST(SystemdUnit, HasNotifyWatchdogReloadAndHardening) {
  std::ifstream in(BERTH_UNIT_FILE);
  ASSERT_TRUE(in);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  auto has = [&](const std::string& prefix) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.rfind(prefix, 0) == 0; });
  };
  for (const char* required : {"Type=notify", "WatchdogSec=", "ExecReload=/bin/kill -HUP $MAINPID",
                               "ProtectSystem=strict", "StateDirectory=berth", "NoNewPrivileges=yes",
                               BERTH_UNIT_EXEC_START, "RestartPreventExitStatus=2", "User=berth"})
    EXPECT_TRUE(has(required)) << "missing " << required;
  // One account model: the static berth user, not a transient one as well.
  EXPECT_FALSE(has("DynamicUser=")) << "User=berth and DynamicUser= together";
  for (const auto& line : lines) {
    if (line.empty() || line[0] == '#') continue;
    EXPECT_EQ(line.find("@BERTH_"), std::string::npos) << "unsubstituted template variable: " << line;
  }
}

}  // namespace
