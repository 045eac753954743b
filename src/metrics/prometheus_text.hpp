// File: src/metrics/prometheus_text.hpp — renders a Registry in the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/), served at GET /metrics.
//
// Per family, sorted by name: "# HELP name text" (backslash and line feed escaped), "# TYPE name type", then one
// line per series sorted by label values: name{k="v",...} value. Label values escape backslash, double quote and
// line feed. Histograms render cumulative name_bucket{...,le="b"} lines ending with le="+Inf", then name_sum and
// name_count. Values: integers as such, other numbers in shortest round-trip form, +Inf, -Inf, NaN. Every line
// ends with "\n", including the last.
#pragma once

#include "metrics/registry.hpp"

#include <string>
#include <string_view>

namespace berth::metrics {

inline constexpr std::string_view prometheus_content_type = "text/plain; version=0.0.4";

std::string render_prometheus(const Registry& registry);

// Exposed for tests.
std::string escape_help(std::string_view text);
std::string escape_label_value(std::string_view value);
std::string format_value(double v);

}  // namespace berth::metrics
