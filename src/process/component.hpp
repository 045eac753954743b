// File: src/process/component.hpp — what the serving process runs: long-lived parts with a lifecycle
// (run, reload, stop). Kept apart from process.hpp so that components need not see the HTTP server.
#pragma once

#include "config/config.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string_view>
#include <vector>

namespace berth::process {

// A long-running part of berth (cluster watcher, work queue, store, ...). All calls happen on the process's
// single loop thread, so implementations need no locks.
class Component {
 public:
  virtual ~Component() = default;
  virtual std::string_view name() const = 0;
  // Runs until stop() is called or the coroutine is cancelled (terminal cancellation at the shutdown deadline).
  // An exception ends only this component: it is logged and the process keeps serving.
  virtual boost::asio::awaitable<void> run() = 0;
  // A reload produced a new, valid config; `changes` is config::diff(old, new). Must not block.
  virtual void apply_config(const config::Config& /*cfg*/, const std::vector<config::Change>& /*changes*/) {}
  // Shutdown started: stop taking new work, finish or abandon current work, and let run() return.
  virtual void stop() {}
};
using ComponentPtr = std::shared_ptr<Component>;

}  // namespace berth::process
