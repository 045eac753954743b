// File: src/aws/sigv4.hpp — AWS Signature Version 4: signing (header and query form) and server-side verification primitives.
#pragma once

// This library depends only on OpenSSL and the standard library so that both the AWS client
// (which signs) and berth-sim (which verifies) can link it without pulling in Asio or Beast.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace berth::aws::sigv4 {

inline constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view scope_terminator = "aws4_request";
// Hash of the empty payload, used for GET requests and empty bodies.
inline constexpr std::string_view empty_payload_sha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct Header {
  std::string name;   // as sent (any case)
  std::string value;  // raw value as sent
};

// A plain HTTP request, exactly as it goes over the wire (or came in, for a server).
struct Request {
  std::string method;           // "GET", "POST", ...
  std::string path;             // raw path as sent, e.g. "/" or "/example%20space/" (no query)
  std::string query;            // raw query without '?', e.g. "a=1&b=2"; may be empty
  std::vector<Header> headers;  // in wire order; duplicates allowed
  std::string body;

  // Case-insensitive lookup of the first header with this name.
  [[nodiscard]] const std::string* find_header(std::string_view name) const;
  // Replaces the first header with this name (case-insensitive) and removes other copies, or appends.
  void set_header(std::string_view name, std::string value);
  void remove_header(std::string_view name);
  // "path?query" (or just path), as it goes on the request line.
  [[nodiscard]] std::string target() const;
};

// Splits "path?query" into Request::path / Request::query.
void split_target(std::string_view target, std::string& path, std::string& query);

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
};

struct SigningParams {
  std::string region;
  std::string service;
  std::chrono::system_clock::time_point time;  // signing time (already skew-corrected by the caller)
  bool normalize_path = true;      // remove "." / ".." segments and duplicate slashes (false for S3)
  bool double_encode_path = true;  // URI-encode the already-encoded path (every service except S3)
  bool sign_body = false;          // add and sign x-amz-content-sha256 (header form only)
  bool omit_session_token = false; // add the token after signing, unsigned (a few services want that)
  std::chrono::seconds expires{3600};  // query (presign) form only
};

// Everything the signer computed; exposed so tests and servers can compare step by step.
struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;         // lower-case hex
  std::string signed_headers;    // "host;x-amz-date"
  std::string credential_scope;  // "20150830/us-east-1/service/aws4_request"
  std::string authorization;     // header form only: value of the Authorization header
};

using Digest = std::array<std::uint8_t, 32>;

// ---- Primitives ----
[[nodiscard]] std::string hex_encode(const std::uint8_t* data, std::size_t size);
[[nodiscard]] std::string hex_encode(const Digest& digest);
[[nodiscard]] Digest sha256(std::string_view data);
[[nodiscard]] std::string sha256_hex(std::string_view data);
[[nodiscard]] Digest hmac_sha256(std::string_view key, std::string_view data);

// "20150830T123600Z" for a time point; and back (nullopt if malformed).
[[nodiscard]] std::string format_amz_date(std::chrono::system_clock::time_point t);
[[nodiscard]] std::optional<std::chrono::system_clock::time_point> parse_amz_date(std::string_view s);

// RFC 3986 percent-encoding of everything but unreserved characters (A-Z a-z 0-9 - . _ ~);
// '/' is kept when encode_slash is false.
[[nodiscard]] std::string uri_encode(std::string_view s, bool encode_slash);
// Decodes %XX sequences (invalid sequences are kept literally).
[[nodiscard]] std::string uri_decode(std::string_view s);

[[nodiscard]] std::string canonical_uri(std::string_view raw_path, bool normalize, bool double_encode);
// Decodes then re-encodes each parameter and sorts by (name, value).
[[nodiscard]] std::string canonical_query(std::string_view raw_query);
// Trims and collapses runs of whitespace (including folded continuation lines) to one space.
[[nodiscard]] std::string canonical_header_value(std::string_view value);

// Canonical request over the given signed header names (lower-case; sorted here).
// Headers with the same name are joined with ',' in wire order.
[[nodiscard]] std::string canonical_request(const Request& req, std::vector<std::string> signed_header_names,
                                            std::string_view payload_hash, bool normalize_path = true,
                                            bool double_encode_path = true);
// Lower-case, sorted, de-duplicated names of every header the header-form signer signs
// (all headers except hop-by-hop/unstable ones such as user-agent, authorization, expect).
[[nodiscard]] std::vector<std::string> default_signed_header_names(const Request& req);

[[nodiscard]] std::string credential_scope(std::string_view date8, std::string_view region,
                                           std::string_view service);
[[nodiscard]] std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                                         std::string_view canonical_request);
// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request")
[[nodiscard]] Digest derive_signing_key(std::string_view secret_access_key, std::string_view date8,
                                        std::string_view region, std::string_view service);
[[nodiscard]] std::string compute_signature(const Digest& signing_key, std::string_view string_to_sign);

// Caches derived signing keys per (access key, secret, day, region, service): derivation is four
// HMACs and the key only changes once a day. Bounded; not thread-safe (one io_context thread).
class SigningKeyCache {
 public:
  explicit SigningKeyCache(std::size_t max_entries = 32) : max_entries_(max_entries) {}
  [[nodiscard]] const Digest& get(std::string_view access_key_id, std::string_view secret_access_key,
                                  std::string_view date8, std::string_view region, std::string_view service);
  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] std::uint64_t derivations_for_test() const { return derivations_; }

 private:
  struct Entry {
    std::string secret;  // compared on lookup so rotated secrets never reuse a stale key
    Digest key{};
  };
  using Key = std::tuple<std::string, std::string, std::string, std::string>;  // akid, date, region, service
  std::size_t max_entries_;
  std::map<Key, Entry> entries_;
  std::uint64_t derivations_ = 0;
};

// Header form: sets X-Amz-Date, X-Amz-Security-Token (if any), x-amz-content-sha256 (if sign_body)
// and Authorization on `req`. Signs every header present (see default_signed_header_names).
SigningResult sign_request(Request& req, const Credentials& creds, const SigningParams& params,
                           SigningKeyCache* cache = nullptr);

// Query (presigned URL) form: appends X-Amz-Algorithm, -Credential, -Date, -SignedHeaders, -Expires,
// -Security-Token and -Signature to req.query. Headers are left unchanged.
SigningResult presign_request(Request& req, const Credentials& creds, const SigningParams& params,
                              SigningKeyCache* cache = nullptr);

// ---- Server side ----
struct ParsedAuthorization {
  std::string access_key_id;
  std::string date;      // yyyymmdd from the credential scope
  std::string region;
  std::string service;
  std::string terminator;  // must be "aws4_request"
  std::vector<std::string> signed_headers;  // as listed (lower-case, ';'-separated on the wire)
  std::string signature;                     // hex
  [[nodiscard]] std::string scope() const;
};

// Parses "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=..." (any order of the three parts, optional spaces).
[[nodiscard]] std::optional<ParsedAuthorization> parse_authorization_header(std::string_view value);

// Timing-safe comparison (length leaks, content does not).
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b);

enum class VerifyStatus {
  ok,
  missing_authorization,
  malformed_authorization,
  missing_date,          // no X-Amz-Date (or Date) header
  scope_date_mismatch,   // credential scope day != X-Amz-Date day
  unsigned_required_header,  // host (or x-amz-date) not in SignedHeaders
  signature_mismatch,
  payload_hash_mismatch,  // x-amz-content-sha256 does not match the received body
};
[[nodiscard]] std::string_view to_string(VerifyStatus s);

struct VerifyResult {
  VerifyStatus status = VerifyStatus::malformed_authorization;
  ParsedAuthorization authorization;           // filled once parsed
  std::optional<std::chrono::system_clock::time_point> request_time;  // from X-Amz-Date, for skew checks
  std::string canonical_request;               // what the server computed (AWS returns it in errors)
  std::string string_to_sign;
  [[nodiscard]] bool ok() const { return status == VerifyStatus::ok; }
};

// Recomputes the header-form signature of an incoming request with the secret for
// authorization.access_key_id and compares in constant time. The payload hash is the
// x-amz-content-sha256 header if present, otherwise sha256(body). The caller looks up the
// secret (parse_authorization_header first) and checks clock skew against request_time.
[[nodiscard]] VerifyResult verify_request(const Request& req, std::string_view secret_access_key,
                                          bool normalize_path = true);

}  // namespace berth::aws::sigv4
