// File: tests/metrics/registry_test.cpp — registration, label handling, errors as values, removal.
#include "metrics/registry.hpp"

#include <gtest/gtest.h>

namespace berth::metrics {
namespace {

TEST(Registry, SameNameAndLabelsReturnTheSameSeries) {
  Registry r;
  auto a = r.counter("berth_x_total", "x", {{"cluster", "a"}});
  auto a2 = r.counter("berth_x_total", "x", {{"cluster", "a"}});
  auto b = r.counter("berth_x_total", "x", {{"cluster", "b"}});
  ASSERT_TRUE(a && a2 && b);
  EXPECT_EQ(*a, *a2);
  EXPECT_NE(*a, *b);
  ++**a;
  **a2 += 2;
  EXPECT_EQ((*a)->value(), 3u);
  EXPECT_EQ((*b)->value(), 0u);
  EXPECT_EQ(r.value("berth_x_total", {{"cluster", "a"}}), 3.0);
  EXPECT_EQ(r.family("berth_x_total")->series.size(), 2u);
}

TEST(Registry, HandlesStayValidWhileOtherSeriesAreAdded) {
  Registry r;
  Counter& first = must(r.counter("berth_y_total", "y", {{"k", "0"}}), "berth_y_total");
  for (int i = 1; i < 1000; ++i) ++must(r.counter("berth_y_total", "y", {{"k", std::to_string(i)}}), "y");
  ++first;
  EXPECT_EQ(r.value("berth_y_total", {{"k", "0"}}), 1.0);
}

TEST(Registry, TypeMismatchIsAnErrorValue) {
  Registry r;
  ASSERT_TRUE(r.counter("berth_z", "z"));
  auto g = r.gauge("berth_z", "z");
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error(), make_error_code(Error::type_mismatch));
  EXPECT_EQ(r.gauge_fn("berth_z", "z", {}, [] { return 1.0; }), make_error_code(Error::type_mismatch));
  EXPECT_EQ(r.counter_fn("berth_z", "z", {}, [] { return 1u; }), make_error_code(Error::type_mismatch));
  EXPECT_EQ(r.histogram("berth_z", "z", {1.0}).error(), make_error_code(Error::type_mismatch));
  EXPECT_THROW(must(r.gauge("berth_z", "z"), "berth_z"), std::logic_error);
}

TEST(Registry, LabelKeysAreFixedByTheFirstRegistration) {
  Registry r;
  ASSERT_TRUE(r.gauge("berth_g", "g", {{"kind", "daemon"}, {"workload", "w"}}));
  EXPECT_EQ(r.gauge("berth_g", "g", {{"workload", "w"}, {"kind", "daemon"}}).error(),
            make_error_code(Error::label_mismatch));  // order matters
  EXPECT_EQ(r.gauge("berth_g", "g", {{"kind", "daemon"}}).error(), make_error_code(Error::label_mismatch));
  EXPECT_EQ(r.gauge("berth_g", "g").error(), make_error_code(Error::label_mismatch));
}

TEST(Registry, InvalidNamesAreRefused) {
  Registry r;
  EXPECT_EQ(r.counter("1abc", "").error(), make_error_code(Error::invalid_name));
  EXPECT_EQ(r.counter("a-b", "").error(), make_error_code(Error::invalid_name));
  EXPECT_EQ(r.counter("", "").error(), make_error_code(Error::invalid_name));
  EXPECT_TRUE(r.counter("berth:ok_total", ""));
  EXPECT_EQ(r.counter("berth_a", "", {{"__x", "v"}}).error(), make_error_code(Error::invalid_label_name));
  EXPECT_EQ(r.counter("berth_a", "", {{"a:b", "v"}}).error(), make_error_code(Error::invalid_label_name));
  EXPECT_EQ(r.counter("berth_a", "", {{"le", "v"}}).error(), make_error_code(Error::invalid_label_name));
  EXPECT_EQ(r.counter("berth_a", "", {{"k", "1"}, {"k", "2"}}).error(), make_error_code(Error::invalid_label_name));
  EXPECT_TRUE(r.counter("berth_a", "", {{"k", "any \"value\"\n"}}));  // values are free-form
}

TEST(Registry, HistogramBucketsMustIncreaseAndMatch) {
  Registry r;
  EXPECT_EQ(r.histogram("berth_h", "", {1.0, 1.0}).error(), make_error_code(Error::bucket_mismatch));
  auto h = r.histogram("berth_h", "", {0.1, 1.0});
  ASSERT_TRUE(h);
  EXPECT_EQ(r.histogram("berth_h", "", {0.1, 2.0}).error(), make_error_code(Error::bucket_mismatch));
  (*h)->observe(0.05);
  (*h)->observe(0.1);  // le is inclusive
  (*h)->observe(0.5);
  (*h)->observe(7);
  EXPECT_EQ((*h)->bucket_counts(), (std::vector<std::uint64_t>{2, 1}));
  EXPECT_EQ((*h)->count(), 4u);
  EXPECT_DOUBLE_EQ((*h)->sum(), 7.65);
}

TEST(Registry, CallbacksAreReadOnDemandAndReplaced) {
  Registry r;
  int depth = 3;
  ASSERT_FALSE(r.gauge_fn("berth_depth", "d", {}, [&] { return double(depth); }));
  EXPECT_EQ(r.value("berth_depth"), 3.0);
  depth = 5;
  EXPECT_EQ(r.value("berth_depth"), 5.0);
  ASSERT_FALSE(r.gauge_fn("berth_depth", "d", {}, [] { return 9.0; }));
  EXPECT_EQ(r.value("berth_depth"), 9.0);
  ASSERT_FALSE(r.counter_fn("berth_done_total", "d", {}, [] { return std::uint64_t{42}; }));
  EXPECT_EQ(r.value("berth_done_total"), 42.0);
}

TEST(Registry, RemoveHidesMatchingSeriesAndKeepsReferencesValid) {
  Registry r;
  Counter& a = must(r.counter("berth_r_total", "", {{"cluster", "a"}, {"op", "x"}}), "r");
  must(r.counter("berth_r_total", "", {{"cluster", "a"}, {"op", "y"}}), "r");
  must(r.counter("berth_r_total", "", {{"cluster", "b"}, {"op", "x"}}), "r");
  must(r.gauge("berth_s", "", {{"cluster", "a"}}), "s");
  EXPECT_EQ(r.remove_all({{"cluster", "a"}}), 3u);
  EXPECT_EQ(r.family("berth_r_total")->series.size(), 1u);
  EXPECT_EQ(r.value("berth_s", {{"cluster", "a"}}), std::nullopt);
  ++a;  // the removed series' storage is still alive
  EXPECT_EQ(a.value(), 1u);
  // Registering again starts a fresh series.
  EXPECT_EQ(must(r.counter("berth_r_total", "", {{"cluster", "a"}, {"op", "x"}}), "r").value(), 0u);
  EXPECT_EQ(r.remove("berth_r_total"), 2u);
  EXPECT_EQ(r.remove("berth_absent"), 0u);
}

}  // namespace
}  // namespace berth::metrics
