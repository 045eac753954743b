// File: tests/foundation/sd_notify_test.cpp — sd_notify datagrams received on a socket the test owns.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <gtest/gtest.h>

#include "process/sd_notify.hpp"

namespace {

using berth::process::SdNotifier;

// A SOCK_DGRAM socket bound to a path (or an abstract name starting with '@'), like systemd's notify socket.
class NotifySocket {
 public:
  explicit NotifySocket(std::string name) : name_(std::move(name)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name_.data(), name_.size());
    if (name_[0] == '@') addr.sun_path[0] = '\0';
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len), 0) << std::strerror(errno);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~NotifySocket() {
    ::close(fd_);
    if (name_[0] == '/') std::filesystem::remove(name_);
  }
  std::string receive() {
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n < 0 ? std::string("<timeout>") : std::string(buf, static_cast<std::size_t>(n));
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  int fd_ = -1;
};

std::string temp_socket_path() {
  return (std::filesystem::temp_directory_path() / ("berth-notify-" + std::to_string(::getpid()))).string();
}

TEST(SdNotify, SendsEachStateAsOneDatagram) {
  NotifySocket sock(temp_socket_path());
  SdNotifier n(sock.name(), std::chrono::microseconds(1000000));
  ASSERT_TRUE(n.enabled());
  EXPECT_FALSE(n.ready("serving on 127.0.0.1:2000"));
  EXPECT_EQ(sock.receive(), "READY=1\nSTATUS=serving on 127.0.0.1:2000");
  EXPECT_FALSE(n.reloading());
  std::string reloading = sock.receive();
  EXPECT_EQ(reloading.rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u) << reloading;
  EXPECT_GT(std::stoll(reloading.substr(reloading.find('=', 12) + 1)), 0);
  EXPECT_FALSE(n.watchdog());
  EXPECT_EQ(sock.receive(), "WATCHDOG=1");
  EXPECT_FALSE(n.stopping());
  EXPECT_EQ(sock.receive(), "STOPPING=1");
}

TEST(SdNotify, AbstractSocketNames) {
  NotifySocket sock("@berth-notify-test-" + std::to_string(::getpid()));
  SdNotifier n(sock.name(), std::nullopt);
  EXPECT_FALSE(n.ready());
  EXPECT_EQ(sock.receive(), "READY=1");
}

TEST(SdNotify, EnvironmentDecidesWhetherAndHowOftenToNotify) {
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
  auto off = SdNotifier::from_environment();
  EXPECT_FALSE(off.enabled());
  EXPECT_FALSE(off.ready());  // a no-op, not an error
  EXPECT_FALSE(off.watchdog_interval());

  ::setenv("NOTIFY_SOCKET", "/run/nonexistent/notify", 1);
  ::setenv("WATCHDOG_USEC", "2000000", 1);
  auto on = SdNotifier::from_environment();
  EXPECT_TRUE(on.enabled());
  EXPECT_EQ(on.watchdog_interval(), std::chrono::microseconds(2000000));
  EXPECT_TRUE(on.ready());  // the socket does not exist: reported, not thrown

  ::setenv("WATCHDOG_PID", "1", 1);  // the watchdog is meant for another process
  EXPECT_FALSE(SdNotifier::from_environment().watchdog_interval());
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  EXPECT_TRUE(SdNotifier::from_environment().watchdog_interval());
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
}

}  // namespace
