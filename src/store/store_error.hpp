// File: src/store/store_error.hpp — error values returned by the store (code + human-readable message).
#pragma once

#include <boost/system/result.hpp>

#include <string>

namespace berth::store {

// What went wrong, coarse enough for callers to branch on (the API maps these to HTTP statuses).
enum class StoreErrc {
  not_found = 1,     // no such environment / deployment / key
  already_exists,    // create of a name that is taken
  conflict,          // optimistic concurrency: the caller's revision is stale
  invalid_argument,  // the caller passed something the schema cannot hold
  busy,              // another process holds the write lock past busy_timeout
  corrupt,           // not a database, malformed pages, unreadable rows
  too_new,           // the file was written by a newer berth (schema version ahead of us)
  io,                // open/read/write failed for another reason (permissions, disk full...)
};

const char* to_string(StoreErrc e);

// Errors are values: the code for branching, the message (with SQLite's own text) for humans and logs.
struct StoreError {
  StoreErrc code;
  std::string message;
};

// boost::system::result calls this (found by ADL) when .value() is used on an error.
[[noreturn]] void throw_exception_from_error(const StoreError& e, const boost::source_location& loc);

template <class T>
using StoreResult = boost::system::result<T, StoreError>;

}  // namespace berth::store
