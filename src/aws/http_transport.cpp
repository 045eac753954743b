// File: src/aws/http_transport.cpp — endpoint parsing, response helpers and the transport error category.
#include "aws/http_transport.hpp"

#include <charconv>

namespace berth::aws {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto l = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (l(a[i]) != l(b[i])) return false;
  }
  return true;
}

class HttpCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "berth.http"; }
  std::string message(int ev) const override {
    switch (static_cast<HttpErrc>(ev)) {
      case HttpErrc::bad_url: return "malformed endpoint URL";
      case HttpErrc::plain_http_not_allowed: return "plain http is only allowed for an explicit endpoint override";
      case HttpErrc::resolve_timeout: return "host name resolution timed out";
      case HttpErrc::invalid_header: return "header contains CR, LF or NUL";
    }
    return "unknown http error";
  }
};

}  // namespace

const boost::system::error_category& http_category() {
  static const HttpCategory category;
  return category;
}

boost::system::error_code make_error_code(HttpErrc e) { return {static_cast<int>(e), http_category()}; }

std::string_view to_string(Idempotency i) {
  return i == Idempotency::idempotent ? "idempotent" : "not_idempotent";
}

asio::awaitable<SendResult> HttpTransport::send_request(Endpoint endpoint, HttpRequest request, SendOptions options) {
  SendResult out{co_await send(std::move(endpoint), std::move(request), options.timeout), true};
  co_return out;
}

const std::string* HttpResponse::find_header(std::string_view name) const {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return &h.value;
  return nullptr;
}

std::string Endpoint::host_header() const {
  const bool default_port = (tls && port == 443) || (!tls && port == 80);
  const bool v6 = host.find(':') != std::string::npos;
  std::string h = v6 ? "[" + host + "]" : host;
  return default_port ? h : h + ":" + std::to_string(port);
}

std::string Endpoint::key() const { return (tls ? "https://" : "http://") + host + ":" + std::to_string(port); }

boost::system::result<Endpoint> parse_endpoint_url(std::string_view url) {
  Endpoint ep;
  if (url.rfind("https://", 0) == 0) {
    ep.tls = true;
    ep.port = 443;
    url.remove_prefix(8);
  } else if (url.rfind("http://", 0) == 0) {
    ep.tls = false;
    ep.port = 80;
    url.remove_prefix(7);
  } else {
    return make_error_code(HttpErrc::bad_url);
  }
  // Only an authority is accepted: AWS JSON endpoints are always at "/".
  if (const auto slash = url.find('/'); slash != std::string_view::npos) {
    if (url.substr(slash) != "/") return make_error_code(HttpErrc::bad_url);
    url = url.substr(0, slash);
  }
  std::string_view host = url;
  std::string_view port;
  if (!url.empty() && url.front() == '[') {
    const auto close = url.find(']');
    if (close == std::string_view::npos) return make_error_code(HttpErrc::bad_url);
    host = url.substr(1, close - 1);
    const auto rest = url.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return make_error_code(HttpErrc::bad_url);
      port = rest.substr(1);
    }
  } else if (const auto colon = url.rfind(':'); colon != std::string_view::npos) {
    host = url.substr(0, colon);
    port = url.substr(colon + 1);
  }
  if (host.empty()) return make_error_code(HttpErrc::bad_url);
  if (!port.empty() || url.find(':') != std::string_view::npos) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || ptr != port.data() + port.size() || value == 0 || value > 65535)
      return make_error_code(HttpErrc::bad_url);
    ep.port = static_cast<std::uint16_t>(value);
  }
  ep.host.assign(host);
  return ep;
}

}  // namespace berth::aws
