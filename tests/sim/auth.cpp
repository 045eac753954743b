// File: tests/sim/auth.cpp — parses and checks SigV4 Authorization headers of requests to the sim.
#include "auth.hpp"

#include <cstdlib>
#include <ctime>

#ifdef BERTH_SIM_HAVE_SIGV4
#include "aws/sigv4.hpp"
#endif

namespace berth::sim {
namespace http = boost::beast::http;

std::optional<ParsedAuthorization> parse_authorization(const std::string& h) {
  static const std::string scheme = "AWS4-HMAC-SHA256 ";
  if (h.rfind(scheme, 0) != 0) return std::nullopt;
  ParsedAuthorization out;
  std::string credential;
  std::size_t pos = scheme.size();
  while (pos < h.size()) {
    while (pos < h.size() && (h[pos] == ' ' || h[pos] == ',')) ++pos;
    auto eq = h.find('=', pos);
    if (eq == std::string::npos) break;
    auto end = h.find(',', eq);
    std::string key = h.substr(pos, eq - pos);
    std::string val = h.substr(eq + 1, end == std::string::npos ? std::string::npos : end - eq - 1);
    while (!val.empty() && val.back() == ' ') val.pop_back();
    if (key == "Credential") credential = val;
    else if (key == "SignedHeaders") out.signed_headers = val;
    else if (key == "Signature") out.signature = val;
    pos = end == std::string::npos ? h.size() : end + 1;
  }
  // Credential = key/date/region/service/aws4_request
  std::string parts[5];
  std::size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    auto slash = credential.find('/', start);
    if (i < 4 && slash == std::string::npos) return std::nullopt;
    parts[i] = credential.substr(start, i < 4 ? slash - start : std::string::npos);
    start = slash + 1;
  }
  if (parts[4] != "aws4_request" || out.signed_headers.empty() || out.signature.empty()) return std::nullopt;
  out.access_key = parts[0];
  out.date = parts[1];
  out.region = parts[2];
  out.service = parts[3];
  return out;
}

namespace {
// "20150830T123600Z" -> epoch seconds; nullopt when malformed.
std::optional<std::time_t> parse_amz_date(const std::string& s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  std::tm tm{};
  auto num = [&](std::size_t at, std::size_t n) { return std::atoi(s.substr(at, n).c_str()); };
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  return timegm(&tm);
}
}  // namespace

bool signature_verification_available() {
#ifdef BERTH_SIM_HAVE_SIGV4
  return true;
#else
  return false;
#endif
}

std::optional<ApiError> check_sigv4(const http::request<http::string_body>& req, const std::string& access_key,
                                    const std::string& secret_key, const std::string& region,
                                    const std::string& service) {
  const bool sqs = service == "sqs";
  std::string header(req[http::field::authorization]);
  if (header.empty())
    return ApiError{sqs ? "MissingAuthenticationToken" : "MissingAuthenticationTokenException",
                    "Missing Authentication Token", 403};
  auto auth = parse_authorization(header);
  if (!auth)
    return ApiError{"IncompleteSignatureException",
                    "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.", 403};
  if (auth->access_key != access_key)
    return ApiError{sqs ? "InvalidClientTokenId" : "UnrecognizedClientException",
                    "The security token included in the request is invalid.", 403};
  std::string amz_date(req["X-Amz-Date"]);
  auto when = parse_amz_date(amz_date);
  if (!when) return ApiError{"IncompleteSignatureException", "X-Amz-Date is missing or malformed.", 403};
  const auto now = std::time(nullptr);
  if (std::labs(static_cast<long>(now - *when)) > 300)
    return ApiError{"RequestTimeTooSkewed",
                    "The difference between the request time and the current time is too large.", 403};
  if (auth->date != amz_date.substr(0, 8) || auth->region != region || auth->service != service)
    return ApiError{sqs ? "SignatureDoesNotMatch" : "InvalidSignatureException",
                    "Credential should be scoped to a valid region and service.", 403};
#ifdef BERTH_SIM_HAVE_SIGV4
  // Recompute the signature over the request exactly as received.
  namespace v4 = berth::aws::sigv4;
  v4::Request wire;
  wire.method = std::string(req.method_string());
  v4::split_target(req.target(), wire.path, wire.query);
  for (const auto& f : req) wire.headers.push_back(v4::Header{std::string(f.name_string()), std::string(f.value())});
  wire.body = req.body();
  auto verdict = v4::verify_request(wire, secret_key);
  if (!verdict.ok()) {
    if (verdict.status == v4::VerifyStatus::signature_mismatch)
      return ApiError{sqs ? "SignatureDoesNotMatch" : "InvalidSignatureException",
                      "The request signature we calculated does not match the signature you provided. Check your "
                      "AWS Secret Access Key and signing method. Consult the service documentation for details.",
                      403};
    return ApiError{"IncompleteSignatureException", std::string(v4::to_string(verdict.status)), 403};
  }
#else
  (void)secret_key;  // Built without berth_sigv4: only the header, key, scope and skew are checked.
#endif
  return std::nullopt;
}

}  // namespace berth::sim
