// File: src/aws/sqs_client.hpp — awaitable SQS client (long-poll receive, batch delete/visibility, attributes, send).
#pragma once

#include "aws/json_client.hpp"
#include "aws/sqs_api.hpp"

#include <boost/asio/awaitable.hpp>

namespace berth::aws::sqs {

// Service config for SQS in `region`; see ecs::make_ecs_config for the override rules.
boost::system::result<ServiceConfig> make_sqs_config(std::string_view region, std::string_view endpoint_override = {});

class SqsClient {
 public:
  // `http` and `credentials` must outlive the client. SQS calls use no client-side token bucket.
  SqsClient(asio::any_io_executor executor, HttpTransport& http, CredentialsProvider& credentials,
            ServiceConfig config);

  // Long poll: the HTTP timeout is wait_time_seconds + config.timeout so an empty poll is not a timeout.
  asio::awaitable<AwsResult<std::vector<Message>>> receive_message(ReceiveMessageRequest request);
  // Any number of entries; sent in batches of 10 (ids must be unique overall).
  asio::awaitable<AwsResult<BatchOutcome>> delete_message_batch(std::string queue_url, std::vector<BatchEntry> entries);
  asio::awaitable<AwsResult<void>> change_message_visibility(std::string queue_url, std::string receipt_handle,
                                                             int timeout_seconds);
  asio::awaitable<AwsResult<BatchOutcome>> change_message_visibility_batch(std::string queue_url,
                                                                           std::vector<BatchEntry> entries);
  asio::awaitable<AwsResult<std::map<std::string, std::string>>> get_queue_attributes(
      std::string queue_url, std::vector<std::string> names = {"All"});
  asio::awaitable<AwsResult<SendMessageResult>> send_message(SendMessageRequest request);
  asio::awaitable<AwsResult<std::string>> get_queue_url(std::string queue_name, std::string owner_account_id = {});

  [[nodiscard]] AwsJsonClient& protocol() { return json_; }

 private:
  asio::awaitable<AwsResult<boost::json::value>> call(std::string op, AwsResult<boost::json::object> body,
                                                      std::chrono::milliseconds timeout = std::chrono::milliseconds{0});
  asio::awaitable<AwsResult<BatchOutcome>> batched(std::string op, std::string queue_url,
                                                   std::vector<BatchEntry> entries, bool with_timeout);
  AwsJsonClient json_;
};

}  // namespace berth::aws::sqs
