// File: tests/support/child_process.hpp — test support: fork/exec of a server binary that announces itself with one
// JSON line on stdout, and the signals and waits to end it. Blocking; for tests and benchmarks only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace berth::testing {

struct SpawnedChild {
  pid_t pid = -1;
  std::string first_line;  // the child's first stdout line, without the newline
};

// Starts argv[0] with `argv` (stdout piped to us, stderr appended to `stderr_path` or, when it is empty, shared
// with the test process; SIGKILL when the test process dies) and waits up to `timeout` for its first stdout line; its later stdout is discarded. When no line comes in
// time, the child is SIGKILLed and reaped and std::runtime_error is thrown (so is a failed pipe/open/fork).
SpawnedChild spawn_announcing(const std::vector<std::string>& argv, const std::filesystem::path& stderr_path,
                              std::chrono::milliseconds timeout);

// The exit code from a waitpid() status: WEXITSTATUS, or 128 + signal when a signal ended it.
int exit_code_of(int wait_status);

// SIGTERM, then waits up to `timeout` (SIGKILL after it); reaps the child and returns exit_code_of its status.
int terminate_child(pid_t pid, std::chrono::milliseconds timeout);

// SIGKILL and reap: a crash, no shutdown code runs.
void kill_child(pid_t pid);

// True once the child has exited (it is then reaped: do not wait for it again).
bool child_exited(pid_t pid);

}  // namespace berth::testing
