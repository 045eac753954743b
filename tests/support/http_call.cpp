// File: tests/support/http_call.cpp — blocking HTTP/1.1 client for tests: async Beast ops on a private io_context,
// because tcp_stream's timeout applies to asynchronous operations only.
#include "http_call.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>

#include <stdexcept>

#include <strings.h>

namespace berth::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::string HttpResult::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  return {};
}

boost::json::value HttpResult::json() const { return boost::json::parse(body); }

HttpResult http_call(unsigned short port, const std::string& method, const std::string& target,
                     const std::string& body, const HttpHeaders& headers, std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);

  beast::error_code connect_ec, write_ec, read_ec;
  bool read_done = false;
  stream.expires_after(timeout);  // one deadline for the whole exchange
  stream.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
    if (ec) {
      connect_ec = ec;
      return;
    }
    http::async_write(stream, req, [&](beast::error_code wec, std::size_t) {
      write_ec = wec;  // still read: the server may have answered before it stopped reading
      http::async_read(stream, buffer, parser, [&](beast::error_code rec, std::size_t) {
        read_ec = rec;
        read_done = true;
      });
    });
  });
  ioc.run();
  if (connect_ec) throw std::runtime_error(method + " " + target + ": " + connect_ec.message());
  if (!read_done || read_ec)
    throw std::runtime_error(method + " " + target + ": " + (write_ec ? write_ec : read_ec).message());

  auto res = parser.release();
  HttpResult out;
  out.status = res.result_int();
  out.body = std::move(res.body());
  for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  return out;
}

}  // namespace berth::testing
