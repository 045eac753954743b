// File: src/http/auth.cpp — Bearer and Basic credentials against the API token.
#include "http/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cctype>
#include <vector>

namespace berth::http {

namespace {

bool equal_constant_time(std::string_view given, const std::string& token) {
  if (given.size() != token.size()) return false;
  return CRYPTO_memcmp(given.data(), token.data(), token.size()) == 0;
}

// The auth-scheme is case-insensitive (RFC 9110 11.1); one space separates it from the credentials.
bool strip_scheme(std::string_view& header, std::string_view scheme) {
  if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return false;
  }
  header.remove_prefix(scheme.size() + 1);
  return true;
}

// The password of "Basic base64(user:password)"; false when malformed.
bool basic_password(std::string_view encoded, std::string& password) {
  // Bounded: a token is short; a huge header is not worth decoding.
  if (encoded.empty() || encoded.size() > 1024 || encoded.size() % 4 != 0) return false;
  std::vector<unsigned char> decoded(encoded.size() / 4 * 3 + 1);
  const int n = EVP_DecodeBlock(decoded.data(), reinterpret_cast<const unsigned char*>(encoded.data()),
                                static_cast<int>(encoded.size()));
  if (n < 0) return false;
  // EVP_DecodeBlock counts '=' padding as zero bytes: drop them.
  std::size_t size = static_cast<std::size_t>(n);
  if (encoded.ends_with("==")) size -= 2;
  else if (encoded.ends_with("=")) size -= 1;
  std::string_view text(reinterpret_cast<const char*>(decoded.data()), size);
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  password.assign(text.substr(colon + 1));
  return true;
}

}  // namespace

bool credentials_match(std::string_view header, const std::string& token) {
  if (strip_scheme(header, "bearer")) return equal_constant_time(header, token);
  if (strip_scheme(header, "basic")) {
    std::string password;
    return basic_password(header, password) && equal_constant_time(password, token);
  }
  return false;
}

}  // namespace berth::http
