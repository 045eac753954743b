// File: tests/foundation/loopback_server.hpp — test fixture: berth's HTTP server on 127.0.0.1:0 with the test's
// routes, and a run() that drives one client coroutine then stops the server gracefully (server_test,
// stream_test).
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <memory>

#include "http/server.hpp"

namespace berth::http::test {

class LoopbackServer : public ::testing::Test {
 protected:
  // Add routes to router_ first (SetUp), then start.
  void start(ServerOptions options = {}) {
    server_ = std::make_unique<Server>(io_, router_, options);
    auto ep = server_->listen("127.0.0.1", 0);
    ASSERT_TRUE(ep) << ep.error().message();
    ep_ = *ep;
    ASSERT_NE(ep_.port(), 0);
    server_->start();
  }

  // Runs `client` on the loop, then stops the server; fails the test if the loop does not finish within
  // run_limit_ or a connection is left open.
  template <class Client>
  void run(Client client) {
    boost::asio::co_spawn(
        io_,
        [this, client]() -> boost::asio::awaitable<void> {
          co_await client();
          co_await server_->async_stop(std::chrono::seconds(5));
        },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    io_.run_for(run_limit_);
    EXPECT_TRUE(io_.stopped()) << "loop did not finish";
    EXPECT_EQ(server_->connection_count(), 0u);
  }

  boost::asio::io_context io_;
  Router router_;
  std::unique_ptr<Server> server_;
  boost::asio::ip::tcp::endpoint ep_;
  std::chrono::seconds run_limit_{30};
};

}  // namespace berth::http::test
