// File: src/http/server.cpp — accept loop, per-connection sessions and the graceful stop of the HTTP server.
#include "http/server.hpp"

#include <list>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "config/logging.hpp"
#include "http/auth.hpp"

namespace berth::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

ServerOptions ServerOptions::from_config(const config::Config& cfg) {
  ServerOptions o;
  o.max_connections = cfg.server.max_connections;
  o.max_header_bytes = cfg.server.max_header_bytes;
  o.max_body_bytes = cfg.api.max_body_bytes;
  o.read_timeout = cfg.server.read_timeout;
  o.auth_token = cfg.api.auth_token;
  o.max_streams = cfg.api.max_streams;
  return o;
}

struct Server::State {
  struct Session {
    beast::tcp_stream* stream = nullptr;  // owned by the session coroutine; valid while the record exists
    bool busy = false;                    // a request is being handled (not waiting for the next one)
    std::shared_ptr<StreamChannel> stream_channel;  // set while the connection streams an answer
    asio::cancellation_signal cancel;     // terminal cancellation at the stop deadline
  };

  State(asio::io_context& io_, const Router& router_, ServerOptions options_)
      : io(io_), router(router_), options(std::move(options_)), acceptor(io_), drained(io_) {}

  asio::io_context& io;
  const Router& router;
  ServerOptions options;
  tcp::acceptor acceptor;
  asio::steady_timer drained;  // cancelled when the last session leaves during a stop
  bool stopping = false;
  std::size_t streams = 0;  // connections streaming an answer now
  std::list<Session> sessions;
  std::shared_ptr<spdlog::logger> log = logging::get("http");
};

namespace {

using State = Server::State;

Request to_request(bhttp::request<bhttp::string_body>&& msg) {
  Request req;
  req.method = msg.method();
  std::string_view target = msg.target();
  auto q = target.find('?');
  req.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) {
    req.raw_query = std::string(target.substr(q + 1));
    req.query = parse_query(req.raw_query);
  }
  for (const auto& field : msg) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto [it, inserted] = req.headers.emplace(name, std::string(field.value()));
    if (!inserted) it->second += ", " + std::string(field.value());
  }
  req.body = std::move(msg.body());
  return req;
}

bhttp::response<bhttp::string_body> to_message(const Response& r, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
  res.set(bhttp::field::server, "berth");
  if (!r.content_type.empty()) res.set(bhttp::field::content_type, r.content_type);
  for (const auto& [name, value] : r.headers) res.set(name, value);
  res.body() = r.body;
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

asio::awaitable<void> write_and_close(beast::tcp_stream& stream, const Response& r, unsigned version,
                                      std::chrono::milliseconds timeout) {
  auto res = to_message(r, version, false);
  stream.expires_after(timeout);
  co_await bhttp::async_write(stream, res, use_tuple);
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

// Writes a streaming answer: the header, then every chunk of the channel (heartbeats while it is quiet), then
// the last chunk. A cut stream (slow client) is closed without the last chunk, so the client sees it broken off.
asio::awaitable<void> write_stream(beast::tcp_stream& stream, const Response& r, unsigned version,
                                   std::chrono::milliseconds timeout) {
  StreamChannel& channel = *r.stream;
  channel.on_cut([&stream] { stream.cancel(); });  // a slow client's pending write is not waited for
  bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(r.status), version};
  head.set(bhttp::field::server, "berth");
  if (!r.content_type.empty()) head.set(bhttp::field::content_type, r.content_type);
  for (const auto& [name, value] : r.headers) head.set(name, value);
  head.chunked(true);
  head.keep_alive(false);
  bhttp::response_serializer<bhttp::empty_body> serializer{head};
  stream.expires_after(timeout);
  auto [ec, n] = co_await bhttp::async_write_header(stream, serializer, use_tuple);
  while (!ec) {
    auto next = co_await channel.next();
    if (next.kind == StreamChannel::Next::Kind::end) break;
    stream.expires_after(timeout);  // a client that stops reading is cut when its socket buffer stays full
    std::tie(ec, n) = co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(next.data)), use_tuple);
  }
  if (!ec && !channel.was_cut()) {
    stream.expires_after(timeout);
    std::tie(ec, n) = co_await asio::async_write(stream, bhttp::make_chunk_last(), use_tuple);
  }
  channel.finish();
}

// Answers 503 to a connection over the limit, without reading its request.
asio::awaitable<void> reject(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  co_await write_and_close(stream, Response::error(503, "too_many_connections", "connection limit reached"), 11,
                           std::chrono::seconds(2));
}

asio::awaitable<void> run_session(std::shared_ptr<State> st, std::list<State::Session>::iterator self,
                                  tcp::socket socket) {
  boost::system::error_code peer_ec;
  const auto peer = socket.remote_endpoint(peer_ec);
  const std::string remote_address = peer_ec ? std::string() : peer.address().to_string();
  beast::tcp_stream stream(std::move(socket));
  self->stream = &stream;
  beast::flat_buffer buffer;
  try {
    while (!st->stopping) {
      // Options are read per request, so a reload's new limits apply to kept-alive connections too.
      const ServerOptions opts = st->options;
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(opts.max_header_bytes));
      parser.body_limit(opts.max_body_bytes);
      stream.expires_after(opts.read_timeout);
      self->busy = false;
      auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, use_tuple);
      self->busy = true;  // a request has begun: a graceful stop lets it finish
      if (!ec && !parser.is_done()) {
        // Clients such as curl wait for "100 Continue" before sending a large body. The header passed the
        // size checks (a declared Content-Length over the limit already failed with body_limit).
        if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
          bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, parser.get().version()};
          co_await bhttp::async_write(stream, go_on, use_tuple);
        }
        std::tie(ec, n) = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
      }
      if (ec == bhttp::error::body_limit) {
        co_await write_and_close(
            stream,
            Response::error(413, "body_too_large",
                            "request body exceeds " + std::to_string(opts.max_body_bytes) + " bytes"),
            11, opts.read_timeout);
        break;
      }
      if (ec == bhttp::error::header_limit) {
        co_await write_and_close(stream, Response::error(431, "headers_too_large", "request headers too large"), 11,
                                 opts.read_timeout);
        break;
      }
      if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
          ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
        co_await write_and_close(stream, Response::error(400, "bad_request", "malformed HTTP request"), 11,
                                 opts.read_timeout);
        break;
      }
      if (ec) break;  // closed by the peer, timed out or cancelled by a stop: nothing to answer

      auto msg = parser.release();
      const unsigned version = msg.version();
      const bool client_keep_alive = msg.keep_alive();
      Request req = to_request(std::move(msg));
      req.remote_address = remote_address;
      Response res;
      if (opts.auth_token && req.path != "/healthz" && !credentials_match(req.header("authorization"), *opts.auth_token)) {
        res = Response::error(401, "unauthorized", "missing or wrong API token (Bearer, or the Basic password)");
        res.headers.emplace_back("WWW-Authenticate", "Bearer, Basic realm=\"berth\"");
      } else {
        res = co_await st->router.dispatch(req);
      }
      st->log->debug("request method={} path=\"{}\" status={}", std::string(bhttp::to_string(req.method)), req.path,
                     res.status);
      if (res.stream && !st->stopping && st->streams < opts.max_streams) {
        // The connection is given to the stream until it ends; then it closes.
        ++st->streams;
        self->stream_channel = res.stream;
        co_await write_stream(stream, res, version, opts.read_timeout);
        self->stream_channel.reset();
        --st->streams;
        break;
      }
      if (res.stream) {
        res.stream->finish();
        st->log->warn("stream refused reason=limit limit={}", opts.max_streams);
        res = Response::error(503, "too_many_streams", "concurrent stream limit reached");
      }
      const bool keep_alive = client_keep_alive && !st->stopping;
      auto out = to_message(res, version, keep_alive);
      stream.expires_after(opts.read_timeout);
      auto [wec, wn] = co_await bhttp::async_write(stream, out, use_tuple);
      if (wec || !keep_alive) break;
    }
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  } catch (const std::exception& e) {
    st->log->error("connection failed error=\"{}\"", e.what());
  }
  st->sessions.erase(self);
  if (st->stopping && st->sessions.empty()) st->drained.cancel();
}

asio::awaitable<void> accept_loop(std::shared_ptr<State> st) {
  while (!st->stopping) {
    auto [ec, socket] = co_await st->acceptor.async_accept(use_tuple);
    if (st->stopping || ec == asio::error::operation_aborted) break;
    if (ec) {
      // Usually out of file descriptors: back off instead of spinning.
      st->log->warn("accept failed error=\"{}\"", ec.message());
      asio::steady_timer pause(st->io, std::chrono::milliseconds(100));
      co_await pause.async_wait(use_tuple);
      continue;
    }
    if (st->sessions.size() >= st->options.max_connections) {
      st->log->warn("connection refused reason=limit limit={}", st->options.max_connections);
      asio::co_spawn(st->io, reject(std::move(socket)), asio::detached);
      continue;
    }
    auto it = st->sessions.emplace(st->sessions.end());
    asio::co_spawn(st->io, run_session(st, it, std::move(socket)),
                   asio::bind_cancellation_slot(it->cancel.slot(), asio::detached));
  }
}

}  // namespace

Server::Server(asio::io_context& io, const Router& router, ServerOptions options)
    : state_(std::make_shared<State>(io, router, std::move(options))) {}

Server::~Server() {
  // Connections still running keep the state alive; make sure they wind down instead of serving forever.
  state_->stopping = true;
  boost::system::error_code ec;
  state_->acceptor.close(ec);
  for (auto& s : state_->sessions) {
    if (s.stream_channel) s.stream_channel->finish();
    if (s.stream) s.stream->cancel();
  }
}

boost::system::result<tcp::endpoint> Server::listen(const std::string& host, std::uint16_t port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return ec;
  tcp::endpoint ep(address, port);
  auto& acc = state_->acceptor;
  if (acc.open(ep.protocol(), ec); ec) return ec;
  if (acc.set_option(asio::socket_base::reuse_address(true), ec); ec) return ec;
  if (acc.bind(ep, ec); ec) return ec;
  if (acc.listen(asio::socket_base::max_listen_connections, ec); ec) return ec;
  auto bound = acc.local_endpoint(ec);
  if (ec) return ec;
  return bound;
}

void Server::start() {
  asio::co_spawn(state_->io, accept_loop(state_), asio::detached);
}

void Server::set_options(ServerOptions options) {
  state_->options = std::move(options);
}

std::size_t Server::connection_count() const {
  return state_->sessions.size();
}

bool Server::stopping() const {
  return state_->stopping;
}

asio::awaitable<void> Server::async_stop(std::chrono::milliseconds deadline) {
  auto st = state_;
  st->stopping = true;
  boost::system::error_code ec;
  st->acceptor.close(ec);
  // Idle keep-alive connections are waiting for a request that we will not serve: close them now.
  for (auto& s : st->sessions) {
    if (!s.busy && s.stream) s.stream->cancel();
    if (s.stream_channel) s.stream_channel->close();  // streams never end by themselves: end them cleanly
  }
  if (!st->sessions.empty()) {
    st->drained.expires_after(deadline);
    co_await st->drained.async_wait(use_tuple);
  }
  if (!st->sessions.empty()) {
    st->log->warn("stop deadline reached, cancelling connections count={}", st->sessions.size());
    for (auto& s : st->sessions) {
      s.cancel.emit(asio::cancellation_type::terminal);
      if (s.stream) s.stream->cancel();
    }
    st->drained.expires_after(std::chrono::seconds(1));
    co_await st->drained.async_wait(use_tuple);
  }
}

}  // namespace berth::http
