// File: tests/sim/test/auth_test.cpp — SigV4 verification by the sim: accepted signatures and AWS-style rejections.
#include "auth.hpp"
#include "aws/sigv4.hpp"
#include "test_util.hpp"

namespace berth::sim::test {
namespace {
namespace v4 = berth::aws::sigv4;

const v4::Credentials good{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};

// Signs a JSON call as an AWS SDK would and returns the headers to send.
std::vector<std::pair<std::string, std::string>> signed_headers(const SimProcess& sim, const std::string& target,
                                                                const std::string& body, const std::string& service,
                                                                const v4::Credentials& creds,
                                                                std::chrono::system_clock::time_point when) {
  v4::Request req;
  req.method = "POST";
  req.path = "/";
  req.headers = {{"Host", "127.0.0.1:" + std::to_string(sim.port())},
                 {"Content-Type", service == "ecs" ? "application/x-amz-json-1.1" : "application/x-amz-json-1.0"},
                 {"X-Amz-Target", target}};
  req.body = body;
  v4::SigningParams p;
  p.region = "us-east-1";
  p.service = service;
  p.time = when;
  v4::sign_request(req, creds, p);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& h : req.headers) out.emplace_back(h.name, h.value);
  return out;
}

HttpResult call(const SimProcess& sim, const std::string& service, const std::string& op, const std::string& body,
                const v4::Credentials& creds = good,
                std::chrono::system_clock::time_point when = std::chrono::system_clock::now()) {
  std::string target = service == "ecs" ? "AmazonEC2ContainerServiceV20141113." + op : "AmazonSQS." + op;
  return sim.request("POST", "/", body, signed_headers(sim, target, body, service, creds, when));
}

TEST(SimAuth, ParsesAuthorizationHeader) {
  auto a = parse_authorization(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ecs/aws4_request, SignedHeaders=host;x-amz-date, "
      "Signature=abc");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->access_key, "AKIDEXAMPLE");
  EXPECT_EQ(a->service, "ecs");
  EXPECT_EQ(a->signed_headers, "host;x-amz-date");
  EXPECT_FALSE(parse_authorization("Bearer x"));
  EXPECT_FALSE(parse_authorization("AWS4-HMAC-SHA256 Credential=AKID/2015/us-east-1"));
}

TEST(SimAuth, AcceptsCorrectlySignedRequests) {
  ASSERT_TRUE(signature_verification_available());
  SimProcess sim({"--seed", "3"});
  auto r = call(sim, "ecs", "ListClusters", "{}");
  EXPECT_EQ(r.status, 200u) << r.body;
  r = call(sim, "sqs", "GetQueueAttributes",
           json::serialize(json::object{{"QueueUrl", sim.queue_url()}, {"AttributeNames", json::array{"All"}}}));
  EXPECT_EQ(r.status, 200u) << r.body;
}

TEST(SimAuth, RejectsLikeAws) {
  SimProcess sim({"--seed", "3"});
  auto r = sim.ecs("ListClusters", json::object{});  // unsigned
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(r.json().at("__type"), "MissingAuthenticationTokenException");

  r = call(sim, "ecs", "ListClusters", "{}", v4::Credentials{"AKIDEXAMPLE", "wrong-secret", ""});
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(r.json().at("__type"), "InvalidSignatureException");

  r = call(sim, "sqs", "ListQueues", "{}", v4::Credentials{"AKIDEXAMPLE", "wrong-secret", ""});
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#SignatureDoesNotMatch");

  r = call(sim, "ecs", "ListClusters", "{}", v4::Credentials{"AKIDOTHER", good.secret_access_key, ""});
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(r.json().at("__type"), "UnrecognizedClientException");

  r = call(sim, "ecs", "ListClusters", "{}", good, std::chrono::system_clock::now() - std::chrono::minutes(6));
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(r.json().at("__type"), "RequestTimeTooSkewed");

  // Tampering with the body after signing breaks the signature.
  auto headers = signed_headers(sim, "AmazonEC2ContainerServiceV20141113.ListClusters", "{}", "ecs", good,
                                std::chrono::system_clock::now());
  r = sim.request("POST", "/", R"({"maxResults":5})", headers);
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(r.json().at("__type"), "InvalidSignatureException");
  EXPECT_EQ(sim.stats().at("auth_failures").as_int64(), 6);
}

TEST(SimAuth, ConfigurableKeys) {
  SimProcess sim({"--access-key", "AKIDSIM", "--secret-key", "sekrit"});
  EXPECT_EQ(call(sim, "ecs", "ListClusters", "{}", v4::Credentials{"AKIDSIM", "sekrit", ""}).status, 200u);
  EXPECT_EQ(call(sim, "ecs", "ListClusters", "{}").status, 403u);
}

}  // namespace
}  // namespace berth::sim::test
