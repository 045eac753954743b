// File: bench/micro/aws_parse_bench.cpp — parsing one SQS ReceiveMessage response (10 ECS task
// events, ~15 KB) the way AwsJsonClient::call does, with the default allocator and with the
// per-response arena (parse_json_response), then decoding it into sqs::Message values.
#include "aws/json_client.hpp"
#include "aws/sqs_api.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

namespace berth::bench {
namespace {

// Ten real-looking task events (one from the shared samples if present, else synthetic) wrapped
// as SQS messages.
std::string receive_response() {
  std::string body;
  std::ifstream in(std::string(BERTH_TESTDATA_DIR) + "/ecs-events/task-state-change-ec2-container-stopped.json");
  if (in) {
    std::ostringstream ss;
    ss << in.rdbuf();
    body = ss.str();
  }
  if (body.empty() || !boost::json::parse(body).is_object()) {
    body = R"({"version":"0","detail-type":"ECS Task State Change","source":"aws.ecs","detail":{"containers":[)";
    for (int c = 0; c < 8; ++c)
      body += std::string(c ? "," : "") + R"({"name":"c)" + std::to_string(c) + R"(","lastStatus":"RUNNING"})";
    body += "]}}";
  }
  boost::json::array messages;
  for (int i = 0; i < 10; ++i)
    messages.push_back(boost::json::object{
        {"MessageId", "m-" + std::to_string(i)},
        {"ReceiptHandle", std::string(300, 'r')},
        {"MD5OfBody", "0123456789abcdef0123456789abcdef"},
        {"Body", body},
        {"Attributes", boost::json::object{{"ApproximateReceiveCount", "1"}, {"SentTimestamp", "1700000000000"}}}});
  return boost::json::serialize(boost::json::object{{"Messages", std::move(messages)}});
}

void BM_ParseReceiveMessage_DefaultAllocator(benchmark::State& state) {
  const auto text = receive_response();
  for (auto _ : state) {
    auto v = boost::json::parse(text);
    auto m = aws::sqs::parse_receive_message(v);
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseReceiveMessage_DefaultAllocator);

void BM_ParseReceiveMessage_Arena(benchmark::State& state) {
  const auto text = receive_response();
  for (auto _ : state) {
    auto v = aws::parse_json_response(text);
    auto m = aws::sqs::parse_receive_message(*v);
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseReceiveMessage_Arena);

}  // namespace
}  // namespace berth::bench
