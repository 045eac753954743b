// File: src/aws/ecs_client.hpp — awaitable ECS client: typed calls, batching to API limits, nextToken pagination.
#pragma once

#include "aws/ecs_protocol.hpp"
#include "aws/json_client.hpp"

#include <boost/asio/awaitable.hpp>

#include <type_traits>

namespace berth::aws::ecs {

// Service config for ECS in `region`; `endpoint_override` (e.g. "http://127.0.0.1:4566" for
// berth-sim) replaces https://ecs.<region>.amazonaws.com. Only an override may be plain http:
// set HttpOptions::allow_plain_http = !config.endpoint.tls on the shared HttpClient.
boost::system::result<ServiceConfig> make_ecs_config(std::string_view region, std::string_view endpoint_override = {});

// A random UUID v4 for RunTask's clientToken.
std::string make_client_token();

class EcsClient {
 public:
  // `http` and `credentials` must outlive the client.
  EcsClient(asio::any_io_executor executor, HttpTransport& http, CredentialsProvider& credentials,
            ServiceConfig config);

  // ---- reads (throttle category "read") ----
  asio::awaitable<AwsResult<ListPage>> list_container_instances(ListContainerInstancesRequest request);
  // Follows nextToken until the last page.
  asio::awaitable<AwsResult<std::vector<std::string>>> list_all_container_instances(
      ListContainerInstancesRequest request);
  // Any number of ARNs; sent in chunks of 100, results and failures concatenated.
  asio::awaitable<AwsResult<BatchResult<ContainerInstance>>> describe_container_instances(
      std::string cluster, std::vector<std::string> arns);
  asio::awaitable<AwsResult<ListPage>> list_tasks(ListTasksRequest request);
  asio::awaitable<AwsResult<std::vector<std::string>>> list_all_tasks(ListTasksRequest request);
  asio::awaitable<AwsResult<BatchResult<Task>>> describe_tasks(std::string cluster, std::vector<std::string> arns);
  asio::awaitable<AwsResult<TaskDefinition>> describe_task_definition(std::string task_definition);
  asio::awaitable<AwsResult<AttributesPage>> list_attributes(ListAttributesRequest request);
  asio::awaitable<AwsResult<std::vector<TargetAttribute>>> list_all_attributes(ListAttributesRequest request);

  // ---- modifications (throttle category "modify") ----
  // Retries follow operation_idempotency(): StartTask is retried only when the failed attempt
  // certainly did not execute; otherwise its error has outcome_unknown() set (launch in doubt).
  // At most 10 container instances (InvalidParameterException otherwise, nothing sent).
  asio::awaitable<AwsResult<BatchResult<Task>>> start_task(StartTaskRequest request);
  // count 1..10. An empty client_token is filled with a fresh UUID, reused by retries of this call,
  // which makes RunTask safe to retry after a timeout (unlike StartTask).
  asio::awaitable<AwsResult<BatchResult<Task>>> run_task(RunTaskRequest request);
  asio::awaitable<AwsResult<Task>> stop_task(StopTaskRequest request);
  asio::awaitable<AwsResult<TaskDefinition>> register_task_definition(boost::json::object definition);
  // Any number of ARNs, sent in chunks of 10.
  asio::awaitable<AwsResult<BatchResult<ContainerInstance>>> update_container_instances_state(
      std::string cluster, std::vector<std::string> arns, std::string status);

  [[nodiscard]] AwsJsonClient& protocol() { return json_; }
  [[nodiscard]] const AwsJsonClient& protocol() const { return json_; }

 private:
  asio::awaitable<AwsResult<boost::json::value>> call(std::string op, AwsResult<boost::json::object> body,
                                                      ThrottleCategory category);
  // call(), then `parse` (const json::value& -> AwsResult<T>) the answer.
  template <class Parse>
  auto call(std::string op, AwsResult<boost::json::object> body, ThrottleCategory category, Parse parse)
      -> asio::awaitable<std::invoke_result_t<Parse&, const boost::json::value&>>;
  // Sends `op` once per chunk of `arns` (at most `chunk_size` each, body from `build(chunk)`) and concatenates
  // the parsed items and failures; the first failed call or parse ends it.
  template <class T, class Build>
  asio::awaitable<AwsResult<BatchResult<T>>> call_in_chunks(
      std::string op, const std::vector<std::string>& arns, std::size_t chunk_size, ThrottleCategory category,
      Build build, AwsResult<BatchResult<T>> (*parse)(const boost::json::value&));
  AwsJsonClient json_;
};

}  // namespace berth::aws::ecs
