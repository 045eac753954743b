// File: src/process/sd_notify.cpp — the sd_notify datagram protocol over an AF_UNIX SOCK_DGRAM socket.
#include "process/sd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

namespace berth::process {

namespace {

std::optional<long long> env_number(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  long long n = 0;
  std::string_view s(v);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

}  // namespace

SdNotifier SdNotifier::from_environment() {
  const char* path = std::getenv("NOTIFY_SOCKET");
  std::optional<std::chrono::microseconds> watchdog;
  auto usec = env_number("WATCHDOG_USEC");
  auto pid = env_number("WATCHDOG_PID");
  if (usec && *usec > 0 && (!pid || *pid == static_cast<long long>(getpid())))
    watchdog = std::chrono::microseconds(*usec);
  return SdNotifier(path ? path : "", watchdog);
}

SdNotifier::SdNotifier(std::string socket_path, std::optional<std::chrono::microseconds> watchdog_interval)
    : socket_path_(std::move(socket_path)), watchdog_(watchdog_interval) {
  if (socket_path_.empty()) watchdog_.reset();  // nobody to ping
}

SdNotifier::~SdNotifier() {
  if (fd_ >= 0) ::close(fd_);
}

SdNotifier::SdNotifier(SdNotifier&& other) noexcept
    : socket_path_(std::move(other.socket_path_)), watchdog_(other.watchdog_), fd_(other.fd_) {
  other.fd_ = -1;
  other.socket_path_.clear();
}

SdNotifier& SdNotifier::operator=(SdNotifier&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    socket_path_ = std::move(other.socket_path_);
    watchdog_ = other.watchdog_;
    fd_ = other.fd_;
    other.fd_ = -1;
    other.socket_path_.clear();
  }
  return *this;
}

boost::system::error_code SdNotifier::notify(std::string_view state) {
  using boost::system::error_code;
  if (!enabled()) return {};
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof(addr.sun_path) || (socket_path_[0] != '/' && socket_path_[0] != '@'))
    return error_code(EINVAL, boost::system::system_category());
  std::memcpy(addr.sun_path, socket_path_.data(), socket_path_.size());
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());
  if (fd_ < 0) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return error_code(errno, boost::system::system_category());
  }
  ssize_t n = ::sendto(fd_, state.data(), state.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                       reinterpret_cast<const sockaddr*>(&addr), len);
  if (n < 0) return error_code(errno, boost::system::system_category());
  return {};
}

boost::system::error_code SdNotifier::ready(std::string_view status) {
  std::string msg = "READY=1";
  if (!status.empty()) msg += "\nSTATUS=" + std::string(status);
  return notify(msg);
}

boost::system::error_code SdNotifier::reloading() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const long long usec = static_cast<long long>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
  return notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

boost::system::error_code SdNotifier::stopping() {
  return notify("STOPPING=1");
}

boost::system::error_code SdNotifier::watchdog() {
  return notify("WATCHDOG=1");
}

}  // namespace berth::process
