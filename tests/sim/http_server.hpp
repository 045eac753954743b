// File: tests/sim/http_server.hpp — Beast HTTP/1.1 server loop of berth-sim (one io_context, coroutines).
#pragma once
#include "sim.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace berth::sim {

// Accepts connections until the acceptor is closed; each connection is its own coroutine.
boost::asio::awaitable<void> async_serve(boost::asio::ip::tcp::acceptor& acceptor, Sim& sim);

}  // namespace berth::sim
