// File: tests/reactor/job_timers_test.cpp — the jobs' deadline heap under an injected wall clock: due deadlines
// enqueue their job once, re-arming replaces, and a step of the clock re-measures every deadline.
#include "reactor/job_timers.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace berth::reactor {
namespace {

using namespace std::chrono_literals;

struct Fixture {
  boost::asio::io_context io;
  // The injected wall clock runs with real time from some day in 2026, plus the steps a test makes.
  const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::chrono::system_clock::duration step{0};
  SystemTime wall() const {
    return SystemTime{} + std::chrono::hours(24 * 365 * 56) + step +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::steady_clock::now() - started);
  }
  std::vector<std::string> fired;
  JobTimers timers{io.get_executor(), [this] { return wall(); }, [this](const std::string& j) { fired.push_back(j); }};

  Fixture() { boost::asio::co_spawn(io, timers.run(), boost::asio::detached); }
  ~Fixture() {
    timers.stop();
    io.run_for(1s);
  }
  // Runs the loop until `done` holds, for at most `limit` of real time.
  template <class Done>
  bool run_until(Done done, std::chrono::milliseconds limit = 5000ms) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < until) io.run_one_for(10ms);
    return done();
  }
};

TEST(JobTimers, DueDeadlinesFireOnceInOrder) {
  Fixture f;
  f.timers.arm("b", f.wall() + 40ms);
  f.timers.arm("a", f.wall() + 20ms);
  ASSERT_TRUE(f.run_until([&] { return f.fired.size() == 2; }));
  EXPECT_EQ(f.fired, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(f.timers.size(), 0u);
}

TEST(JobTimers, ReArmingReplacesAndCancelRemoves) {
  Fixture f;
  f.timers.arm("a", f.wall() + 1h);
  f.timers.arm("a", f.wall() + 10ms);  // the job's only deadline moves earlier
  f.timers.arm("b", f.wall() + 10ms);
  f.timers.cancel("b");
  ASSERT_TRUE(f.run_until([&] { return !f.fired.empty(); }));
  f.io.run_for(50ms);
  EXPECT_EQ(f.fired, std::vector<std::string>{"a"});
}

TEST(JobTimers, AForwardStepFiresWhatBecameDueAtOnce) {
  Fixture f;
  f.timers.arm("hourly", f.wall() + 1h);
  f.io.run_for(10ms);
  EXPECT_TRUE(f.fired.empty());
  f.step += 1h + 1s;  // NTP stepped the clock forward past the slot
  f.timers.clock_stepped();
  ASSERT_TRUE(f.run_until([&] { return !f.fired.empty(); }, 1000ms));
  EXPECT_EQ(f.fired, std::vector<std::string>{"hourly"});
}

TEST(JobTimers, ABackwardStepDelaysTheDeadlineInsteadOfFiringEarly) {
  Fixture f;
  f.timers.arm("soon", f.wall() + 200ms);
  f.step -= 1h;  // stepped back before the deadline came
  f.timers.clock_stepped();
  f.io.run_for(400ms);  // past the deadline's original distance
  EXPECT_TRUE(f.fired.empty());
  ASSERT_TRUE(f.timers.deadline("soon"));
  f.step += 1h;
  f.timers.clock_stepped();
  ASSERT_TRUE(f.run_until([&] { return !f.fired.empty(); }, 1000ms));
}

}  // namespace
}  // namespace berth::reactor
