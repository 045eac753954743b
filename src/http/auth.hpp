// File: src/http/auth.hpp — does an Authorization header carry berth's API token (api.auth_token)?
//
// Two forms are accepted, both compared in constant time:
//   Authorization: Bearer TOKEN             (berth's own clients, the CLI, curl -H)
//   Authorization: Basic base64(USER:TOKEN) (any user name: Marathon and Chronos clients only speak HTTP Basic,
//                                            e.g. `curl -u marathon:TOKEN`, marathon-client's credentials)
#pragma once

#include <string>
#include <string_view>

namespace berth::http {

bool credentials_match(std::string_view authorization_header, const std::string& token);

}  // namespace berth::http
