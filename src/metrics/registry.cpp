// File: src/metrics/registry.cpp — registration (name, type and label checks), removal and lookup.
#include "metrics/registry.hpp"

#include <algorithm>
#include <stdexcept>

namespace berth::metrics {

namespace {

class ErrorCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "berth.metrics"; }
  std::string message(int ev) const override {
    switch (static_cast<Error>(ev)) {
      case Error::invalid_name: return "invalid metric name";
      case Error::invalid_label_name: return "invalid or reserved label name";
      case Error::type_mismatch: return "metric registered with another type";
      case Error::label_mismatch: return "label keys differ from the metric's";
      case Error::bucket_mismatch: return "histogram buckets differ or are not increasing";
    }
    return "unknown metrics error";
  }
};

bool name_char(char c, bool first, bool colon) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return alpha || (!first && c >= '0' && c <= '9');
}

bool valid_name(std::string_view s, bool colon) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (!name_char(s[i], i == 0, colon)) return false;
  return true;
}

bool valid_label_name(std::string_view s) { return valid_name(s, false) && !s.starts_with("__") && s != "le"; }

// Does `labels` (keys in family order) carry every pair of `match`?
bool matches(const Family& f, const std::vector<std::string>& values, const Labels& match) {
  for (const auto& [k, v] : match) {
    auto it = std::find(f.label_keys.begin(), f.label_keys.end(), k);
    if (it == f.label_keys.end() || values[static_cast<std::size_t>(it - f.label_keys.begin())] != v) return false;
  }
  return true;
}

std::optional<std::vector<std::string>> values_of(const Family& f, const Labels& labels) {
  if (labels.size() != f.label_keys.size()) return std::nullopt;
  std::vector<std::string> values;
  values.reserve(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i].first != f.label_keys[i]) return std::nullopt;
    values.push_back(labels[i].second);
  }
  return values;
}

}  // namespace

const char* to_string(Type t) {
  switch (t) {
    case Type::counter: return "counter";
    case Type::gauge: return "gauge";
    case Type::histogram: return "histogram";
  }
  return "untyped";
}

const boost::system::error_category& error_category() {
  static const ErrorCategory category;
  return category;
}

boost::system::error_code make_error_code(Error e) { return {static_cast<int>(e), error_category()}; }

void throw_registration_error(const boost::system::error_code& ec, std::string_view name) {
  throw std::logic_error("metric " + std::string(name) + ": " + ec.message());
}

void must(const boost::system::error_code& ec, std::string_view name) {
  if (ec) throw_registration_error(ec, name);
}

void Histogram::observe(double v) {
  // Buckets are few (about ten): a linear scan beats a binary search's branches.
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (v <= bounds_[i]) {
      ++counts_[i];
      break;
    }
  }
  ++count_;
  sum_ += v;
}

double Series::read() const {
  struct Reader {
    double operator()(const Counter& c) const { return static_cast<double>(c.value()); }
    double operator()(const Gauge& g) const { return g.value(); }
    double operator()(const Histogram& h) const { return static_cast<double>(h.count()); }
    double operator()(const CounterFn& f) const { return f ? static_cast<double>(f()) : 0.0; }
    double operator()(const GaugeFn& f) const { return f ? f() : 0.0; }
  };
  return std::visit(Reader{}, value);
}

boost::system::result<Series*> Registry::series(std::string_view name, std::string_view help, Type type,
                                                bool callback, const Labels& labels,
                                                const std::vector<double>* buckets) {
  if (!valid_name(name, true)) return make_error_code(Error::invalid_name);
  for (const auto& [k, v] : labels)
    if (!valid_label_name(k)) return make_error_code(Error::invalid_label_name);
  if (buckets != nullptr) {
    for (std::size_t i = 1; i < buckets->size(); ++i)
      if (!((*buckets)[i - 1] < (*buckets)[i])) return make_error_code(Error::bucket_mismatch);
  }
  auto it = families_.find(name);
  if (it == families_.end()) {
    Family f{std::string(name), std::string(help), type, callback, {}, buckets ? *buckets : std::vector<double>{}, {}};
    for (const auto& [k, v] : labels) {
      if (std::find(f.label_keys.begin(), f.label_keys.end(), k) != f.label_keys.end())
        return make_error_code(Error::invalid_label_name);  // a key twice
      f.label_keys.push_back(k);
    }
    std::string key = f.name;
    it = families_.emplace(std::move(key), std::move(f)).first;
  }
  Family& f = it->second;
  if (f.type != type || f.callback != callback) return make_error_code(Error::type_mismatch);
  if (buckets != nullptr && f.buckets != *buckets) return make_error_code(Error::bucket_mismatch);
  auto values = values_of(f, labels);
  if (!values) return make_error_code(Error::label_mismatch);
  auto& slot = f.series[*values];
  if (!slot) {
    slot = std::make_unique<Series>();
    switch (type) {
      case Type::counter:
        if (callback)
          slot->value.emplace<CounterFn>();
        else
          slot->value.emplace<Counter>();
        break;
      case Type::gauge:
        if (callback)
          slot->value.emplace<GaugeFn>();
        else
          slot->value.emplace<Gauge>();
        break;
      case Type::histogram: slot->value.emplace<Histogram>(f.buckets); break;
    }
  }
  return slot.get();
}

Registry::Result<Counter> Registry::counter(std::string_view name, std::string_view help, const Labels& labels) {
  auto s = series(name, help, Type::counter, false, labels, nullptr);
  if (!s) return s.error();
  return &std::get<Counter>((*s)->value);
}

Registry::Result<Gauge> Registry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  auto s = series(name, help, Type::gauge, false, labels, nullptr);
  if (!s) return s.error();
  return &std::get<Gauge>((*s)->value);
}

Registry::Result<Histogram> Registry::histogram(std::string_view name, std::string_view help,
                                                std::vector<double> buckets, const Labels& labels) {
  auto s = series(name, help, Type::histogram, false, labels, &buckets);
  if (!s) return s.error();
  return &std::get<Histogram>((*s)->value);
}

boost::system::error_code Registry::gauge_fn(std::string_view name, std::string_view help, const Labels& labels,
                                             GaugeFn fn) {
  auto s = series(name, help, Type::gauge, true, labels, nullptr);
  if (!s) return s.error();
  std::get<GaugeFn>((*s)->value) = std::move(fn);
  return {};
}

boost::system::error_code Registry::counter_fn(std::string_view name, std::string_view help, const Labels& labels,
                                               CounterFn fn) {
  auto s = series(name, help, Type::counter, true, labels, nullptr);
  if (!s) return s.error();
  std::get<CounterFn>((*s)->value) = std::move(fn);
  return {};
}

std::size_t Registry::remove(std::string_view name, const Labels& match) {
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  Family& f = it->second;
  std::size_t n = 0;
  for (auto s = f.series.begin(); s != f.series.end();) {
    if (matches(f, s->first, match)) {
      // A callback may capture a part that is going away: drop it, keep the (now inert) storage.
      if (auto* g = std::get_if<GaugeFn>(&s->second->value)) *g = nullptr;
      if (auto* c = std::get_if<CounterFn>(&s->second->value)) *c = nullptr;
      removed_.push_back(std::move(s->second));
      s = f.series.erase(s);
      ++n;
    } else {
      ++s;
    }
  }
  return n;
}

std::size_t Registry::remove_all(const Labels& match) {
  std::size_t n = 0;
  for (auto& [name, f] : families_) n += remove(name, match);
  return n;
}

const Family* Registry::family(std::string_view name) const {
  auto it = families_.find(name);
  return it == families_.end() ? nullptr : &it->second;
}

const Series* Registry::find(std::string_view name, const Labels& labels) const {
  const Family* f = family(name);
  if (f == nullptr) return nullptr;
  auto values = values_of(*f, labels);
  if (!values) return nullptr;
  auto it = f->series.find(*values);
  return it == f->series.end() ? nullptr : it->second.get();
}

std::optional<double> Registry::value(std::string_view name, const Labels& labels) const {
  const Series* s = find(name, labels);
  if (s == nullptr) return std::nullopt;
  return s->read();
}

}  // namespace berth::metrics
