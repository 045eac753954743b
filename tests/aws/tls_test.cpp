// File: tests/aws/tls_test.cpp — HttpClient TLS: certificate chain and host-name verification against a loopback TLS
// server with a certificate generated at run time.
#include "aws/aws_error.hpp"
#include "aws/http_client.hpp"
#include "fake_http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>

namespace berth::aws {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace http = boost::beast::http;
using namespace std::chrono_literals;
using testing::run;

struct SelfSigned {
  std::string cert_pem;
  std::string key_pem;
};

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// A self-signed CA:TRUE certificate for DNS:localhost only (so 127.0.0.1 does not match).
SelfSigned make_cert() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost"},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, key, EVP_sha256());
  BIO* cb = BIO_new(BIO_s_mem());
  BIO* kb = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cb, x);
  PEM_write_bio_PrivateKey(kb, key, nullptr, nullptr, 0, nullptr, nullptr);
  SelfSigned out{bio_string(cb), bio_string(kb)};
  BIO_free(cb);
  BIO_free(kb);
  X509_free(x);
  EVP_PKEY_free(key);
  return out;
}

// Minimal HTTPS server on 127.0.0.1:0 answering 200 "{}" to every request.
class TlsServer {
 public:
  TlsServer(asio::io_context& io, const SelfSigned& cert)
      : io_(io), ctx_(ssl::context::tls_server), acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}) {
    ctx_.use_certificate_chain(asio::buffer(cert.cert_pem));
    ctx_.use_private_key(asio::buffer(cert.key_pem), ssl::context::pem);
    asio::co_spawn(io_, accept_loop(), asio::detached);
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int requests = 0;
  bool keep_alive = false;  // serve several requests per connection

 private:
  asio::awaitable<void> accept_loop() {
    constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
    while (true) {
      auto [ec, socket] = co_await acceptor_.async_accept(tuple);
      if (ec) co_return;
      asio::co_spawn(io_, session(std::move(socket)), asio::detached);
    }
  }
  asio::awaitable<void> session(asio::ip::tcp::socket socket) {
    constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
    boost::beast::ssl_stream<boost::beast::tcp_stream> stream(boost::beast::tcp_stream(std::move(socket)), ctx_);
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, tuple);
    if (hec) co_return;
    boost::beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> req;
      auto [rec, n] = co_await http::async_read(stream, buffer, req, tuple);
      (void)n;
      if (rec) co_return;
      ++requests;
      http::response<http::string_body> res{http::status::ok, 11};
      res.body() = "{}";
      res.keep_alive(keep_alive);
      res.prepare_payload();
      auto [wec, w] = co_await http::async_write(stream, res, tuple);
      (void)w;
      if (wec || !keep_alive) break;
    }
    auto [sec] = co_await stream.async_shutdown(tuple);
    (void)sec;
  }

  asio::io_context& io_;
  ssl::context ctx_;
  asio::ip::tcp::acceptor acceptor_;
};

struct TlsFixture {
  SelfSigned cert = make_cert();
  std::filesystem::path ca_file =
      std::filesystem::temp_directory_path() / ("berth-tls-test-" + std::to_string(::getpid()) + ".pem");
  asio::io_context io;
  TlsServer server{io, cert};
  TlsFixture() { std::ofstream(ca_file) << cert.cert_pem; }
  ~TlsFixture() {
    std::error_code ec;
    std::filesystem::remove(ca_file, ec);
  }
  HttpRequest request(const Endpoint& ep) const {
    HttpRequest r;
    r.method = "GET";
    r.path = "/";
    r.headers = {{"Host", ep.host_header()}};
    return r;
  }
};

TEST(Tls, TrustedCertificateAndMatchingHostName) {
  TlsFixture f;
  HttpOptions o;
  o.ca_file = f.ca_file.string();
  HttpClient client(f.io.get_executor(), o);
  Endpoint ep{true, "localhost", f.server.port()};
  auto r = run(f.io, client.send(ep, f.request(ep), 5000ms));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(f.server.requests, 1);
}

TEST(Tls, KeepAliveConnectionIsReusedNotMistakenForStale) {
  // The pooled-connection liveness peek must not mistake TLS bookkeeping (session tickets) for
  // unsolicited data: a healthy keep-alive TLS connection is reused.
  TlsFixture f;
  f.server.keep_alive = true;
  HttpOptions o;
  o.ca_file = f.ca_file.string();
  HttpClient client(f.io.get_executor(), o);
  Endpoint ep{true, "localhost", f.server.port()};
  for (int i = 0; i < 3; ++i) {
    auto r = run(f.io, client.send(ep, f.request(ep), 5000ms));
    ASSERT_TRUE(r) << r.error().message();
  }
  EXPECT_EQ(f.server.requests, 3);
  EXPECT_EQ(client.connections_opened(), 1u);
  EXPECT_EQ(client.stale_connections_dropped(), 0u);
}

TEST(Tls, UntrustedCertificateIsRejected) {
  TlsFixture f;
  HttpClient client(f.io.get_executor(), HttpOptions{});  // system store only
  Endpoint ep{true, "localhost", f.server.port()};
  auto r = run(f.io, client.send(ep, f.request(ep), 5000ms));
  ASSERT_FALSE(r);
  EXPECT_EQ(f.server.requests, 0);
  EXPECT_EQ(transport_error(r.error()).error_class, ErrorClass::permanent);
}

TEST(Tls, HostNameMismatchIsRejected) {
  TlsFixture f;
  HttpOptions o;
  o.ca_file = f.ca_file.string();
  HttpClient client(f.io.get_executor(), o);
  Endpoint ep{true, "127.0.0.1", f.server.port()};  // the certificate names only "localhost"
  auto r = run(f.io, client.send(ep, f.request(ep), 5000ms));
  ASSERT_FALSE(r);
  EXPECT_EQ(f.server.requests, 0);
}

}  // namespace
}  // namespace berth::aws
