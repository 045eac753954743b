// File: tests/support/http_call.hpp — test support: one blocking HTTP/1.1 exchange with a server on 127.0.0.1.
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace berth::testing {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpResult {
  unsigned status = 0;
  std::string body;
  HttpHeaders headers;
  std::string header(const std::string& name) const;  // case-insensitive; "" when absent
  boost::json::value json() const;                    // parsed body (throws on malformed JSON)
};

// Connects to 127.0.0.1:port, sends one request (Host set, Content-Length from `body`) and reads the answer
// (body up to 64 MiB). Connect, write and read together take at most `timeout`. A server may answer (e.g. 413)
// and close before reading a large body: when the write fails but an answer arrives, the answer is returned.
// Throws std::runtime_error when no answer comes.
HttpResult http_call(unsigned short port, const std::string& method, const std::string& target,
                     const std::string& body = {}, const HttpHeaders& headers = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace berth::testing
