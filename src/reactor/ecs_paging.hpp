// File: src/reactor/ecs_paging.hpp — the two shapes of ECS reads the reactor repeats: follow a List
// call's nextToken to the end, and Describe a list of ARNs in batches of 100.
#pragma once

#include "aws/ecs_protocol.hpp"
#include "reactor/ecs_api.hpp"

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace berth::reactor {

// Guards against a server that never ends pagination.
inline constexpr std::size_t max_list_pages = 100000;

// `list(token)` returns one EcsResult<ArnPage>; every call is counted in `calls`.
template <class ListFn>
boost::asio::awaitable<EcsResult<std::vector<std::string>>> list_all(ListFn list, std::size_t& calls) {
  std::vector<std::string> arns;
  std::string token;
  for (std::size_t page = 0; page < max_list_pages; ++page) {
    ++calls;
    auto r = co_await list(token);
    if (!r) co_return r.error();
    arns.insert(arns.end(), r->arns.begin(), r->arns.end());
    if (r->next_token.empty()) co_return arns;
    if (r->next_token == token) co_return EcsError{EcsError::Kind::unknown, "PaginationLoop", "nextToken repeated"};
    token = r->next_token;
  }
  co_return EcsError{EcsError::Kind::unknown, "PaginationLimit", "too many pages"};
}

// `describe(batch)` returns one EcsResult<Described<T>>. Failures (MISSING) are items that vanished
// between List and Describe: they are left out, which is right for every caller.
template <class T, class DescribeFn>
boost::asio::awaitable<EcsResult<std::vector<T>>> describe_all(const std::vector<std::string>& arns,
                                                               DescribeFn describe, std::size_t& calls) {
  std::vector<T> out;
  out.reserve(arns.size());
  for (std::size_t i = 0; i < arns.size(); i += aws::ecs::max_describe_batch) {
    std::vector<std::string> batch(arns.begin() + static_cast<std::ptrdiff_t>(i),
                                   arns.begin() + static_cast<std::ptrdiff_t>(std::min(arns.size(), i + aws::ecs::max_describe_batch)));
    ++calls;
    auto r = co_await describe(std::move(batch));
    if (!r) co_return r.error();
    for (auto& item : r->items) out.push_back(std::move(item));
  }
  co_return out;
}

}  // namespace berth::reactor
