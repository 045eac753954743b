// File: tests/aws/sigv4_test.cpp — SigV4 against the aws-c-auth and botocore suites, byte for byte, plus verification.
#include "aws/sigv4.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
namespace sigv4 = berth::aws::sigv4;

namespace {

const fs::path testdata_dir{BERTH_TESTDATA_DIR};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Parses the suites' request format: "METHOD target HTTP/1.1", "Name:value" lines (a line starting
// with whitespace continues the previous value), a blank line, then the body.
sigv4::Request parse_request_file(const std::string& text) {
  sigv4::Request req;
  std::size_t pos = 0;
  auto next_line = [&](std::string& line) {
    if (pos > text.size()) return false;
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    pos = nl + 1;
    return true;
  };
  std::string line;
  next_line(line);
  const auto first_space = line.find(' ');
  const auto last_space = line.rfind(' ');
  req.method = line.substr(0, first_space);
  sigv4::split_target(line.substr(first_space + 1, last_space - first_space - 1), req.path, req.query);
  while (next_line(line)) {
    if (line.empty()) break;
    if (line[0] == ' ' || line[0] == '\t') {
      req.headers.back().value += "\n" + line;
      continue;
    }
    const auto colon = line.find(':');
    req.headers.push_back({line.substr(0, colon), line.substr(colon + 1)});
  }
  if (pos < text.size()) req.body = text.substr(pos);
  return req;
}

std::string authorization_line(const std::string& signed_request) {
  std::istringstream in(signed_request);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("Authorization:", 0) == 0) return line.substr(std::string("Authorization:").size());
  return {};
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

std::vector<std::string> case_names(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory()) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

struct Context {
  sigv4::Credentials creds;
  sigv4::SigningParams params;
};

Context load_context(const fs::path& dir) {
  const auto v = boost::json::parse(read_file(dir / "context.json")).as_object();
  Context c;
  const auto& cr = v.at("credentials").as_object();
  c.creds.access_key_id = cr.at("access_key_id").as_string().c_str();
  c.creds.secret_access_key = cr.at("secret_access_key").as_string().c_str();
  if (cr.contains("token")) c.creds.session_token = cr.at("token").as_string().c_str();
  c.params.region = v.at("region").as_string().c_str();
  c.params.service = v.at("service").as_string().c_str();
  c.params.normalize_path = v.at("normalize").as_bool();
  c.params.sign_body = v.at("sign_body").as_bool();
  if (v.contains("omit_session_token")) c.params.omit_session_token = v.at("omit_session_token").as_bool();
  c.params.expires = std::chrono::seconds(v.at("expiration_in_seconds").as_int64());
  std::string ts = v.at("timestamp").as_string().c_str();  // 2015-08-30T12:36:00Z
  std::string compact;
  for (char ch : ts)
    if (ch != '-' && ch != ':') compact += ch;
  c.params.time = *sigv4::parse_amz_date(compact);
  return c;
}

class AwsCAuthSuite : public ::testing::TestWithParam<std::string> {};

TEST_P(AwsCAuthSuite, HeaderFormMatchesByteForByte) {
  const auto dir = testdata_dir / "sigv4" / GetParam();
  const auto ctx = load_context(dir);
  auto req = parse_request_file(read_file(dir / "request.txt"));
  sigv4::SigningKeyCache cache;
  const auto r = sigv4::sign_request(req, ctx.creds, ctx.params, &cache);
  EXPECT_EQ(r.canonical_request, read_file(dir / "header-canonical-request.txt"));
  EXPECT_EQ(r.string_to_sign, read_file(dir / "header-string-to-sign.txt"));
  EXPECT_EQ(r.signature, read_file(dir / "header-signature.txt"));
  const auto signed_request = read_file(dir / "header-signed-request.txt");
  EXPECT_EQ(r.authorization, authorization_line(signed_request));
  ASSERT_NE(req.find_header("Authorization"), nullptr);
  EXPECT_EQ(*req.find_header("Authorization"), r.authorization);
  EXPECT_EQ(*req.find_header("X-Amz-Date"), "20150830T123600Z");
  if (!ctx.creds.session_token.empty()) {
    ASSERT_NE(req.find_header("X-Amz-Security-Token"), nullptr);
    EXPECT_EQ(*req.find_header("X-Amz-Security-Token"), ctx.creds.session_token);
  }
  // Every header of the expected signed request is present with the same value.
  std::istringstream in(signed_request);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line) && !line.empty()) {
    if (line[0] == ' ') continue;  // continuation of a folded header
    const auto colon = line.find(':');
    const auto* value = req.find_header(line.substr(0, colon));
    ASSERT_NE(value, nullptr) << line;
  }
}

TEST_P(AwsCAuthSuite, QueryFormMatchesByteForByte) {
  const auto dir = testdata_dir / "sigv4" / GetParam();
  const auto ctx = load_context(dir);
  auto req = parse_request_file(read_file(dir / "request.txt"));
  const auto r = sigv4::presign_request(req, ctx.creds, ctx.params);
  EXPECT_EQ(r.canonical_request, read_file(dir / "query-canonical-request.txt"));
  EXPECT_EQ(r.string_to_sign, read_file(dir / "query-string-to-sign.txt"));
  EXPECT_EQ(r.signature, read_file(dir / "query-signature.txt"));
  EXPECT_EQ(req.method + " " + req.target() + " HTTP/1.1", first_line(read_file(dir / "query-signed-request.txt")));
}

TEST_P(AwsCAuthSuite, ServerVerifiesWhatTheSignerProduced) {
  const auto dir = testdata_dir / "sigv4" / GetParam();
  const auto ctx = load_context(dir);
  auto req = parse_request_file(read_file(dir / "request.txt"));
  sigv4::sign_request(req, ctx.creds, ctx.params);
  const auto v = sigv4::verify_request(req, ctx.creds.secret_access_key, ctx.params.normalize_path);
  EXPECT_TRUE(v.ok()) << sigv4::to_string(v.status);
  EXPECT_EQ(v.canonical_request, read_file(dir / "header-canonical-request.txt"));
  EXPECT_EQ(v.authorization.access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(v.authorization.region, "us-east-1");
  EXPECT_EQ(v.authorization.service, "service");
  EXPECT_EQ(v.authorization.date, "20150830");

  const auto wrong_secret = sigv4::verify_request(req, "not-the-secret", ctx.params.normalize_path);
  EXPECT_EQ(wrong_secret.status, sigv4::VerifyStatus::signature_mismatch);

  auto tampered = req;
  tampered.method = tampered.method == "GET" ? "PUT" : "GET";
  EXPECT_EQ(sigv4::verify_request(tampered, ctx.creds.secret_access_key, ctx.params.normalize_path).status,
            sigv4::VerifyStatus::signature_mismatch);
}

INSTANTIATE_TEST_SUITE_P(Sigv4, AwsCAuthSuite, ::testing::ValuesIn(case_names(testdata_dir / "sigv4")),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// botocore's classic aws4_testsuite: requests already carry X-Amz-Date (and the token when signed).
std::vector<std::string> botocore_cases() {
  std::vector<std::string> out;
  const auto root = testdata_dir / "sigv4-botocore";
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.path().extension() == ".req") out.push_back(fs::relative(e.path().parent_path(), root).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class BotocoreSuite : public ::testing::TestWithParam<std::string> {};

TEST_P(BotocoreSuite, CanonicalRequestStringToSignAndAuthorization) {
  const auto dir = testdata_dir / "sigv4-botocore" / GetParam();
  const auto base = dir / dir.filename();
  auto req = parse_request_file(read_file(base.string() + ".req"));
  // As in botocore, a case's session token comes from the x-amz-security-token line of its .creq;
  // the signer adds it as a header.
  std::string token;
  {
    std::istringstream creq_in(read_file(base.string() + ".creq"));
    std::string l;
    while (std::getline(creq_in, l))
      if (l.rfind("x-amz-security-token:", 0) == 0) token = l.substr(21);
  }
  const auto unsigned_req = req;
  if (!token.empty() && req.find_header("X-Amz-Security-Token") == nullptr)
    req.set_header("X-Amz-Security-Token", token);
  const auto payload = sigv4::sha256_hex(req.body);
  const auto names = sigv4::default_signed_header_names(req);
  const auto creq = sigv4::canonical_request(req, names, payload, true, true);
  EXPECT_EQ(creq, read_file(base.string() + ".creq"));
  const auto scope = sigv4::credential_scope("20150830", "us-east-1", "service");
  const auto sts = sigv4::string_to_sign("20150830T123600Z", scope, creq);
  EXPECT_EQ(sts, read_file(base.string() + ".sts"));
  const auto key = sigv4::derive_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1",
                                             "service");
  std::string names_joined;
  for (const auto& n : names) names_joined += (names_joined.empty() ? "" : ";") + n;
  const auto authz = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/" + scope + ", SignedHeaders=" + names_joined +
                     ", Signature=" + sigv4::compute_signature(key, sts);
  EXPECT_EQ(authz, read_file(base.string() + ".authz"));

  // The full signer gives the same Authorization (the token, if any, is already a request header).
  auto signed_req = unsigned_req;
  sigv4::Credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token};
  sigv4::SigningParams params{"us-east-1", "service", *sigv4::parse_amz_date("20150830T123600Z")};
  EXPECT_EQ(sigv4::sign_request(signed_req, creds, params).authorization, authz);
}

INSTANTIATE_TEST_SUITE_P(Botocore, BotocoreSuite, ::testing::ValuesIn(botocore_cases()), [](const auto& info) {
  std::string n = info.param;
  std::replace_if(n.begin(), n.end(), [](char c) { return c == '-' || c == '/'; }, '_');
  return n;
});

TEST(Sigv4, ParseAuthorizationHeader) {
  const auto p = sigv4::parse_authorization_header(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ecs/aws4_request, "
      "SignedHeaders=host;x-amz-date;x-amz-target, "
      "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(p->date, "20150830");
  EXPECT_EQ(p->region, "us-east-1");
  EXPECT_EQ(p->service, "ecs");
  EXPECT_EQ(p->signed_headers, (std::vector<std::string>{"host", "x-amz-date", "x-amz-target"}));
  EXPECT_EQ(p->signature, "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
  EXPECT_EQ(p->scope(), "20150830/us-east-1/ecs/aws4_request");
}

TEST(Sigv4, RejectsMalformedAuthorizationHeaders) {
  const char* bad[] = {
      "",
      "AWS4-HMAC-SHA1 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, Signature=00",
      "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host",
      "AWS4-HMAC-SHA256 Credential=A/20150830/r/aws4_request, SignedHeaders=host, "
      "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
      "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws5_request, SignedHeaders=host, "
      "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
      "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, Signature=zz",
      "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=, "
      "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
      "AWS4-HMAC-SHA256 Foo=bar",
  };
  for (const char* b : bad) EXPECT_FALSE(sigv4::parse_authorization_header(b)) << b;
}

TEST(Sigv4, SigningKeyCacheDerivesOncePerDayRegionService) {
  sigv4::SigningKeyCache cache;
  const auto& k1 = cache.get("AKID", "secret", "20150830", "us-east-1", "ecs");
  const auto expected = sigv4::derive_signing_key("secret", "20150830", "us-east-1", "ecs");
  EXPECT_EQ(k1, expected);
  (void)cache.get("AKID", "secret", "20150830", "us-east-1", "ecs");
  EXPECT_EQ(cache.derivations_for_test(), 1u);
  (void)cache.get("AKID", "secret", "20150831", "us-east-1", "ecs");
  (void)cache.get("AKID", "secret", "20150830", "us-east-1", "sqs");
  EXPECT_EQ(cache.derivations_for_test(), 3u);
  // A rotated secret for the same access key must not reuse the old key.
  const auto& k2 = cache.get("AKID", "other", "20150830", "us-east-1", "ecs");
  EXPECT_EQ(k2, sigv4::derive_signing_key("other", "20150830", "us-east-1", "ecs"));
}

TEST(Sigv4, AmzDateRoundTrip) {
  const auto t = sigv4::parse_amz_date("20240229T235959Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(sigv4::format_amz_date(*t), "20240229T235959Z");
  EXPECT_FALSE(sigv4::parse_amz_date("2024-02-29T23:59:59Z"));
  EXPECT_FALSE(sigv4::parse_amz_date("20241329T235959Z"));
}

TEST(Sigv4, VerifyDetectsBodyTamperingAndMissingPieces) {
  sigv4::Request req{"POST", "/", "", {{"Host", "ecs.us-east-1.amazonaws.com"},
                                       {"Content-Type", "application/x-amz-json-1.1"},
                                       {"X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListTasks"}},
                     R"({"cluster":"default"})"};
  sigv4::Credentials creds{"AKID", "SECRET", "TOKEN"};
  sigv4::SigningParams params{"us-east-1", "ecs", *sigv4::parse_amz_date("20260101T000000Z")};
  sigv4::sign_request(req, creds, params);
  EXPECT_TRUE(sigv4::verify_request(req, "SECRET").ok());

  auto body_changed = req;
  body_changed.body = R"({"cluster":"other"})";
  EXPECT_EQ(sigv4::verify_request(body_changed, "SECRET").status, sigv4::VerifyStatus::signature_mismatch);

  auto token_changed = req;
  token_changed.set_header("X-Amz-Security-Token", "EVIL");
  EXPECT_EQ(sigv4::verify_request(token_changed, "SECRET").status, sigv4::VerifyStatus::signature_mismatch);

  auto no_auth = req;
  no_auth.remove_header("authorization");
  EXPECT_EQ(sigv4::verify_request(no_auth, "SECRET").status, sigv4::VerifyStatus::missing_authorization);

  auto no_date = req;
  no_date.remove_header("x-amz-date");
  EXPECT_EQ(sigv4::verify_request(no_date, "SECRET").status, sigv4::VerifyStatus::missing_date);

  auto signed_body = req;
  params.sign_body = true;
  sigv4::sign_request(signed_body, creds, params);
  EXPECT_TRUE(sigv4::verify_request(signed_body, "SECRET").ok());
  signed_body.body += " ";
  EXPECT_EQ(sigv4::verify_request(signed_body, "SECRET").status, sigv4::VerifyStatus::payload_hash_mismatch);
}

TEST(Sigv4, ConstantTimeEqual) {
  EXPECT_TRUE(sigv4::constant_time_equal("abc", "abc"));
  EXPECT_FALSE(sigv4::constant_time_equal("abc", "abd"));
  EXPECT_FALSE(sigv4::constant_time_equal("abc", "abcd"));
}

}  // namespace
