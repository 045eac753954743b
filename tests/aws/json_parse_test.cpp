// File: tests/aws/json_parse_test.cpp — parse_json_response: same results as boost::json::parse,
// a handful of allocations per response (arena per response) instead of one per JSON node.
// Counts global operator new calls, so it is its own test binary.
#include "aws/json_client.hpp"
#include "aws/sqs_api.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace berth::aws {
namespace {

// A ReceiveMessage response with 10 ECS task events (~1.4 KB bodies, attributes as berth requests).
std::string receive_message_response() {
  std::string out = R"({"Messages":[)";
  for (int i = 0; i < 10; ++i) {
    if (i) out += ",";
    std::string body = R"({"version":"0","id":"e-)" + std::to_string(i) +
                       R"(","detail-type":"ECS Task State Change","source":"aws.ecs","detail":{"lastStatus":"RUNNING","containers":[)";
    for (int c = 0; c < 8; ++c)
      body += std::string(c ? "," : "") + R"({"name":"c)" + std::to_string(c) +
              R"(","lastStatus":"RUNNING","image":"public.ecr.aws/x/agent:1.2.3","cpu":"128"})";
    body += R"(]}})";
    std::string escaped;
    for (char ch : body) {
      if (ch == '"') escaped += '\\';
      escaped += ch;
    }
    out += R"({"MessageId":"m-)" + std::to_string(i) + R"(","ReceiptHandle":"rh-)" + std::string(200, 'a' + i) +
           R"(","MD5OfBody":"0123456789abcdef0123456789abcdef","Body":")" + escaped +
           R"(","Attributes":{"ApproximateReceiveCount":"1","SentTimestamp":"1700000000000"}})";
  }
  out += "]}";
  return out;
}

TEST(ParseJsonResponse, SameValueAsDefaultParse) {
  const auto text = receive_message_response();
  auto parsed = parse_json_response(text);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, boost::json::parse(text));
  auto messages = sqs::parse_receive_message(*parsed);
  ASSERT_TRUE(messages);
  ASSERT_EQ(messages->size(), 10u);
  EXPECT_EQ((*messages)[3].message_id, "m-3");
  EXPECT_EQ((*messages)[3].receive_count(), 1);
  EXPECT_EQ(boost::json::parse((*messages)[3].body).at("detail").at("containers").as_array().size(), 8u);
}

TEST(ParseJsonResponse, EmptyIsEmptyObjectAndNonObjectsAreErrors) {
  auto empty = parse_json_response("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->is_object() && empty->get_object().empty());
  EXPECT_FALSE(parse_json_response("[1,2]"));
  EXPECT_FALSE(parse_json_response("{\"a\":"));
  EXPECT_FALSE(parse_json_response("\"x\""));
}

TEST(ParseJsonResponse, FewAllocationsPerResponse) {
  const auto text = receive_message_response();
  long default_allocs = 0, arena_allocs = 0;
  {
    const long before = g_allocations;
    auto v = boost::json::parse(text);
    default_allocs = g_allocations - before;
    ASSERT_TRUE(v.is_object());
  }
  for (int round = 0; round < 3; ++round) {  // each response gets its own arena: no growth
    const long before = g_allocations;
    auto v = parse_json_response(text);
    arena_allocs = g_allocations - before;
    ASSERT_TRUE(v);
    // The value can be moved out (as AwsJsonClient::call returns it) and still be read.
    boost::json::value moved = std::move(*v);
    EXPECT_EQ(moved.at("Messages").as_array().size(), 10u);
  }
  ::testing::Test::RecordProperty("allocations_default", static_cast<int>(default_allocs));
  ::testing::Test::RecordProperty("allocations_arena", static_cast<int>(arena_allocs));
  EXPECT_GE(default_allocs, 100) << "sanity: the default allocator allocates per node";
  EXPECT_LE(arena_allocs, 6) << "default parse: " << default_allocs;
}

}  // namespace
}  // namespace berth::aws
