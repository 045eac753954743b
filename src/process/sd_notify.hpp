// File: src/process/sd_notify.hpp — systemd notification protocol (READY/RELOADING/STOPPING/WATCHDOG datagrams).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>

namespace berth::process {

// Sends sd_notify(3) datagrams to $NOTIFY_SOCKET (a path or, with a leading '@', an abstract socket) without
// libsystemd. Disabled (every call a no-op) when the variable is unset, e.g. when not run by systemd.
class SdNotifier {
 public:
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID (the watchdog applies only if the pid is ours or unset).
  static SdNotifier from_environment();
  SdNotifier() = default;
  SdNotifier(std::string socket_path, std::optional<std::chrono::microseconds> watchdog_interval);
  ~SdNotifier();
  SdNotifier(SdNotifier&& other) noexcept;
  SdNotifier& operator=(SdNotifier&& other) noexcept;
  SdNotifier(const SdNotifier&) = delete;
  SdNotifier& operator=(const SdNotifier&) = delete;

  bool enabled() const { return !socket_path_.empty(); }
  // WATCHDOG_USEC: systemd expects a WATCHDOG=1 at least this often (berth pings at half of it).
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }

  // Sends one datagram of newline-separated assignments. Never blocks (MSG_DONTWAIT).
  boost::system::error_code notify(std::string_view state);
  boost::system::error_code ready(std::string_view status = {});
  // RELOADING=1 with MONOTONIC_USEC, as systemd's Type=notify-reload requires.
  boost::system::error_code reloading();
  boost::system::error_code stopping();
  boost::system::error_code watchdog();

 private:
  std::string socket_path_;
  std::optional<std::chrono::microseconds> watchdog_;
  int fd_ = -1;
};

}  // namespace berth::process
