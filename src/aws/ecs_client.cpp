// File: src/aws/ecs_client.cpp — EcsClient: builders + AwsJsonClient + parsers, with batching and pagination loops.
#include "aws/ecs_client.hpp"

#include <random>

namespace berth::aws::ecs {

namespace json = boost::json;

namespace {

// Follows nextToken from `request` until the last page, concatenating each page's `items`. Invariant: each
// iteration sends the token the previous page returned; stops on an empty token.
template <class Request, class Page, class Item>
asio::awaitable<AwsResult<std::vector<Item>>> list_all_pages(
    EcsClient& client, asio::awaitable<AwsResult<Page>> (EcsClient::*list_page)(Request),
    std::vector<Item> Page::*items, Request request) {
  std::vector<Item> all;
  while (true) {
    auto page = co_await (client.*list_page)(request);
    if (!page) co_return page.error();
    auto& got = (*page).*items;
    std::move(got.begin(), got.end(), std::back_inserter(all));
    if (page->next_token.empty()) co_return all;
    request.next_token = std::move(page->next_token);
  }
}

}  // namespace

std::string make_client_token() {
  std::random_device rd;
  std::uint8_t b[16];
  for (auto& x : b) x = static_cast<std::uint8_t>(rd());
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 0x0f];
  }
  return out;
}

boost::system::result<ServiceConfig> make_ecs_config(std::string_view region, std::string_view endpoint_override) {
  ServiceConfig c;
  c.region = std::string(region);
  c.signing_name = "ecs";
  c.target_prefix = std::string(target_prefix);
  c.json_version = "1.1";
  bool plain = false;
  auto ep = make_endpoint("ecs", region, endpoint_override, plain);
  if (!ep) return ep.error();
  c.endpoint = *ep;
  return c;
}

EcsClient::EcsClient(asio::any_io_executor executor, HttpTransport& http, CredentialsProvider& credentials,
                     ServiceConfig config)
    : json_(std::move(executor), http, credentials, std::move(config)) {}

asio::awaitable<AwsResult<json::value>> EcsClient::call(std::string op, AwsResult<json::object> body,
                                                        ThrottleCategory category) {
  if (!body) co_return body.error();
  const auto idempotency = operation_idempotency(op, *body);
  co_return co_await json_.call(std::move(op), std::move(*body), category, idempotency);
}

template <class Parse>
auto EcsClient::call(std::string op, AwsResult<json::object> body, ThrottleCategory category, Parse parse)
    -> asio::awaitable<std::invoke_result_t<Parse&, const json::value&>> {
  auto answer = co_await call(std::move(op), std::move(body), category);
  if (!answer) co_return answer.error();
  co_return parse(*answer);
}

template <class T, class Build>
asio::awaitable<AwsResult<BatchResult<T>>> EcsClient::call_in_chunks(
    std::string op, const std::vector<std::string>& arns, std::size_t chunk_size, ThrottleCategory category,
    Build build, AwsResult<BatchResult<T>> (*parse)(const json::value&)) {
  BatchResult<T> out;
  for (const auto& part : chunk(arns, chunk_size)) {
    auto parsed = co_await call(op, build(part), category, parse);
    if (!parsed) co_return parsed.error();
    std::move(parsed->items.begin(), parsed->items.end(), std::back_inserter(out.items));
    std::move(parsed->failures.begin(), parsed->failures.end(), std::back_inserter(out.failures));
  }
  co_return out;
}

asio::awaitable<AwsResult<ListPage>> EcsClient::list_container_instances(ListContainerInstancesRequest request) {
  co_return co_await call("ListContainerInstances", build_list_container_instances(request), ThrottleCategory::read,
                          [](const json::value& body) { return parse_list_page(body, "containerInstanceArns"); });
}

asio::awaitable<AwsResult<std::vector<std::string>>> EcsClient::list_all_container_instances(
    ListContainerInstancesRequest request) {
  co_return co_await list_all_pages(*this, &EcsClient::list_container_instances, &ListPage::arns, std::move(request));
}

asio::awaitable<AwsResult<BatchResult<ContainerInstance>>> EcsClient::describe_container_instances(
    std::string cluster, std::vector<std::string> arns) {
  co_return co_await call_in_chunks(
      "DescribeContainerInstances", arns, max_describe_batch, ThrottleCategory::read,
      [&](const std::vector<std::string>& part) { return build_describe_container_instances(cluster, part); },
      parse_container_instances_result);
}

asio::awaitable<AwsResult<ListPage>> EcsClient::list_tasks(ListTasksRequest request) {
  co_return co_await call("ListTasks", build_list_tasks(request), ThrottleCategory::read,
                          [](const json::value& body) { return parse_list_page(body, "taskArns"); });
}

asio::awaitable<AwsResult<std::vector<std::string>>> EcsClient::list_all_tasks(ListTasksRequest request) {
  co_return co_await list_all_pages(*this, &EcsClient::list_tasks, &ListPage::arns, std::move(request));
}

asio::awaitable<AwsResult<BatchResult<Task>>> EcsClient::describe_tasks(std::string cluster,
                                                                         std::vector<std::string> arns) {
  co_return co_await call_in_chunks(
      "DescribeTasks", arns, max_describe_batch, ThrottleCategory::read,
      [&](const std::vector<std::string>& part) { return build_describe_tasks(cluster, part); }, parse_tasks_result);
}

asio::awaitable<AwsResult<TaskDefinition>> EcsClient::describe_task_definition(std::string task_definition) {
  co_return co_await call("DescribeTaskDefinition", build_describe_task_definition(task_definition),
                          ThrottleCategory::read, parse_task_definition);
}

asio::awaitable<AwsResult<AttributesPage>> EcsClient::list_attributes(ListAttributesRequest request) {
  co_return co_await call("ListAttributes", build_list_attributes(request), ThrottleCategory::read,
                          parse_list_attributes);
}

asio::awaitable<AwsResult<std::vector<TargetAttribute>>> EcsClient::list_all_attributes(
    ListAttributesRequest request) {
  co_return co_await list_all_pages(*this, &EcsClient::list_attributes, &AttributesPage::attributes,
                                    std::move(request));
}

asio::awaitable<AwsResult<BatchResult<Task>>> EcsClient::start_task(StartTaskRequest request) {
  co_return co_await call("StartTask", build_start_task(request), ThrottleCategory::modify, parse_tasks_result);
}

asio::awaitable<AwsResult<BatchResult<Task>>> EcsClient::run_task(RunTaskRequest request) {
  // clientToken is the model's idempotencyToken: one per logical call, reused by every retry,
  // so a retried timeout cannot launch the tasks twice.
  if (request.client_token.empty()) request.client_token = make_client_token();
  co_return co_await call("RunTask", build_run_task(request), ThrottleCategory::modify, parse_tasks_result);
}

asio::awaitable<AwsResult<Task>> EcsClient::stop_task(StopTaskRequest request) {
  co_return co_await call("StopTask", build_stop_task(request), ThrottleCategory::modify, parse_stop_task);
}

asio::awaitable<AwsResult<TaskDefinition>> EcsClient::register_task_definition(json::object definition) {
  co_return co_await call("RegisterTaskDefinition", build_register_task_definition(definition),
                          ThrottleCategory::modify, parse_task_definition);
}

asio::awaitable<AwsResult<BatchResult<ContainerInstance>>> EcsClient::update_container_instances_state(
    std::string cluster, std::vector<std::string> arns, std::string status) {
  if (arns.empty()) co_return client_error("InvalidParameterException", "containerInstances: at least one entry required");
  co_return co_await call_in_chunks(
      "UpdateContainerInstancesState", arns, max_update_state_instances, ThrottleCategory::modify,
      [&](const std::vector<std::string>& part) {
        return build_update_container_instances_state(cluster, part, status);
      },
      parse_container_instances_result);
}

}  // namespace berth::aws::ecs
