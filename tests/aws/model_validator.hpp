// File: tests/aws/model_validator.hpp — validates request bodies against a botocore service model (members, required, limits, enums).
#pragma once

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace berth::aws::testing {

class ServiceModel {
 public:
  explicit ServiceModel(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::ostringstream ss;
    ss << in.rdbuf();
    model_ = boost::json::parse(ss.str()).as_object();
  }

  const boost::json::object& metadata() const { return model_.at("metadata").as_object(); }
  bool has_operation(std::string_view op) const { return model_.at("operations").as_object().contains(op); }

  // Problems with `body` as the input of `op` (empty = valid).
  std::vector<std::string> validate_input(std::string_view op, const boost::json::value& body) const {
    std::vector<std::string> problems;
    if (!has_operation(op)) {
      problems.push_back("unknown operation " + std::string(op));
      return problems;
    }
    const auto& o = model_.at("operations").at(op).as_object();
    validate(body, std::string(o.at("input").at("shape").as_string()), std::string(op), problems);
    return problems;
  }

 private:
  const boost::json::object& shape(const std::string& name) const {
    return model_.at("shapes").at(name).as_object();
  }

  static std::int64_t num(const boost::json::value& v) {
    return v.is_int64() ? v.get_int64() : v.is_uint64() ? static_cast<std::int64_t>(v.get_uint64()) : 0;
  }

  void validate(const boost::json::value& v, const std::string& shape_name, const std::string& path,
                std::vector<std::string>& problems) const {
    const auto& s = shape(shape_name);
    const std::string type(s.at("type").as_string());
    auto fail = [&](const std::string& what) { problems.push_back(path + ": " + what); };
    if (type == "structure") {
      if (!v.is_object()) return fail("expected object");
      const auto& members = s.at("members").as_object();
      for (const auto& [k, val] : v.get_object()) {
        if (!members.contains(k)) {
          fail("unknown member " + std::string(k));
          continue;
        }
        validate(val, std::string(members.at(k).at("shape").as_string()), path + "." + std::string(k), problems);
      }
      if (const auto* req = s.if_contains("required"))
        for (const auto& r : req->as_array())
          if (!v.get_object().contains(r.as_string())) fail("missing required member " + std::string(r.as_string()));
    } else if (type == "list") {
      if (!v.is_array()) return fail("expected array");
      const auto n = static_cast<std::int64_t>(v.get_array().size());
      if (const auto* mn = s.if_contains("min"); mn && n < num(*mn)) fail("fewer than min entries");
      if (const auto* mx = s.if_contains("max"); mx && n > num(*mx)) fail("more than max entries");
      std::size_t i = 0;
      for (const auto& e : v.get_array())
        validate(e, std::string(s.at("member").at("shape").as_string()), path + "[" + std::to_string(i++) + "]",
                 problems);
    } else if (type == "map") {
      if (!v.is_object()) return fail("expected object (map)");
      for (const auto& [k, val] : v.get_object()) {
        validate(boost::json::value(k), std::string(s.at("key").at("shape").as_string()), path + ".key", problems);
        validate(val, std::string(s.at("value").at("shape").as_string()), path + "." + std::string(k), problems);
      }
    } else if (type == "string") {
      if (!v.is_string()) return fail("expected string");
      const auto& str = v.get_string();
      if (const auto* e = s.if_contains("enum")) {
        bool found = false;
        for (const auto& x : e->as_array()) found = found || x.as_string() == str;
        if (!found) fail("not in enum: " + std::string(str));
      }
      if (const auto* mn = s.if_contains("min"); mn && static_cast<std::int64_t>(str.size()) < num(*mn)) fail("too short");
      if (const auto* mx = s.if_contains("max"); mx && static_cast<std::int64_t>(str.size()) > num(*mx)) fail("too long");
    } else if (type == "integer" || type == "long") {
      if (!v.is_int64() && !v.is_uint64()) return fail("expected integer");
      if (const auto* mn = s.if_contains("min"); mn && num(v) < num(*mn)) fail("below min");
      if (const auto* mx = s.if_contains("max"); mx && num(v) > num(*mx)) fail("above max");
    } else if (type == "boolean") {
      if (!v.is_bool()) fail("expected boolean");
    } else if (type == "double" || type == "float") {
      if (!v.is_number()) fail("expected number");
    } else if (type == "timestamp") {
      if (!v.is_number() && !v.is_string()) fail("expected timestamp");
    } else if (type == "blob") {
      if (!v.is_string()) fail("expected base64 string");
    }
  }

  boost::json::object model_;
};

}  // namespace berth::aws::testing
