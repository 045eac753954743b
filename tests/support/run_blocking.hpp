// File: tests/support/run_blocking.hpp — runs one awaitable to completion on a test's io_context and returns its
// value (rethrowing its exception): how unit tests call the asynchronous interfaces (store, API) step by step.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace berth::test {

template <class T>
T run_blocking(boost::asio::io_context& io, boost::asio::awaitable<T> work) {
  auto done = boost::asio::co_spawn(io, std::move(work), boost::asio::use_future);
  io.restart();
  io.run();
  return done.get();
}

}  // namespace berth::test
