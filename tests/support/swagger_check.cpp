// File: tests/support/swagger_check.cpp — runs swagger_check.py (python3-jsonschema) over the recorded exchanges.
#include "swagger_check.hpp"

#include "temp_dir.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

namespace berth::testing {

namespace json = boost::json;

SwaggerCheck::SwaggerCheck(std::filesystem::path swagger) : swagger_(std::move(swagger)) {}

void SwaggerCheck::record(std::string method, std::string path, unsigned status, json::value body, std::string label) {
  exchanges_.push_back(json::object{{"method", std::move(method)},
                                    {"path", std::move(path)},
                                    {"status", status},
                                    {"body", std::move(body)},
                                    {"label", std::move(label)}});
}

void SwaggerCheck::record_text(std::string method, std::string path, unsigned status, const std::string& body,
                               std::string label) {
  std::error_code ec;
  json::value parsed = body.empty() ? json::value() : json::parse(body, ec);
  if (ec) parsed = json::string(body);
  record(std::move(method), std::move(path), status, std::move(parsed), std::move(label));
}

std::vector<std::string> SwaggerCheck::errors() const {
  TempDir dir;
  const auto input = dir.path() / "exchanges.json";
  {
    std::ofstream out(input);
    out << json::serialize(json::object{{"swagger", swagger_.string()}, {"exchanges", json::array(exchanges_.begin(), exchanges_.end())}});
  }
  const std::string command = "/usr/bin/python3 '" BERTH_SWAGGER_CHECK_PY "' < '" + input.string() + "' 2>&1";
  std::string output;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
    if (::pclose(pipe) != 0) return {"swagger_check.py failed: " + output};
  } else {
    return {"cannot run /usr/bin/python3"};
  }
  std::error_code ec;
  const json::value result = json::parse(output, ec);
  if (ec || !result.is_array()) return {"swagger_check.py printed no JSON array: " + output};
  std::vector<std::string> errors;
  for (const auto& e : result.as_array()) errors.emplace_back(e.is_string() ? e.as_string().c_str() : json::serialize(e));
  return errors;
}

}  // namespace berth::testing
