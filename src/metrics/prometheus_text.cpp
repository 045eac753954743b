// File: src/metrics/prometheus_text.cpp — the Prometheus text format writer.
#include "metrics/prometheus_text.hpp"

#include <charconv>
#include <cmath>

namespace berth::metrics {

namespace {

void append_labels(std::string& out, const Family& f, const std::vector<std::string>& values,
                   std::string_view le = {}) {
  if (values.empty() && le.empty()) return;
  out += '{';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += f.label_keys[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  if (!le.empty()) {
    if (!values.empty()) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

void append_sample(std::string& out, std::string_view name, std::string_view suffix, const Family& f,
                   const std::vector<std::string>& values, const std::string& value, std::string_view le = {}) {
  out += name;
  out += suffix;
  append_labels(out, f, values, le);
  out += ' ';
  out += value;
  out += '\n';
}

std::string format_count(std::uint64_t n) { return std::to_string(n); }

}  // namespace

std::string escape_help(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that reads back the same
  if (ec != std::errc{}) return "NaN";
  return std::string(buf, end);
}

std::string render_prometheus(const Registry& registry) {
  std::string out;
  for (const auto& [name, f] : registry.families()) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += escape_help(f.help);
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += to_string(f.type);
    out += '\n';
    for (const auto& [values, series] : f.series) {
      if (const auto* h = std::get_if<Histogram>(&series->value)) {
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < h->upper_bounds().size(); ++i) {
          cumulative += h->bucket_counts()[i];
          append_sample(out, name, "_bucket", f, values, format_count(cumulative),
                        format_value(h->upper_bounds()[i]));
        }
        append_sample(out, name, "_bucket", f, values, format_count(h->count()), "+Inf");
        append_sample(out, name, "_sum", f, values, format_value(h->sum()));
        append_sample(out, name, "_count", f, values, format_count(h->count()));
      } else if (const auto* c = std::get_if<Counter>(&series->value)) {
        append_sample(out, name, "", f, values, format_count(c->value()));  // exact beyond 2^53
      } else if (const auto* cf = std::get_if<CounterFn>(&series->value)) {
        append_sample(out, name, "", f, values, format_count(*cf ? (*cf)() : 0));
      } else {
        append_sample(out, name, "", f, values, format_value(series->read()));
      }
    }
  }
  return out;
}

}  // namespace berth::metrics
