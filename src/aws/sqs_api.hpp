// File: src/aws/sqs_api.hpp — pure SQS request builders and response parsers (JSON 1.0, AmazonSQS.<Op>).
#pragma once

#include "aws/aws_error.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::aws::sqs {

inline constexpr std::string_view target_prefix = "AmazonSQS";
inline constexpr int max_wait_time_seconds = 20;
inline constexpr int max_receive_messages = 10;
inline constexpr std::size_t max_batch_entries = 10;
inline constexpr int max_visibility_timeout_seconds = 43200;  // 12 hours
inline constexpr int max_delay_seconds = 900;

struct ReceiveMessageRequest {
  std::string queue_url;
  int max_number_of_messages = 10;  // 1..10
  int wait_time_seconds = 20;       // 0..20 (long poll)
  std::optional<int> visibility_timeout;
  // System attributes (e.g. "ApproximateReceiveCount", "SentTimestamp", "All").
  std::vector<std::string> system_attribute_names{"All"};
  std::vector<std::string> message_attribute_names;  // e.g. "All"
  std::string receive_request_attempt_id;            // FIFO only
};

struct MessageAttribute {
  std::string data_type;  // String | Number | Binary (+ custom label)
  std::string string_value;
};

struct Message {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  std::string md5_of_body;
  std::map<std::string, std::string> attributes;  // system attributes, e.g. ApproximateReceiveCount
  std::map<std::string, MessageAttribute> message_attributes;
  // ApproximateReceiveCount as a number (0 if absent/invalid); poison-message handling uses it.
  [[nodiscard]] int receive_count() const;
};

struct BatchEntry {
  std::string id;  // unique within the batch; [A-Za-z0-9_-]{1,80}
  std::string receipt_handle;
  std::optional<int> visibility_timeout;  // ChangeMessageVisibilityBatch only
};

struct BatchError {
  std::string id;
  bool sender_fault = false;
  std::string code;
  std::string message;
};

struct BatchOutcome {
  std::vector<std::string> successful;  // entry ids
  std::vector<BatchError> failed;
};

struct SendMessageRequest {
  std::string queue_url;
  std::string body;
  std::optional<int> delay_seconds;
  std::map<std::string, MessageAttribute> message_attributes;
  std::string message_group_id;
  std::string message_deduplication_id;
};

struct SendMessageResult {
  std::string message_id;
  std::string md5_of_message_body;
  std::string sequence_number;
};

AwsResult<boost::json::object> build_receive_message(const ReceiveMessageRequest& r);
AwsResult<boost::json::object> build_delete_message_batch(std::string_view queue_url,
                                                          const std::vector<BatchEntry>& entries);
AwsResult<boost::json::object> build_change_message_visibility(std::string_view queue_url,
                                                               std::string_view receipt_handle, int timeout_seconds);
AwsResult<boost::json::object> build_change_message_visibility_batch(std::string_view queue_url,
                                                                     const std::vector<BatchEntry>& entries);
AwsResult<boost::json::object> build_get_queue_attributes(std::string_view queue_url,
                                                          const std::vector<std::string>& names);
AwsResult<boost::json::object> build_send_message(const SendMessageRequest& r);
AwsResult<boost::json::object> build_get_queue_url(std::string_view queue_name, std::string_view owner_account_id = {});

AwsResult<std::vector<Message>> parse_receive_message(const boost::json::value& body);
AwsResult<BatchOutcome> parse_batch_outcome(const boost::json::value& body);
AwsResult<std::map<std::string, std::string>> parse_queue_attributes(const boost::json::value& body);
AwsResult<SendMessageResult> parse_send_message(const boost::json::value& body);
AwsResult<std::string> parse_get_queue_url(const boost::json::value& body);

// Every SQS operation berth uses is idempotent in effect (table in src/aws/README.md): deletes and
// visibility changes repeat harmlessly, a lost ReceiveMessage answer's messages reappear after the
// visibility timeout, and a repeated SendMessage duplicates a message on a queue whose consumers
// must deduplicate anyway (standard queues are at-least-once). Unknown operations: not idempotent.
[[nodiscard]] Idempotency operation_idempotency(std::string_view operation);

}  // namespace berth::aws::sqs
