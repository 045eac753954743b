// File: tests/config/logging_test.cpp — module loggers follow logging::configure, whenever they were created.
#include "config/logging.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <fcntl.h>
#include <unistd.h>

namespace berth::logging {
namespace {

// Runs `fn` with stderr redirected to a file and returns what was written.
template <class Fn>
std::string capture_stderr(Fn fn) {
  char path[] = "/tmp/berth-logging-test-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  std::fflush(stderr);
  int saved = dup(STDERR_FILENO);
  dup2(fd, STDERR_FILENO);
  fn();
  std::fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fd);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  unlink(path);
  return ss.str();
}

TEST(Logging, LoggerCreatedAfterConfigureTakesLevelAndFormat) {
  configure({config::LogLevel::debug, config::LogFormat::json});
  auto out = capture_stderr([] { get("created-late")->debug("hello {}", 42); });
  EXPECT_NE(out.find(R"("level":"debug","logger":"created-late","msg":"hello 42"})"), std::string::npos) << out;
  configure({config::LogLevel::info, config::LogFormat::text});
}

TEST(Logging, ReconfigureChangesExistingLoggers) {
  configure({config::LogLevel::info, config::LogFormat::text});
  auto log = get("created-early");
  EXPECT_TRUE(capture_stderr([&] { log->debug("hidden"); }).empty());
  configure({config::LogLevel::debug, config::LogFormat::json});  // a SIGHUP reload
  auto out = capture_stderr([&] { log->debug("shown"); });
  EXPECT_NE(out.find(R"("logger":"created-early","msg":"shown")"), std::string::npos) << out;
  configure({config::LogLevel::warn, config::LogFormat::text});
  EXPECT_TRUE(capture_stderr([&] { log->info("hidden again"); }).empty());
  configure({config::LogLevel::info, config::LogFormat::text});
}

}  // namespace
}  // namespace berth::logging
