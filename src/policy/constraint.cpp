// File: src/policy/constraint.cpp — recursive-descent parser and evaluator for placement constraints.
#include "policy/constraint.hpp"

#include <algorithm>
#include <cctype>

namespace berth::policy {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == ':' || c == '/' ||
         c == '*' || c == '?' || c == '@' || c == '+';
}

enum class Tok { end, word, quoted, lparen, rparen, lbracket, rbracket, comma, eq, ne, match, no_match, and_, or_, bang, bad };

struct Token {
  Tok kind = Tok::end;
  std::string_view text;
  std::size_t pos = 0;
};

}  // namespace

class ConstraintParser {
 public:
  explicit ConstraintParser(std::string_view text) : text_(text) { advance(); }

  ConstraintParse run() {
    ConstraintParse out;
    if (cur_.kind == Tok::end) return out;
    int root = parse_or();
    if (!error_ && cur_.kind != Tok::end) fail(cur_.pos, "unexpected '" + std::string(cur_.text) + "'");
    if (error_) {
      out.error = error_;
      return out;
    }
    out.constraint.nodes_ = std::move(nodes_);
    out.constraint.root_ = root;
    return out;
  }

 private:
  using Op = Constraint::Op;

  void fail(std::size_t pos, std::string msg) {
    if (!error_) error_ = ConstraintError{pos, std::move(msg)};
  }

  void advance() {
    std::size_t i = pos_;
    while (i < text_.size() && std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
    cur_ = Token{Tok::end, {}, i};
    if (i >= text_.size()) {
      pos_ = i;
      return;
    }
    auto two = text_.substr(i, 2);
    auto set = [&](Tok k, std::size_t n) {
      cur_ = Token{k, text_.substr(i, n), i};
      pos_ = i + n;
    };
    char c = text_[i];
    if (two == "==") return set(Tok::eq, 2);
    if (two == "!=") return set(Tok::ne, 2);
    if (two == "=~") return set(Tok::match, 2);
    if (two == "!~") return set(Tok::no_match, 2);
    if (two == "&&") return set(Tok::and_, 2);
    if (two == "||") return set(Tok::or_, 2);
    if (c == '(') return set(Tok::lparen, 1);
    if (c == ')') return set(Tok::rparen, 1);
    if (c == '[') return set(Tok::lbracket, 1);
    if (c == ']') return set(Tok::rbracket, 1);
    if (c == ',') return set(Tok::comma, 1);
    if (c == '!') {
      // "!exists" is one keyword; a lone "!" negates.
      if (text_.substr(i, 7) == "!exists" && (i + 7 >= text_.size() || !is_word_char(text_[i + 7])))
        return set(Tok::word, 7);
      return set(Tok::bang, 1);
    }
    if (c == '\'' || c == '"') {
      auto close = text_.find(c, i + 1);
      if (close == std::string_view::npos) {
        fail(i, "unterminated quoted value");
        cur_ = Token{Tok::bad, text_.substr(i), i};
        pos_ = text_.size();
        return;
      }
      cur_ = Token{Tok::quoted, text_.substr(i + 1, close - i - 1), i};
      pos_ = close + 1;
      return;
    }
    if (is_word_char(c)) {
      std::size_t j = i;
      while (j < text_.size() && is_word_char(text_[j])) ++j;
      return set(Tok::word, j - i);
    }
    fail(i, std::string("unexpected character '") + c + "'");
    set(Tok::bad, 1);
  }

  bool is_keyword(std::string_view kw) const { return cur_.kind == Tok::word && iequals(cur_.text, kw); }

  int add(Constraint::Node n) {
    nodes_.push_back(std::move(n));
    return static_cast<int>(nodes_.size() - 1);
  }

  int parse_or() {
    int lhs = parse_and();
    while (!error_ && (cur_.kind == Tok::or_ || is_keyword("or"))) {
      advance();
      int rhs = parse_and();
      Constraint::Node n;
      n.op = Op::or_;
      n.lhs = lhs;
      n.rhs = rhs;
      lhs = add(std::move(n));
    }
    return lhs;
  }

  int parse_and() {
    int lhs = parse_unary();
    while (!error_ && (cur_.kind == Tok::and_ || is_keyword("and"))) {
      advance();
      int rhs = parse_unary();
      Constraint::Node n;
      n.op = Op::and_;
      n.lhs = lhs;
      n.rhs = rhs;
      lhs = add(std::move(n));
    }
    return lhs;
  }

  int parse_unary() {
    if (error_) return -1;
    if (cur_.kind == Tok::bang || is_keyword("not")) {
      advance();
      Constraint::Node n;
      n.op = Op::not_;
      n.lhs = parse_unary();
      return add(std::move(n));
    }
    if (cur_.kind == Tok::lparen) {
      auto open = cur_.pos;
      advance();
      int inner = parse_or();
      if (error_) return -1;
      if (cur_.kind != Tok::rparen) {
        fail(cur_.kind == Tok::end ? open : cur_.pos, "expected ')' to close '(' at " + std::to_string(open));
        return -1;
      }
      advance();
      return inner;
    }
    return parse_predicate();
  }

  int parse_predicate() {
    Constraint::Node n;
    if (cur_.kind != Tok::word) {
      fail(cur_.pos, cur_.kind == Tok::end ? "expected a subject, got end of expression" : "expected a subject");
      return -1;
    }
    auto subject = cur_.text;
    auto subject_pos = cur_.pos;
    if (subject.size() > 10 && iequals(subject.substr(0, 10), "attribute:")) {
      n.subject = Constraint::Subject::attribute;
      n.name = std::string(subject.substr(10));
    } else if (iequals(subject, "ec2InstanceId")) {
      n.subject = Constraint::Subject::ec2_instance_id;
    } else if (iequals(subject, "containerInstanceArn")) {
      n.subject = Constraint::Subject::container_instance_arn;
    } else {
      fail(subject_pos, "unknown subject '" + std::string(subject) +
                            "' (expected attribute:<name>, ec2InstanceId or containerInstanceArn)");
      return -1;
    }
    advance();
    if (is_keyword("exists") || is_keyword("!exists")) {
      n.op = is_keyword("exists") ? Op::exists : Op::not_exists;
      advance();
      return add(std::move(n));
    }
    bool negated_in = false;
    if (is_keyword("not")) {
      negated_in = true;
      advance();
      if (!is_keyword("in")) {
        fail(cur_.pos, "expected 'in' after 'not'");
        return -1;
      }
    }
    if (is_keyword("in")) {
      n.op = negated_in ? Op::not_in : Op::in;
      advance();
      if (cur_.kind != Tok::lbracket) {
        fail(cur_.pos, "expected '[' after 'in'");
        return -1;
      }
      advance();
      for (;;) {
        if (cur_.kind != Tok::word && cur_.kind != Tok::quoted) {
          fail(cur_.pos, "expected a value in list");
          return -1;
        }
        n.values.emplace_back(cur_.text);
        advance();
        if (cur_.kind == Tok::comma) {
          advance();
          continue;
        }
        if (cur_.kind == Tok::rbracket) {
          advance();
          break;
        }
        fail(cur_.pos, "expected ',' or ']' in list");
        return -1;
      }
      return add(std::move(n));
    }
    switch (cur_.kind) {
      case Tok::eq: n.op = Op::eq; break;
      case Tok::ne: n.op = Op::ne; break;
      case Tok::match: n.op = Op::match; break;
      case Tok::no_match: n.op = Op::no_match; break;
      default:
        fail(cur_.pos, "expected an operator (==, !=, =~, !~, in, not in, exists, !exists) after '" +
                           std::string(subject) + "'");
        return -1;
    }
    advance();
    if (cur_.kind != Tok::word && cur_.kind != Tok::quoted) {
      fail(cur_.pos, "expected a value");
      return -1;
    }
    n.values.emplace_back(cur_.text);
    advance();
    return add(std::move(n));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  Token cur_;
  std::vector<Constraint::Node> nodes_;
  std::optional<ConstraintError> error_;
};

ConstraintParse parse_constraint(std::string_view text) { return ConstraintParser(text).run(); }

bool wildcard_match(std::string_view p, std::string_view v) {
  // Iterative glob with single-star backtracking: linear in practice, no regex engine needed.
  std::size_t pi = 0, vi = 0, star = std::string_view::npos, mark = 0;
  while (vi < v.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == v[vi])) {
      ++pi;
      ++vi;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = vi;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool Constraint::matches(const SnapshotInstance& instance) const {
  return root_ < 0 || eval(root_, instance);
}

bool Constraint::eval(int index, const SnapshotInstance& inst) const {
  const Node& n = nodes_[static_cast<std::size_t>(index)];
  switch (n.op) {
    case Op::always: return true;
    case Op::and_: return eval(n.lhs, inst) && eval(n.rhs, inst);
    case Op::or_: return eval(n.lhs, inst) || eval(n.rhs, inst);
    case Op::not_: return !eval(n.lhs, inst);
    default: break;
  }
  std::optional<std::string_view> value;
  switch (n.subject) {
    case Subject::attribute:
      if (auto a = inst.attribute(n.name)) value = a->has_value ? a->value : std::string_view{};
      break;
    case Subject::ec2_instance_id:
      if (!inst.ec2_instance_id.empty()) value = inst.ec2_instance_id;
      break;
    case Subject::container_instance_arn: value = inst.arn; break;
  }
  auto in_list = [&] {
    return value && std::find(n.values.begin(), n.values.end(), *value) != n.values.end();
  };
  switch (n.op) {
    case Op::exists: return value.has_value();
    case Op::not_exists: return !value.has_value();
    case Op::eq: return value && *value == n.values[0];
    case Op::ne: return !value || *value != n.values[0];
    case Op::match: return value && wildcard_match(n.values[0], *value);
    case Op::no_match: return !value || !wildcard_match(n.values[0], *value);
    case Op::in: return in_list();
    case Op::not_in: return !in_list();
    default: return false;
  }
}

bool matches_requirements(std::span<const AttributeRequirement> requirements, const SnapshotInstance& instance) {
  for (const auto& r : requirements) {
    auto a = instance.attribute(r.name);
    if (!a) return false;
    if (!r.value.empty() && (!a->has_value || a->value != r.value)) return false;
  }
  return true;
}

}  // namespace berth::policy
