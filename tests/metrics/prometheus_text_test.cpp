// File: tests/metrics/prometheus_text_test.cpp — the text exposition format 0.0.4, as the Prometheus docs
// (instrumenting/exposition_formats) specify it: HELP/TYPE lines, escaping, histogram series, value syntax.
#include "metrics/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace berth::metrics {
namespace {

TEST(PrometheusText, CounterAndGaugeWithLabels) {
  Registry r;
  ++must(r.counter("berth_ecs_calls_total", "ECS calls by operation.", {{"operation", "StartTask"}}), "c");
  must(r.counter("berth_ecs_calls_total", "ECS calls by operation.", {{"operation", "ListTasks"}}), "c") += 12;
  must(r.gauge("berth_work_queue_depth", "Keys waiting."), "g").set(3);
  EXPECT_EQ(render_prometheus(r),
            "# HELP berth_ecs_calls_total ECS calls by operation.\n"
            "# TYPE berth_ecs_calls_total counter\n"
            "berth_ecs_calls_total{operation=\"ListTasks\"} 12\n"
            "berth_ecs_calls_total{operation=\"StartTask\"} 1\n"
            "# HELP berth_work_queue_depth Keys waiting.\n"
            "# TYPE berth_work_queue_depth gauge\n"
            "berth_work_queue_depth 3\n");
}

TEST(PrometheusText, LabelValuesAndHelpAreEscaped) {
  Registry r;
  must(r.gauge("berth_g", "a \\ back\nslash \"quoted\"", {{"a", "x\\y"}, {"b", "say \"hi\"\nbye"}}), "g").set(1);
  EXPECT_EQ(render_prometheus(r),
            "# HELP berth_g a \\\\ back\\nslash \"quoted\"\n"  // help: backslash and line feed only
            "# TYPE berth_g gauge\n"
            "berth_g{a=\"x\\\\y\",b=\"say \\\"hi\\\"\\nbye\"} 1\n");
}

TEST(PrometheusText, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry r;
  auto& h = must(r.histogram("berth_sync_seconds", "Sync duration.", {0.05, 0.5, 1}, {{"kind", "daemon"}}), "h");
  h.observe(0.01);
  h.observe(0.2);
  h.observe(0.3);
  h.observe(4);
  EXPECT_EQ(render_prometheus(r),
            "# HELP berth_sync_seconds Sync duration.\n"
            "# TYPE berth_sync_seconds histogram\n"
            "berth_sync_seconds_bucket{kind=\"daemon\",le=\"0.05\"} 1\n"
            "berth_sync_seconds_bucket{kind=\"daemon\",le=\"0.5\"} 3\n"
            "berth_sync_seconds_bucket{kind=\"daemon\",le=\"1\"} 3\n"
            "berth_sync_seconds_bucket{kind=\"daemon\",le=\"+Inf\"} 4\n"
            "berth_sync_seconds_sum{kind=\"daemon\"} 4.51\n"
            "berth_sync_seconds_count{kind=\"daemon\"} 4\n");
}

TEST(PrometheusText, HistogramWithoutLabelsHasOnlyLe) {
  Registry r;
  must(r.histogram("berth_h", "h", {1}), "h").observe(2);
  EXPECT_EQ(render_prometheus(r),
            "# HELP berth_h h\n# TYPE berth_h histogram\n"
            "berth_h_bucket{le=\"1\"} 0\nberth_h_bucket{le=\"+Inf\"} 1\nberth_h_sum 2\nberth_h_count 1\n");
}

TEST(PrometheusText, ValuesUseGoFloatSyntax) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(-2.5), "-2.5");
  EXPECT_EQ(format_value(1e21), "1e+21");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
}

TEST(PrometheusText, CountersStayExactAbove2To53AndCallbacksAreRead) {
  Registry r;
  must(r.counter("berth_big_total", "b"), "b") += (std::uint64_t{1} << 53) + 1;
  std::size_t depth = 7;
  ASSERT_FALSE(r.gauge_fn("berth_depth", "d", {}, [&] { return double(depth); }));
  ASSERT_FALSE(r.counter_fn("berth_fn_total", "f", {{"k", "v"}}, [] { return std::uint64_t{5}; }));
  const auto text = render_prometheus(r);
  EXPECT_NE(text.find("berth_big_total 9007199254740993\n"), std::string::npos);
  EXPECT_NE(text.find("berth_depth 7\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE berth_fn_total counter\nberth_fn_total{k=\"v\"} 5\n"), std::string::npos);
}

TEST(PrometheusText, RemovedSeriesAreNotRendered) {
  Registry r;
  must(r.gauge("berth_g", "g", {{"cluster", "a"}}), "g").set(1);
  must(r.gauge("berth_g", "g", {{"cluster", "b"}}), "g").set(2);
  r.remove("berth_g", {{"cluster", "a"}});
  EXPECT_EQ(render_prometheus(r), "# HELP berth_g g\n# TYPE berth_g gauge\nberth_g{cluster=\"b\"} 2\n");
  EXPECT_EQ(prometheus_content_type, "text/plain; version=0.0.4");
}

TEST(PrometheusText, EmptyRegistryRendersNothing) {
  Registry r;
  EXPECT_EQ(render_prometheus(r), "");
}

}  // namespace
}  // namespace berth::metrics
