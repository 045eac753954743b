// File: tests/support/temp_dir.hpp — test support: a fresh folder under $TMPDIR (or /tmp), removed on destruction.
#pragma once

#include <filesystem>
#include <string>

namespace berth::testing {

// mkdtemp("<TMPDIR>/<prefix>-XXXXXX"). The folder and everything in it is removed by the destructor unless
// BERTH_TEST_KEEP (or BERTH_E2E_KEEP) is set in the environment, so a failed run can be inspected.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "berth-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace berth::testing
