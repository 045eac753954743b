// File: src/aws/sqs_client.cpp — SqsClient: builders + AwsJsonClient + parsers; batches of 10 for the batch calls.
#include "aws/sqs_client.hpp"

namespace berth::aws::sqs {

namespace json = boost::json;

boost::system::result<ServiceConfig> make_sqs_config(std::string_view region, std::string_view endpoint_override) {
  ServiceConfig c;
  c.region = std::string(region);
  c.signing_name = "sqs";
  c.target_prefix = std::string(target_prefix);
  c.json_version = "1.0";
  bool plain = false;
  auto ep = make_endpoint("sqs", region, endpoint_override, plain);
  if (!ep) return ep.error();
  c.endpoint = *ep;
  return c;
}

SqsClient::SqsClient(asio::any_io_executor executor, HttpTransport& http, CredentialsProvider& credentials,
                     ServiceConfig config)
    : json_(std::move(executor), http, credentials, std::move(config)) {}

asio::awaitable<AwsResult<json::value>> SqsClient::call(std::string op, AwsResult<json::object> body,
                                                        std::chrono::milliseconds timeout) {
  if (!body) co_return body.error();
  const auto idempotency = operation_idempotency(op);
  co_return co_await json_.call(std::move(op), std::move(*body), ThrottleCategory::none, idempotency, timeout);
}

asio::awaitable<AwsResult<std::vector<Message>>> SqsClient::receive_message(ReceiveMessageRequest request) {
  const auto timeout = std::chrono::seconds(request.wait_time_seconds) + json_.config().timeout;
  auto body = co_await call("ReceiveMessage", build_receive_message(request),
                            std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
  if (!body) co_return body.error();
  co_return parse_receive_message(*body);
}

asio::awaitable<AwsResult<BatchOutcome>> SqsClient::batched(std::string op, std::string queue_url,
                                                            std::vector<BatchEntry> entries, bool with_timeout) {
  BatchOutcome out;
  if (entries.empty()) co_return client_error("EmptyBatchRequest", "at least one entry required");
  for (std::size_t i = 0; i < entries.size(); i += max_batch_entries) {
    std::vector<BatchEntry> part(entries.begin() + static_cast<std::ptrdiff_t>(i),
                                 entries.begin() + static_cast<std::ptrdiff_t>(std::min(entries.size(), i + max_batch_entries)));
    auto request = with_timeout ? build_change_message_visibility_batch(queue_url, part)
                                : build_delete_message_batch(queue_url, part);
    auto body = co_await call(op, std::move(request));
    if (!body) co_return body.error();
    auto parsed = parse_batch_outcome(*body);
    if (!parsed) co_return parsed.error();
    std::move(parsed->successful.begin(), parsed->successful.end(), std::back_inserter(out.successful));
    std::move(parsed->failed.begin(), parsed->failed.end(), std::back_inserter(out.failed));
  }
  co_return out;
}

asio::awaitable<AwsResult<BatchOutcome>> SqsClient::delete_message_batch(std::string queue_url,
                                                                         std::vector<BatchEntry> entries) {
  co_return co_await batched("DeleteMessageBatch", std::move(queue_url), std::move(entries), false);
}

asio::awaitable<AwsResult<void>> SqsClient::change_message_visibility(std::string queue_url,
                                                                      std::string receipt_handle,
                                                                      int timeout_seconds) {
  auto body = co_await call("ChangeMessageVisibility",
                            build_change_message_visibility(queue_url, receipt_handle, timeout_seconds));
  if (!body) co_return body.error();
  co_return AwsResult<void>{};
}

asio::awaitable<AwsResult<BatchOutcome>> SqsClient::change_message_visibility_batch(std::string queue_url,
                                                                                    std::vector<BatchEntry> entries) {
  co_return co_await batched("ChangeMessageVisibilityBatch", std::move(queue_url), std::move(entries), true);
}

asio::awaitable<AwsResult<std::map<std::string, std::string>>> SqsClient::get_queue_attributes(
    std::string queue_url, std::vector<std::string> names) {
  auto body = co_await call("GetQueueAttributes", build_get_queue_attributes(queue_url, names));
  if (!body) co_return body.error();
  co_return parse_queue_attributes(*body);
}

asio::awaitable<AwsResult<SendMessageResult>> SqsClient::send_message(SendMessageRequest request) {
  auto body = co_await call("SendMessage", build_send_message(request));
  if (!body) co_return body.error();
  co_return parse_send_message(*body);
}

asio::awaitable<AwsResult<std::string>> SqsClient::get_queue_url(std::string queue_name,
                                                                 std::string owner_account_id) {
  auto body = co_await call("GetQueueUrl", build_get_queue_url(queue_name, owner_account_id));
  if (!body) co_return body.error();
  co_return parse_get_queue_url(*body);
}

}  // namespace berth::aws::sqs
