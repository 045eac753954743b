// File: src/metrics/registry.hpp — the one metrics registry: families of counters, gauges and histograms with
// labels, owned here and handed out as stable references.
//
// A family is one metric name with its help text, type and label keys; its series are the label values seen so
// far. Parts register once (at construction) and keep the returned reference: incrementing is then a plain
// integer add, no lookup. Readers (GET /v1/stats, GET /metrics) walk the families. Everything runs on the
// reactor thread, so there are no atomics.
//
// Series whose number lives elsewhere (a queue's depth, a model's size, a client's counters that are not ours
// to rewrite) are registered as callbacks: gauge_fn / counter_fn are read on every render, so the number still
// has one source of truth.
//
// Removing series (a cluster retired, a workload deleted) hides them from readers. Their storage is kept until
// the registry dies, because the part that registered them may still hold the reference (a retired watcher's
// loops wind down after the retire). That costs one small record per removed series, which only grows with
// clusters and workloads removed during the process's life.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace berth::metrics {

// Ordered (key, value) pairs, in the order the family was first registered with.
using Labels = std::vector<std::pair<std::string, std::string>>;

enum class Type { counter, gauge, histogram };
const char* to_string(Type t);

// Why a registration was refused. The registry never throws on these: names come from code, but a wrong one
// must not take the process down.
enum class Error {
  invalid_name = 1,     // not [a-zA-Z_:][a-zA-Z0-9_:]*
  invalid_label_name,   // not [a-zA-Z_][a-zA-Z0-9_]*, starts with "__", or "le" (reserved for histograms)
  type_mismatch,        // the name is registered with another type (or as a callback vs a stored value)
  label_mismatch,       // the label keys differ from the family's
  bucket_mismatch,      // a histogram re-registered with other buckets, or buckets not strictly increasing
};
const boost::system::error_category& error_category();
boost::system::error_code make_error_code(Error e);

class Counter {
 public:
  Counter& operator++() {
    ++value_;
    return *this;
  }
  std::uint64_t operator++(int) { return value_++; }
  Counter& operator+=(std::uint64_t n) {
    value_ += n;
    return *this;
  }
  std::uint64_t value() const { return value_; }
  // Lets the stats structs' fields keep reading as numbers (`stats().received == 2`).
  operator std::uint64_t() const { return value_; }  // NOLINT(google-explicit-constructor)

 private:
  std::uint64_t value_ = 0;
};

class Gauge {
 public:
  void set(double v) { value_ = v; }
  void add(double v) { value_ += v; }
  double value() const { return value_; }

 private:
  double value_ = 0;
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds)
      : bounds_(std::move(upper_bounds)), counts_(bounds_.size(), 0) {}
  void observe(double v);
  const std::vector<double>& upper_bounds() const { return bounds_; }  // +Inf is implicit
  // Per bucket, not cumulative; rendering accumulates.
  const std::vector<std::uint64_t>& bucket_counts() const { return counts_; }
  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

using CounterFn = std::function<std::uint64_t()>;
using GaugeFn = std::function<double()>;

// One series: a stored value or a callback read on demand.
struct Series {
  std::variant<Counter, Gauge, Histogram, CounterFn, GaugeFn> value;
  // The number as a reader sees it (a counter's count, a gauge's value, a histogram's count).
  double read() const;
};

struct Family {
  std::string name, help;
  Type type;
  bool callback;                        // series are CounterFn/GaugeFn
  std::vector<std::string> label_keys;  // fixed by the first registration
  std::vector<double> buckets;          // histograms
  // By label values (in label_keys order): sorted, so renderings are stable.
  std::map<std::vector<std::string>, std::unique_ptr<Series>> series;
};

class Registry {
 public:
  template <class T>
  using Result = boost::system::result<T*>;

  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The same name and labels return the same series.
  Result<Counter> counter(std::string_view name, std::string_view help, const Labels& labels = {});
  Result<Gauge> gauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Result<Histogram> histogram(std::string_view name, std::string_view help, std::vector<double> buckets,
                              const Labels& labels = {});
  // Read on every render. Registering the same name and labels again replaces the callback.
  boost::system::error_code gauge_fn(std::string_view name, std::string_view help, const Labels& labels, GaugeFn fn);
  boost::system::error_code counter_fn(std::string_view name, std::string_view help, const Labels& labels,
                                       CounterFn fn);

  // Hides the series of `name` whose labels include every pair of `match` (all of them for an empty match);
  // returns how many. References to them stay valid (see the header comment).
  std::size_t remove(std::string_view name, const Labels& match = {});
  // The same over every family (a retired cluster: every series labelled cluster=<name>).
  std::size_t remove_all(const Labels& match);

  // Readers. Null / nullopt when absent.
  const Family* family(std::string_view name) const;
  const Series* find(std::string_view name, const Labels& labels = {}) const;
  std::optional<double> value(std::string_view name, const Labels& labels = {}) const;
  // Families sorted by name.
  const std::map<std::string, Family, std::less<>>& families() const { return families_; }

 private:
  boost::system::result<Series*> series(std::string_view name, std::string_view help, Type type, bool callback,
                                        const Labels& labels, const std::vector<double>* buckets);

  std::map<std::string, Family, std::less<>> families_;
  std::vector<std::unique_ptr<Series>> removed_;  // kept alive for holders of references
};

// Registration with names fixed in code: a refusal is a programming error, thrown as std::logic_error
// (caught by the scheduler's constructor like any other setup failure).
[[noreturn]] void throw_registration_error(const boost::system::error_code& ec, std::string_view name);
template <class T>
T& must(boost::system::result<T*> r, std::string_view name) {
  if (!r) throw_registration_error(r.error(), name);
  return **r;
}
void must(const boost::system::error_code& ec, std::string_view name);
inline Counter& must_counter(Registry& r, std::string_view name, std::string_view help, const Labels& labels = {}) {
  return must(r.counter(name, help, labels), name);
}

}  // namespace berth::metrics

namespace boost::system {
template <>
struct is_error_code_enum<berth::metrics::Error> : std::true_type {};
}  // namespace boost::system
