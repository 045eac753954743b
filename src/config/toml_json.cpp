// File: src/config/toml_json.cpp — turns a TOML document into a JSON value so TOML and JSON share one validator.
#include <sstream>

#include <toml++/toml.h>
#include <boost/json.hpp>

#include "config/config.hpp"

namespace berth::config {

namespace {

boost::json::value to_json(const toml::node& node) {
  if (const auto* t = node.as_table()) {
    boost::json::object obj;
    for (const auto& [key, value] : *t) obj.emplace(key.str(), to_json(value));
    return obj;
  }
  if (const auto* a = node.as_array()) {
    boost::json::array arr;
    for (const auto& value : *a) arr.push_back(to_json(value));
    return arr;
  }
  if (const auto* s = node.as_string()) return boost::json::value(s->get());
  if (const auto* i = node.as_integer()) return boost::json::value(i->get());
  if (const auto* f = node.as_floating_point()) return boost::json::value(f->get());
  if (const auto* b = node.as_boolean()) return boost::json::value(b->get());
  // Dates and times: no key takes them, so they only need a readable form for the "got ..." message.
  std::ostringstream ss;
  node.visit([&](const auto& n) { ss << n; });
  return boost::json::value(ss.str());
}

}  // namespace

Result<Config> parse_toml(std::string_view text, std::string_view source_name) {
  toml::table table;
  try {
    table = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream ss;
    ss << "invalid TOML at " << source_name << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
       << e.description();
    return ConfigError{"", ss.str()};
  }
  return from_json_value(to_json(table));
}

}  // namespace berth::config
