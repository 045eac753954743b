// File: tests/support/swagger_check.hpp — validates recorded API answers against a Swagger 2.0 file (Blox's
// daemon-scheduler and cluster-state-service swaggers in tests/testdata/blox), so compatibility tests check the
// other system's schema rather than hand-copied field lists.
//
// Record each exchange as it happens, then check them all at once (one python3-jsonschema run per check):
//   SwaggerCheck blox(testdata("blox/daemon-scheduler-swagger.json"));
//   blox.record("get", "/environments/{name}", status, body_json);
//   EXPECT_EQ(blox.errors(), std::vector<std::string>{});
#pragma once

#include <boost/json/value.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace berth::testing {

class SwaggerCheck {
 public:
  explicit SwaggerCheck(std::filesystem::path swagger);

  // `path` is the swagger's path key without its basePath ("/environments/{name}"); `body` null when empty.
  // `label` (optional) prefixes any error about this exchange.
  void record(std::string method, std::string path, unsigned status, boost::json::value body,
              std::string label = {});
  // Parses `body` as JSON (a body that is not JSON is recorded as a string).
  void record_text(std::string method, std::string path, unsigned status, const std::string& body,
                   std::string label = {});

  std::size_t recorded() const { return exchanges_.size(); }
  // Every violation ("GET /environments/{name} -> 200: health: 'health' is a required property"), or one
  // error naming the failure when the validator could not run. Empty when everything conforms.
  std::vector<std::string> errors() const;

 private:
  std::filesystem::path swagger_;
  std::vector<boost::json::value> exchanges_;
};

}  // namespace berth::testing
