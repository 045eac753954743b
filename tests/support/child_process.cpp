// File: tests/support/child_process.cpp — fork/exec with a first-line handshake on stdout, and child shutdown.
#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

namespace berth::testing {

SpawnedChild spawn_announcing(const std::vector<std::string>& argv, const std::filesystem::path& stderr_path,
                              std::chrono::milliseconds timeout) {
  if (argv.empty()) throw std::runtime_error("spawn_announcing: empty argv");
  // Close-on-exec everywhere: dup2 onto stdout/stderr clears the flag for the child's own copies, and no other
  // child started later inherits these descriptors.
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  int log_fd = stderr_path.empty() ? -1 : ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (!stderr_path.empty() && log_fd < 0) {
    close(fds[0]);
    close(fds[1]);
    throw std::runtime_error("cannot open " + stderr_path.string());
  }
  std::vector<std::string> args = argv;
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);

  SpawnedChild child;
  child.pid = fork();
  if (child.pid < 0) {
    close(fds[0]);
    close(fds[1]);
    if (log_fd >= 0) close(log_fd);
    throw std::runtime_error("fork failed");
  }
  if (child.pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
    dup2(fds[1], STDOUT_FILENO);
    if (log_fd >= 0) dup2(log_fd, STDERR_FILENO);
    execv(cargs[0], cargs.data());
    _exit(127);
  }
  close(fds[1]);
  if (log_fd >= 0) close(log_fd);

  // The announcement is one short line: read until its newline, EOF (the child died) or the deadline.
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (line.find('\n') == std::string::npos && line.size() < 64 * 1024) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fds[0], POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[1024];
    auto n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  if (line.find('\n') == std::string::npos) {
    kill_child(child.pid);
    throw std::runtime_error(argv[0] + " did not announce itself within " + std::to_string(timeout.count()) + " ms");
  }
  line.resize(line.find('\n'));
  child.first_line = std::move(line);
  return child;
}

int exit_code_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

int terminate_child(pid_t pid, std::chrono::milliseconds timeout) {
  if (pid <= 0) return -1;
  ::kill(pid, SIGTERM);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) return exit_code_of(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return exit_code_of(status);
}

void kill_child(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

bool child_exited(pid_t pid) {
  if (pid <= 0) return true;
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == pid;
}

}  // namespace berth::testing
