// File: src/aws/http_client.cpp — Beast HTTP(S) client coroutines: connect, verified TLS, exchange, pool.
#include "aws/http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <cerrno>
#include <optional>

#include <sys/socket.h>

namespace berth::aws {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

http::request<http::string_body> to_beast(const HttpRequest& req) {
  http::request<http::string_body> out;
  out.method_string(req.method);
  out.target(req.target());
  out.version(11);
  for (const auto& h : req.headers) out.insert(h.name, h.value);
  out.body() = req.body;
  if (!req.body.empty() || req.method == "POST" || req.method == "PUT") out.prepare_payload();
  return out;
}

HttpResponse from_beast(http::response<http::string_body>&& res) {
  HttpResponse out;
  out.status = res.result_int();
  for (const auto& f : res) out.headers.push_back({std::string(f.name_string()), std::string(f.value())});
  out.body = std::move(res.body());
  return out;
}

// Errors that mean "the idle keep-alive connection was already closed by the server"; the
// request is resent once on a fresh connection.
bool is_stale_connection_error(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == http::error::partial_message || ec == ssl::error::stream_truncated;
}

}  // namespace

struct HttpClient::Connection {
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  // An idle keep-alive connection must have nothing to read: a FIN (recv returns 0), an RST (an
  // error) or unsolicited bytes (a TLS close_notify, garbage) all mean the server is done with
  // it. Peeking without blocking finds that out before a byte of the next request is written,
  // which is what makes resending a non-idempotent request safe.
  [[nodiscard]] bool closed_by_peer() {
    if (buffer.size() != 0) return true;
    char byte = 0;
    const auto n = ::recv(lowest().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0) return !(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
    return true;
  }
};

namespace {

template <class Stream>
asio::awaitable<boost::system::result<HttpResponse>> exchange(Stream& stream, beast::tcp_stream& lowest,
                                                              beast::flat_buffer& buffer, const HttpRequest& request,
                                                              std::chrono::milliseconds timeout,
                                                              const HttpOptions& options, bool& reusable,
                                                              std::size_t& bytes_written) {
  reusable = false;
  auto req = to_beast(request);
  lowest.expires_after(timeout);
  auto [wec, written] = co_await http::async_write(stream, req, use_tuple);
  bytes_written = written;  // Beast reports the bytes accepted so far, also on failure
  if (wec) co_return wec;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.max_response_bytes);
  parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  auto [rec, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
  (void)read;
  lowest.expires_never();
  if (rec) co_return rec;
  reusable = parser.get().keep_alive() && !parser.need_eof();
  co_return from_beast(parser.release());
}

}  // namespace

HttpClient::HttpClient(asio::any_io_executor executor, HttpOptions options)
    : executor_(std::move(executor)), options_(std::move(options)), ssl_ctx_(ssl::context::tls_client) {
  ssl_ctx_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  ssl_ctx_.set_verify_mode(ssl::verify_peer);
  ssl_ctx_.set_default_verify_paths();
  if (!options_.ca_file.empty()) ssl_ctx_.load_verify_file(options_.ca_file);
}

HttpClient::~HttpClient() = default;

std::size_t HttpClient::idle_connections() const {
  std::size_t n = 0;
  for (const auto& [key, conns] : idle_) n += conns.size();
  return n;
}

void HttpClient::close_idle_connections() { idle_.clear(); }

asio::awaitable<boost::system::result<HttpClient::ConnectionPtr>> HttpClient::connect(const Endpoint& endpoint) {
  using namespace asio::experimental::awaitable_operators;
  // The resolver has no deadline of its own, so race it against a timer.
  tcp::resolver resolver(executor_);
  asio::steady_timer timer(executor_, options_.connect_timeout);
  auto raced = co_await (resolver.async_resolve(endpoint.host, std::to_string(endpoint.port), use_tuple) ||
                         timer.async_wait(use_tuple));
  if (raced.index() == 1) co_return make_error_code(HttpErrc::resolve_timeout);
  auto [rec, results] = std::get<0>(std::move(raced));
  if (rec) co_return rec;

  auto conn = std::make_unique<Connection>();
  if (endpoint.tls) {
    conn->tls.emplace(executor_, ssl_ctx_);
  } else {
    conn->plain.emplace(executor_);
  }
  auto& lowest = conn->lowest();
  lowest.expires_after(options_.connect_timeout);
  auto [cec, ep] = co_await lowest.async_connect(results, use_tuple);
  (void)ep;
  if (cec) co_return cec;
  if (endpoint.tls) {
    // SNI plus RFC 6125 host-name check on top of chain verification against the trust store.
    if (!SSL_set_tlsext_host_name(conn->tls->native_handle(), endpoint.host.c_str()))
      co_return error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
    conn->tls->set_verify_callback(ssl::host_name_verification(endpoint.host));
    auto [hec] = co_await conn->tls->async_handshake(ssl::stream_base::client, use_tuple);
    if (hec) co_return hec;
  }
  lowest.expires_never();
  ++connections_opened_;
  co_return conn;
}

asio::awaitable<boost::system::result<HttpResponse>> HttpClient::send(Endpoint endpoint, HttpRequest request,
                                                                      std::chrono::milliseconds timeout) {
  SendOptions options;
  options.timeout = timeout;
  auto out = co_await send_request(std::move(endpoint), std::move(request), options);
  co_return std::move(out.response);
}

asio::awaitable<SendResult> HttpClient::send_request(Endpoint endpoint, HttpRequest request, SendOptions options) {
  auto fail_unsent = [](error_code ec) { return SendResult{ec, false}; };
  if (!endpoint.tls && !options_.allow_plain_http) co_return fail_unsent(make_error_code(HttpErrc::plain_http_not_allowed));
  for (const auto& h : request.headers) {
    if (h.name.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos ||
        h.value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
      co_return fail_unsent(make_error_code(HttpErrc::invalid_header));
  }
  const std::string key = endpoint.key();
  const bool idempotent = options.idempotency == Idempotency::idempotent;
  bool any_sent = false;  // over both attempts: a resent idempotent request may have run the first time too

  // Invariant: at most one resend, and only after a pooled connection failed in a way that says
  // it was stale (never after a timeout or a response that failed to parse).
  for (int attempt = 0; attempt < 2; ++attempt) {
    ConnectionPtr conn;
    bool pooled = false;
    if (auto it = idle_.find(key); it != idle_.end()) {
      while (!it->second.empty() && !conn) {
        conn = std::move(it->second.back());
        it->second.pop_back();
        if (conn->closed_by_peer()) {
          ++stale_dropped_;
          conn.reset();
        }
      }
      pooled = conn != nullptr;
    }
    if (!conn) {
      auto fresh = co_await connect(endpoint);
      if (!fresh) co_return SendResult{fresh.error(), any_sent};
      conn = std::move(*fresh);
    }
    bool reusable = false;
    std::size_t written = 0;
    // Note: no co_await inside ?: — GCC 12 miscompiles that (double destruction of the temporary).
    boost::system::result<HttpResponse> result = make_error_code(HttpErrc::bad_url);
    if (conn->tls) {
      result = co_await exchange(*conn->tls, conn->lowest(), conn->buffer, request, options.timeout, options_,
                                 reusable, written);
    } else {
      result = co_await exchange(*conn->plain, conn->lowest(), conn->buffer, request, options.timeout, options_,
                                 reusable, written);
    }
    any_sent = any_sent || result.has_value() || written > 0;
    if (!result && pooled && is_stale_connection_error(result.error()) && (idempotent || written == 0)) {
      ++stale_resends_;
      continue;
    }
    if (result && reusable) {
      auto& slot = idle_[key];
      if (slot.size() < options_.max_idle_per_endpoint) slot.push_back(std::move(conn));
    }
    co_return SendResult{std::move(result), any_sent};
  }
  co_return SendResult{make_error_code(asio::error::connection_reset), any_sent};
}

}  // namespace berth::aws
