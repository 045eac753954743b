// File: tests/policy/feasibility_test.cpp — the feasibility chain: each filter's table, first rejection
// wins and is recorded once, counts per reason, retry times; a fixed-seed property over random clusters.
#include "policy/feasibility.hpp"

#include "snapshot_builder.hpp"

#include <gtest/gtest.h>

#include <random>

namespace berth::policy {
namespace {

using testing::SnapshotBuilder;
using testing::t0;
using namespace std::chrono_literals;

std::optional<SkipReason> reason_of(const InstanceFilter& f, const SnapshotInstance& i) {
  auto r = f.check(i);
  return r ? std::optional(r->reason) : std::nullopt;
}

TEST(Feasibility, SkipReasonStringsAreStable) {
  // API and metrics read these; the first eight are the daemon plan's since the start.
  const char* want[] = {"not_matching", "draining",     "not_active",          "disconnected",
                        "backing_off",  "has_task",     "stop_pending",        "waiting_for_budget",
                        "insufficient_resources", "ports_in_use", "instance_taken"};
  static_assert(std::size(want) == skip_reason_count);
  for (std::size_t i = 0; i < skip_reason_count; ++i)
    EXPECT_STREQ(to_string(static_cast<SkipReason>(i)), want[i]);
}

TEST(Feasibility, StatusAndAgentFilters) {
  SnapshotBuilder b;
  struct Case {
    InstanceStatus status;
    bool connected;
    std::optional<SkipReason> status_reason, agent_reason;
  };
  const Case cases[] = {
      {InstanceStatus::active, true, std::nullopt, std::nullopt},
      {InstanceStatus::draining, true, SkipReason::draining, std::nullopt},
      {InstanceStatus::registering, true, SkipReason::not_active, std::nullopt},
      {InstanceStatus::deregistering, false, SkipReason::not_active, SkipReason::disconnected},
      {InstanceStatus::inactive, true, SkipReason::not_active, std::nullopt},
      {InstanceStatus::active, false, std::nullopt, SkipReason::disconnected},
  };
  int n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(n);
    auto& i = b.add_instance(n++, {}, c.status, c.connected);
    EXPECT_EQ(reason_of(status_filter(), i), c.status_reason);
    EXPECT_EQ(reason_of(agent_connected_filter(), i), c.agent_reason);
  }
}

TEST(Feasibility, MatchingFilterUsesRequirementsAndConstraint) {
  SnapshotBuilder b;
  auto parsed = parse_constraint("attribute:stack == prod");
  ASSERT_TRUE(parsed);
  std::vector<AttributeRequirement> req{{"gpu", ""}};
  auto f = matching_filter(req, parsed.constraint);
  EXPECT_EQ(f.name, "matching");
  EXPECT_EQ(reason_of(f, b.add_instance(0, {{"stack", "prod"}, {"gpu", "1"}})), std::nullopt);
  EXPECT_EQ(reason_of(f, b.add_instance(1, {{"stack", "prod"}})), SkipReason::not_matching);
  EXPECT_EQ(reason_of(f, b.add_instance(2, {{"stack", "dev"}, {"gpu", "1"}})), SkipReason::not_matching);
}

TEST(Feasibility, BackoffFilterCarriesRetryTime) {
  SnapshotBuilder b;
  InstanceBackoff backoff;
  auto& i = b.add_instance(0);
  auto& j = b.add_instance(1);
  backoff.record_failure(i.arn, t0);
  auto f = backoff_filter(backoff, t0);
  auto r = f.check(i);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, SkipReason::backing_off);
  EXPECT_EQ(r->retry_at, t0 + 10s);
  EXPECT_FALSE(f.check(j));
  EXPECT_FALSE(backoff_filter(backoff, t0 + 10s).check(i)) << "expired backoff passes";
}

TEST(Feasibility, ResourcesFit) {
  struct Case {
    CpuMemory need, remaining;
    bool fits;
  };
  const Case cases[] = {
      {{512, 1024}, {512, 1024}, true},   // exactly
      {{513, 1024}, {512, 1024}, false},  // cpu short
      {{512, 1025}, {512, 1024}, false},  // memory short
      {{0, 0}, {-100, -100}, true},       // reserves nothing: fits even over-committed
      {{0, 128}, {-100, 256}, true},      // cpu not reserved
      {{256, 0}, {128, 99999}, false},
  };
  SnapshotBuilder b;
  int n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(n);
    EXPECT_EQ(fits(c.need, c.remaining), c.fits);
    auto& i = b.add_instance(n++);
    i.remaining = c.remaining;
    EXPECT_EQ(reason_of(resources_fit_filter(c.need), i),
              c.fits ? std::nullopt : std::optional(SkipReason::insufficient_resources));
  }
}

TEST(Feasibility, HostPortsFree) {
  SnapshotBuilder b;
  auto& i = b.add_instance(0);
  i.reserved_tcp_ports = b.keep_ports({22, 80, 2375, 51678});
  i.reserved_udp_ports = b.keep_ports({53});
  std::vector<std::uint16_t> none, p80{80}, p8080{8080, 443}, p53{53};
  EXPECT_EQ(reason_of(host_ports_free_filter(none, none), i), std::nullopt);
  EXPECT_EQ(reason_of(host_ports_free_filter(p8080, none), i), std::nullopt);
  EXPECT_EQ(reason_of(host_ports_free_filter(p80, none), i), SkipReason::ports_in_use);
  EXPECT_EQ(reason_of(host_ports_free_filter(none, p53), i), SkipReason::ports_in_use);
  EXPECT_EQ(reason_of(host_ports_free_filter(p53, none), i), std::nullopt) << "tcp and udp are separate";
}

TEST(Feasibility, DistinctInstance) {
  SnapshotBuilder b;
  auto& i = b.add_instance(0);
  auto& j = b.add_instance(1);
  std::unordered_set<std::string_view> taken{i.arn};
  auto f = distinct_instance_filter(taken);
  EXPECT_EQ(reason_of(f, i), SkipReason::instance_taken);
  EXPECT_EQ(reason_of(f, j), std::nullopt);
  taken.insert(j.arn);  // the filter sees the set as it grows while a plan places tasks
  EXPECT_EQ(reason_of(f, j), SkipReason::instance_taken);
}

TEST(Feasibility, ChainRecordsFirstRejectionOnly) {
  SnapshotBuilder b;
  InstanceBackoff backoff;
  auto& ok = b.add_instance(0);
  auto& draining_disconnected = b.add_instance(1, {}, InstanceStatus::draining, false);
  auto& disconnected_backing_off = b.add_instance(2, {}, InstanceStatus::active, false);
  auto& backing_off = b.add_instance(3);
  backoff.record_failure(disconnected_backing_off.arn, t0);
  backoff.record_failure(backing_off.arn, t0 - 5s);
  RejectionLog log;
  FeasibilityChain chain(log);
  chain.add(status_filter()).add(agent_connected_filter()).add(backoff_filter(backoff, t0));
  EXPECT_EQ(chain.size(), 3u);
  EXPECT_FALSE(chain.check(ok));
  EXPECT_EQ(chain.check(draining_disconnected)->reason, SkipReason::draining);
  EXPECT_EQ(chain.check(disconnected_backing_off)->reason, SkipReason::disconnected);
  EXPECT_EQ(chain.check(backing_off)->reason, SkipReason::backing_off);
  EXPECT_TRUE(chain.passes(ok));
  EXPECT_FALSE(chain.passes(backing_off));

  ASSERT_EQ(log.rejected().size(), 3u);
  EXPECT_EQ(log.rejected()[0].instance_arn, draining_disconnected.arn);
  EXPECT_EQ(log.rejected()[1].reason, SkipReason::disconnected);
  EXPECT_EQ(log.count(SkipReason::draining), 1u);
  EXPECT_EQ(log.count(SkipReason::disconnected), 1u);
  EXPECT_EQ(log.count(SkipReason::backing_off), 1u);
  EXPECT_EQ(log.count(SkipReason::not_active), 0u);
  // Only the backoff that was reached counts for the retry time (instance 2 stopped at "disconnected").
  EXPECT_EQ(chain.earliest_retry(), t0 + 5s);
}

TEST(Feasibility, ChainsShareOneLogInOrder) {
  SnapshotBuilder b;
  auto& i = b.add_instance(0, {}, InstanceStatus::registering);
  auto& j = b.add_instance(1, {}, InstanceStatus::active, false);
  RejectionLog log;
  FeasibilityChain first(log), second(log);
  first.add(status_filter());
  second.add(agent_connected_filter());
  EXPECT_TRUE(first.check(i));
  log.record(i.arn, SkipReason::has_task);  // plan-level reasons go into the same log
  EXPECT_FALSE(first.check(j));
  EXPECT_TRUE(second.check(j));
  ASSERT_EQ(log.rejected().size(), 3u);
  EXPECT_EQ(log.rejected()[2].instance_arn, j.arn);
  auto taken = log.take_rejected();
  EXPECT_EQ(taken.size(), 3u);
  EXPECT_EQ(log.counts()[static_cast<std::size_t>(SkipReason::has_task)], 1u);
}

// Property: every instance either passes or gets exactly one record, whose reason is the one of the
// first filter (in chain order) that rejects it; counts add up to the records.
TEST(FeasibilityProperty, FirstRejectionOnRandomClusters) {
  for (std::uint32_t seed = 1; seed <= 200; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    SnapshotBuilder b;
    InstanceBackoff backoff;
    std::unordered_set<std::string_view> taken;
    const InstanceStatus statuses[] = {InstanceStatus::active, InstanceStatus::active, InstanceStatus::draining,
                                       InstanceStatus::registering, InstanceStatus::inactive};
    const int n = 1 + pick(50);
    for (int k = 0; k < n; ++k) {
      auto& i = b.add_instance(k, {{"zone", pick(2) ? "a" : "b"}}, statuses[pick(5)], pick(6) != 0);
      i.remaining = {pick(2048), pick(4096)};
      i.reserved_tcp_ports = b.keep_ports(pick(3) ? std::vector<std::uint16_t>{22} : std::vector<std::uint16_t>{22, 80});
      if (pick(5) == 0) backoff.record_failure(i.arn, t0 - std::chrono::seconds(pick(20)));
      if (pick(7) == 0) taken.insert(i.arn);
    }
    auto parsed = parse_constraint("attribute:zone == a");
    std::vector<std::uint16_t> tcp{80};
    std::vector<InstanceFilter> filters{matching_filter({}, parsed.constraint), status_filter(),
                                        agent_connected_filter(), backoff_filter(backoff, t0),
                                        resources_fit_filter({1024, 2048}), host_ports_free_filter(tcp, {}),
                                        distinct_instance_filter(taken)};
    RejectionLog log;
    FeasibilityChain chain(log);
    for (auto& f : filters) chain.add(f);
    std::uint32_t passed = 0;
    for (const auto& i : b.snap.instances) {
      std::optional<SkipReason> want;
      for (auto& f : filters)
        if (auto r = f.check(i)) {
          want = r->reason;
          break;
        }
      auto got = chain.check(i);
      EXPECT_EQ(got ? std::optional(got->reason) : std::nullopt, want);
      if (!got) ++passed;
    }
    std::uint32_t total = 0;
    for (auto c : log.counts()) total += c;
    EXPECT_EQ(total, log.rejected().size());
    EXPECT_EQ(passed + log.rejected().size(), b.snap.instances.size());
    EXPECT_EQ(log.count(SkipReason::has_task), 0u);
    if (chain.earliest_retry()) {
      EXPECT_GT(*chain.earliest_retry(), t0);
    }
  }
}

}  // namespace
}  // namespace berth::policy
