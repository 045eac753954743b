// File: tests/foundation/auth_test.cpp — which Authorization headers carry the API token (http/auth.hpp).
#include "http/auth.hpp"

#include <gtest/gtest.h>

namespace {

const std::string kToken = "0123456789abcdef";

struct Case {
  const char* header;
  bool accepted;
  const char* why;
};

TEST(CredentialsMatch, BearerAndBasicPasswordTable) {
  const Case cases[] = {
      {"Bearer 0123456789abcdef", true, "bearer token"},
      {"bearer 0123456789abcdef", true, "scheme is case-insensitive"},
      {"Bearer 0123456789abcdeX", false, "wrong token"},
      {"Bearer 0123456789abcde", false, "shorter token"},
      {"Bearer  0123456789abcdef", false, "two spaces"},
      {"Bearer", false, "no credentials"},
      {"", false, "no header"},
      {"Token 0123456789abcdef", false, "unknown scheme"},
      {"0123456789abcdef", false, "bare token"},
      {"Basic dTowMTIzNDU2Nzg5YWJjZGVm", true, "u:TOKEN"},
      {"BASIC dTowMTIzNDU2Nzg5YWJjZGVm", true, "scheme is case-insensitive"},
      {"Basic OjAxMjM0NTY3ODlhYmNkZWY=", true, "empty user, one '=' of padding"},
      {"Basic bWFyYXRob246MDEyMzQ1Njc4OWFiY2RlZg==", true, "marathon:TOKEN, two '=' of padding"},
      {"Basic MDEyMzQ1Njc4OWFiY2RlZg==", false, "token without a user and colon"},
      {"Basic dTowMTIzNDU2Nzg5YWJjZGVmOng=", false, "password TOKEN:x"},
      {"Basic dTowMTIzNDU2Nzg5YWJjZGV", false, "not a multiple of 4"},
      {"Basic !!!!", false, "not base64"},
      {"Basic ", false, "empty credentials"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(berth::http::credentials_match(c.header, kToken), c.accepted) << c.why << ": '" << c.header << "'";
  }
}

TEST(CredentialsMatch, OversizedBasicIsRefusedWithoutDecoding) {
  EXPECT_FALSE(berth::http::credentials_match("Basic " + std::string(4096, 'A'), kToken));
}

}  // namespace
