// File: tests/support/temp_dir.cpp — mkdtemp-based temporary folders for tests.
#include "temp_dir.hpp"

#include <stdlib.h>

#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace berth::testing {

TempDir::TempDir(const std::string& prefix) {
  // temp_directory_path() honours $TMPDIR; mkdtemp picks a name nobody else has.
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  if (std::getenv("BERTH_TEST_KEEP") != nullptr || std::getenv("BERTH_E2E_KEEP") != nullptr) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace berth::testing
