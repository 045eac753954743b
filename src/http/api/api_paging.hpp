// File: src/http/api/api_paging.hpp — internal to src/http/api: Blox's list convention for /v1 resources,
// `{"items":[...], "nextToken"?}` with `limit`/`nextToken` query parameters, shared by every /v1 list
// (environments, deployments, services, jobs).
//
// nextToken is the key of the last item of the previous page. Two orders:
//   - page_after_key: lists sorted by a unique key (names, ids); the page starts at the first key greater than
//     the token, so a token whose item was deleted meanwhile still works;
//   - page_after_item: lists in another order (deployments, newest first); the page starts after the item with
//     that key, and a token naming no item is a 400 (the client cannot have got it from us).
#pragma once

#include "http/api/api_json.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::http::api {

template <class T>
struct Page {
  std::vector<const T*> items;            // at most `limit`, in the list's order
  std::optional<std::string> next_token;  // set when more items follow
};

namespace paging_detail {
template <class T, class KeyOf>
Page<T> take(const std::vector<T>& all, std::size_t first, KeyOf key_of, std::size_t limit) {
  Page<T> page;
  for (std::size_t i = first; i < all.size(); ++i) {
    if (page.items.size() == limit) {
      page.next_token = std::string(key_of(*page.items.back()));
      break;
    }
    page.items.push_back(&all[i]);
  }
  return page;
}
}  // namespace paging_detail

// `all` sorted by key_of (unique, ascending); `after` empty = the first page.
template <class T, class KeyOf>
Page<T> page_after_key(const std::vector<T>& all, KeyOf key_of, std::string_view after, std::size_t limit) {
  std::size_t first = 0;
  if (!after.empty()) {
    while (first < all.size() && std::string_view(key_of(all[first])) <= after) ++first;
  }
  return paging_detail::take(all, first, key_of, limit);
}

// `all` in any stable order with unique keys; `after` empty = the first page; nullopt when no item has key `after`.
template <class T, class KeyOf>
std::optional<Page<T>> page_after_item(const std::vector<T>& all, KeyOf key_of, std::string_view after,
                                       std::size_t limit) {
  std::size_t first = 0;
  if (!after.empty()) {
    while (first < all.size() && std::string_view(key_of(all[first])) != after) ++first;
    if (first == all.size()) return std::nullopt;
    ++first;
  }
  return paging_detail::take(all, first, key_of, limit);
}

// The answer of a list: {"items": [...], "nextToken"?}.
inline boost::json::object paged_answer(boost::json::array items, const std::optional<std::string>& next_token) {
  boost::json::object out{{"items", std::move(items)}};
  if (next_token) out["nextToken"] = *next_token;
  return out;
}

}  // namespace berth::http::api
