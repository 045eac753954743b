// File: src/aws/sigv4.cpp — AWS Signature Version 4 signing and verification (OpenSSL + std only).
#include "aws/sigv4.hpp"

#include "aws/civil_time.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstdio>
#include <utility>

namespace berth::aws::sigv4 {
namespace {

char to_lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower_ascii(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower_ascii(a[i]) != to_lower_ascii(b[i])) return false;
  return true;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Headers the signer never signs: they are added or rewritten by proxies and HTTP stacks
// after signing (same list as the AWS SDKs' skip lists).
bool is_unsigned_header(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "user-agent" || lower_name == "x-amzn-trace-id" ||
         lower_name == "expect" || lower_name == "connection" || lower_name == "transfer-encoding" ||
         lower_name == "proxy-authorization" || lower_name == "te" || lower_name == "upgrade" ||
         lower_name == "keep-alive";
}

std::string date8_of(std::string_view amz_date) { return std::string(amz_date.substr(0, 8)); }

const Digest& signing_key_for(const Credentials& creds, std::string_view date8, const SigningParams& params,
                              SigningKeyCache* cache, Digest& storage) {
  if (cache != nullptr)
    return cache->get(creds.access_key_id, creds.secret_access_key, date8, params.region, params.service);
  storage = derive_signing_key(creds.secret_access_key, date8, params.region, params.service);
  return storage;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ';';
    out += n;
  }
  return out;
}

}  // namespace

// ---- Request ----

const std::string* Request::find_header(std::string_view name) const {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return &h.value;
  return nullptr;
}

void Request::set_header(std::string_view name, std::string value) {
  auto it = std::find_if(headers.begin(), headers.end(), [&](const Header& h) { return iequals(h.name, name); });
  if (it == headers.end()) {
    headers.push_back(Header{std::string(name), std::move(value)});
    return;
  }
  it->value = std::move(value);
  auto rest = std::remove_if(std::next(it), headers.end(), [&](const Header& h) { return iequals(h.name, name); });
  headers.erase(rest, headers.end());
}

void Request::remove_header(std::string_view name) {
  auto rest = std::remove_if(headers.begin(), headers.end(), [&](const Header& h) { return iequals(h.name, name); });
  headers.erase(rest, headers.end());
}

std::string Request::target() const { return query.empty() ? path : path + "?" + query; }

void split_target(std::string_view target, std::string& path, std::string& query) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) {
    path.assign(target);
    query.clear();
  } else {
    path.assign(target.substr(0, q));
    query.assign(target.substr(q + 1));
  }
}

// ---- Primitives ----

std::string hex_encode(const std::uint8_t* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 0x0f];
  }
  return out;
}

std::string hex_encode(const Digest& digest) { return hex_encode(digest.data(), digest.size()); }

Digest sha256(std::string_view data) {
  Digest out{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

std::string sha256_hex(std::string_view data) { return hex_encode(sha256(data)); }

Digest hmac_sha256(std::string_view key, std::string_view data) {
  Digest out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out.data(), &len);
  return out;
}

std::string format_amz_date(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto secs = duration_cast<seconds>(t.time_since_epoch()).count();
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // civil_from_days
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld%02u%02uT%02lld%02lld%02lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(rem / 3600), static_cast<long long>((rem / 60) % 60),
                static_cast<long long>(rem % 60));
  return buf;
}

std::optional<std::chrono::system_clock::time_point> parse_amz_date(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!read_digits(s, 0, 4, y) || !read_digits(s, 4, 2, mo) || !read_digits(s, 6, 2, d) || !read_digits(s, 9, 2, h) ||
      !read_digits(s, 11, 2, mi) || !read_digits(s, 13, 2, se))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return std::chrono::system_clock::time_point{} + std::chrono::seconds(days * 86400 + h * 3600 + mi * 60 + se);
}

std::string uri_encode(std::string_view s, bool encode_slash) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c) || (c == '/' && !encode_slash)) {
      out += ch;
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 0x0f];
    }
  }
  return out;
}

std::string uri_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::string canonical_uri(std::string_view raw_path, bool normalize, bool double_encode) {
  std::string path(raw_path.empty() ? std::string_view("/") : raw_path);
  if (normalize) {
    // RFC 3986 dot-segment removal plus collapsing empty segments, as the AWS SDKs do.
    std::vector<std::string_view> segments;
    std::string_view rest(path);
    while (!rest.empty()) {
      const auto slash = rest.find('/');
      const auto seg = rest.substr(0, slash);
      rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
      if (seg.empty() || seg == ".") continue;
      if (seg == "..") {
        if (!segments.empty()) segments.pop_back();
        continue;
      }
      segments.push_back(seg);
    }
    std::string out = "/";
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (i > 0) out += '/';
      out += segments[i];
    }
    if (!segments.empty() && path.back() == '/') out += '/';
    path = std::move(out);
  }
  if (double_encode) return uri_encode(path, false);
  // Single encoding: the path is assumed already encoded; encode only what must be (decode first).
  return uri_encode(uri_decode(path), false);
}

std::string canonical_query(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> params;
  std::string_view rest = raw_query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto part = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (part.empty()) continue;
    const auto eq = part.find('=');
    const auto name = part.substr(0, eq);
    const auto value = eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
    params.emplace_back(uri_encode(uri_decode(name), true), uri_encode(uri_decode(value), true));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

std::string canonical_header_value(std::string_view value) {
  value = trim(value);
  std::string out;
  out.reserve(value.size());
  bool in_space = false;
  for (char c : value) {
    if (is_space(c)) {
      in_space = true;
      continue;
    }
    if (in_space) out += ' ';
    in_space = false;
    out += c;
  }
  return out;
}

std::string canonical_request(const Request& req, std::vector<std::string> signed_header_names,
                              std::string_view payload_hash, bool normalize_path, bool double_encode_path) {
  for (auto& n : signed_header_names) n = to_lower(n);
  std::sort(signed_header_names.begin(), signed_header_names.end());
  signed_header_names.erase(std::unique(signed_header_names.begin(), signed_header_names.end()),
                            signed_header_names.end());

  std::string out;
  out.reserve(256 + req.body.size() / 8);
  out += req.method;
  out += '\n';
  out += canonical_uri(req.path, normalize_path, double_encode_path);
  out += '\n';
  out += canonical_query(req.query);
  out += '\n';
  for (const auto& name : signed_header_names) {
    out += name;
    out += ':';
    bool first = true;
    for (const auto& h : req.headers) {
      if (!iequals(h.name, name)) continue;
      if (!first) out += ',';
      first = false;
      out += canonical_header_value(h.value);
    }
    out += '\n';
  }
  out += '\n';
  out += join_names(signed_header_names);
  out += '\n';
  out += payload_hash;
  return out;
}

std::vector<std::string> default_signed_header_names(const Request& req) {
  std::vector<std::string> names;
  for (const auto& h : req.headers) {
    auto lower = to_lower(h.name);
    if (!is_unsigned_header(lower)) names.push_back(std::move(lower));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string credential_scope(std::string_view date8, std::string_view region, std::string_view service) {
  std::string out;
  out.reserve(date8.size() + region.size() + service.size() + 16);
  out.append(date8).append("/").append(region).append("/").append(service).append("/").append(scope_terminator);
  return out;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope, std::string_view canonical_req) {
  std::string out;
  out.append(algorithm).append("\n").append(amz_date).append("\n").append(scope).append("\n");
  out += sha256_hex(canonical_req);
  return out;
}

Digest derive_signing_key(std::string_view secret_access_key, std::string_view date8, std::string_view region,
                          std::string_view service) {
  std::string k_secret = "AWS4";
  k_secret.append(secret_access_key);
  const Digest k_date = hmac_sha256(k_secret, date8);
  // Overwrite the copy of the secret before it is freed.
  std::fill(k_secret.begin(), k_secret.end(), '\0');
  const auto as_view = [](const Digest& d) {
    return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
  };
  const Digest k_region = hmac_sha256(as_view(k_date), region);
  const Digest k_service = hmac_sha256(as_view(k_region), service);
  return hmac_sha256(as_view(k_service), scope_terminator);
}

std::string compute_signature(const Digest& signing_key, std::string_view sts) {
  return hex_encode(
      hmac_sha256(std::string_view(reinterpret_cast<const char*>(signing_key.data()), signing_key.size()), sts));
}

const Digest& SigningKeyCache::get(std::string_view access_key_id, std::string_view secret_access_key,
                                   std::string_view date8, std::string_view region, std::string_view service) {
  Key key{std::string(access_key_id), std::string(date8), std::string(region), std::string(service)};
  auto it = entries_.find(key);
  if (it != entries_.end() && constant_time_equal(it->second.secret, secret_access_key)) return it->second.key;
  if (it == entries_.end() && entries_.size() >= max_entries_) entries_.clear();  // days roll over; keep it simple
  Entry entry{std::string(secret_access_key), derive_signing_key(secret_access_key, date8, region, service)};
  ++derivations_;
  auto [pos, inserted] = entries_.insert_or_assign(std::move(key), std::move(entry));
  (void)inserted;
  return pos->second.key;
}

SigningResult sign_request(Request& req, const Credentials& creds, const SigningParams& params,
                           SigningKeyCache* cache) {
  const std::string amz_date = format_amz_date(params.time);
  const std::string date8 = date8_of(amz_date);
  req.remove_header("authorization");
  req.set_header("X-Amz-Date", amz_date);
  const bool add_token = !creds.session_token.empty();
  if (add_token && !params.omit_session_token) req.set_header("X-Amz-Security-Token", creds.session_token);
  std::string payload_hash = sha256_hex(req.body);
  if (params.sign_body) req.set_header("x-amz-content-sha256", payload_hash);

  SigningResult r;
  const auto names = default_signed_header_names(req);
  r.signed_headers = join_names(names);
  r.canonical_request = canonical_request(req, names, payload_hash, params.normalize_path, params.double_encode_path);
  r.credential_scope = credential_scope(date8, params.region, params.service);
  r.string_to_sign = string_to_sign(amz_date, r.credential_scope, r.canonical_request);
  Digest storage{};
  r.signature = compute_signature(signing_key_for(creds, date8, params, cache, storage), r.string_to_sign);
  r.authorization = std::string(algorithm) + " Credential=" + creds.access_key_id + "/" + r.credential_scope +
                    ", SignedHeaders=" + r.signed_headers + ", Signature=" + r.signature;
  if (add_token && params.omit_session_token) req.set_header("X-Amz-Security-Token", creds.session_token);
  req.set_header("Authorization", r.authorization);
  return r;
}

SigningResult presign_request(Request& req, const Credentials& creds, const SigningParams& params,
                              SigningKeyCache* cache) {
  const std::string amz_date = format_amz_date(params.time);
  const std::string date8 = date8_of(amz_date);
  SigningResult r;
  r.credential_scope = credential_scope(date8, params.region, params.service);
  const auto names = default_signed_header_names(req);
  r.signed_headers = join_names(names);

  // Order matches the AWS SDKs' presigned URLs; the canonical form sorts anyway.
  std::string added = "X-Amz-Algorithm=" + std::string(algorithm);
  added += "&X-Amz-Credential=" + uri_encode(creds.access_key_id + "/" + r.credential_scope, true);
  added += "&X-Amz-Date=" + amz_date;
  added += "&X-Amz-SignedHeaders=" + uri_encode(r.signed_headers, true);
  added += "&X-Amz-Expires=" + std::to_string(params.expires.count());
  const std::string token_param =
      creds.session_token.empty() ? std::string{} : "&X-Amz-Security-Token=" + uri_encode(creds.session_token, true);
  if (!params.omit_session_token) added += token_param;

  std::string query = req.query;
  if (!query.empty()) query += '&';
  query += added;
  Request to_sign = req;
  to_sign.query = query;

  std::string payload_hash = sha256_hex(req.body);
  r.canonical_request =
      canonical_request(to_sign, names, payload_hash, params.normalize_path, params.double_encode_path);
  r.string_to_sign = string_to_sign(amz_date, r.credential_scope, r.canonical_request);
  Digest storage{};
  r.signature = compute_signature(signing_key_for(creds, date8, params, cache, storage), r.string_to_sign);
  if (params.omit_session_token) query += token_param;
  query += "&X-Amz-Signature=" + r.signature;
  req.query = std::move(query);
  return r;
}

// ---- Server side ----

std::string ParsedAuthorization::scope() const { return credential_scope(date, region, service); }

std::optional<ParsedAuthorization> parse_authorization_header(std::string_view value) {
  value = trim(value);
  if (value.substr(0, algorithm.size()) != algorithm) return std::nullopt;
  value.remove_prefix(algorithm.size());
  if (value.empty() || !is_space(value.front())) return std::nullopt;

  ParsedAuthorization out;
  bool have_cred = false, have_signed = false, have_sig = false;
  while (!value.empty()) {
    const auto comma = value.find(',');
    const auto part = trim(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const auto key = trim(part.substr(0, eq));
    const auto val = trim(part.substr(eq + 1));
    if (key == "Credential" && !have_cred) {
      // AKID/date/region/service/aws4_request; the access key itself never contains '/'.
      std::vector<std::string_view> pieces;
      std::string_view rest = val;
      while (true) {
        const auto slash = rest.find('/');
        pieces.push_back(rest.substr(0, slash));
        if (slash == std::string_view::npos) break;
        rest = rest.substr(slash + 1);
      }
      if (pieces.size() != 5) return std::nullopt;
      for (const auto& p : pieces)
        if (p.empty()) return std::nullopt;
      out.access_key_id = pieces[0];
      out.date = pieces[1];
      out.region = pieces[2];
      out.service = pieces[3];
      out.terminator = pieces[4];
      if (out.date.size() != 8 || out.terminator != scope_terminator) return std::nullopt;
      have_cred = true;
    } else if (key == "SignedHeaders" && !have_signed) {
      std::string_view rest = val;
      while (!rest.empty()) {
        const auto semi = rest.find(';');
        const auto name = rest.substr(0, semi);
        if (name.empty()) return std::nullopt;
        out.signed_headers.emplace_back(name);
        rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      }
      if (out.signed_headers.empty()) return std::nullopt;
      have_signed = true;
    } else if (key == "Signature" && !have_sig) {
      if (val.size() != 64) return std::nullopt;
      for (char c : val)
        if (hex_value(c) < 0) return std::nullopt;
      out.signature = val;
      have_sig = true;
    } else {
      return std::nullopt;
    }
  }
  if (!have_cred || !have_signed || !have_sig) return std::nullopt;
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string_view to_string(VerifyStatus s) {
  switch (s) {
    case VerifyStatus::ok: return "ok";
    case VerifyStatus::missing_authorization: return "missing_authorization";
    case VerifyStatus::malformed_authorization: return "malformed_authorization";
    case VerifyStatus::missing_date: return "missing_date";
    case VerifyStatus::scope_date_mismatch: return "scope_date_mismatch";
    case VerifyStatus::unsigned_required_header: return "unsigned_required_header";
    case VerifyStatus::signature_mismatch: return "signature_mismatch";
    case VerifyStatus::payload_hash_mismatch: return "payload_hash_mismatch";
  }
  return "unknown";
}

VerifyResult verify_request(const Request& req, std::string_view secret_access_key, bool normalize_path) {
  VerifyResult r;
  const std::string* auth = req.find_header("authorization");
  if (auth == nullptr) {
    r.status = VerifyStatus::missing_authorization;
    return r;
  }
  auto parsed = parse_authorization_header(*auth);
  if (!parsed) {
    r.status = VerifyStatus::malformed_authorization;
    return r;
  }
  r.authorization = std::move(*parsed);
  const std::string* amz_date = req.find_header("x-amz-date");
  if (amz_date == nullptr || !(r.request_time = parse_amz_date(trim(*amz_date)))) {
    r.status = VerifyStatus::missing_date;
    return r;
  }
  const std::string date_value(trim(*amz_date));
  if (date_value.substr(0, 8) != r.authorization.date) {
    r.status = VerifyStatus::scope_date_mismatch;
    return r;
  }
  const auto& signed_names = r.authorization.signed_headers;
  const auto has = [&](std::string_view n) {
    return std::any_of(signed_names.begin(), signed_names.end(), [&](const std::string& s) { return iequals(s, n); });
  };
  if (!has("host") || !has("x-amz-date")) {
    r.status = VerifyStatus::unsigned_required_header;
    return r;
  }
  const std::string* content_sha = req.find_header("x-amz-content-sha256");
  const std::string payload_hash = content_sha != nullptr ? std::string(trim(*content_sha)) : sha256_hex(req.body);
  // A declared body hash must match the body actually received (unless explicitly unsigned).
  if (content_sha != nullptr && payload_hash != "UNSIGNED-PAYLOAD" && payload_hash != sha256_hex(req.body)) {
    r.status = VerifyStatus::payload_hash_mismatch;
    return r;
  }
  r.canonical_request = canonical_request(req, signed_names, payload_hash, normalize_path, true);
  r.string_to_sign = string_to_sign(date_value, r.authorization.scope(), r.canonical_request);
  const Digest key = derive_signing_key(secret_access_key, r.authorization.date, r.authorization.region,
                                        r.authorization.service);
  const std::string expected = compute_signature(key, r.string_to_sign);
  r.status = constant_time_equal(expected, to_lower(r.authorization.signature)) ? VerifyStatus::ok
                                                                                 : VerifyStatus::signature_mismatch;
  return r;
}

}  // namespace berth::aws::sigv4
