#include "messages/label_selector.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>

#include "messages/field_error.hpp"
#include "messages/name_rules.hpp"

namespace capstan::messages {

namespace {

// The value of a decimal integer made of digits only that fits 64 bits, as Kubernetes reads the
// operands of '>' and '<' (strconv.ParseInt); nullopt for anything else.
std::optional<int64_t> integer_value(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

// A hand-written scanner over the selector grammar of k8s.io/apimachinery/pkg/labels.
class selector_parser {
public:
  explicit selector_parser(const std::string& text) : text_(text) {}

  std::variant<label_selector, selector_syntax_error> parse(std::vector<label_requirement>& out) {
    skip_spaces();
    if (at_end())
      return label_selector{};
    for (;;) {
      label_requirement r;
      if (auto err = requirement(r))
        return *err;
      out.push_back(std::move(r));
      skip_spaces();
      if (at_end())
        break;
      if (peek() != ',')
        return error("expected ',' or end of selector, found '" + std::string(1, peek()) + "'");
      ++pos_;
      skip_spaces();
      if (at_end())
        return error("expected a requirement after ','");
    }
    return label_selector{};
  }

private:
  using result = std::optional<selector_syntax_error>;

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  void skip_spaces() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(peek())))
      ++pos_;
  }
  selector_syntax_error error(std::string message) const { return {pos_, std::move(message)}; }

  static bool is_word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '/';
  }

  std::string word() {
    std::size_t start = pos_;
    while (!at_end() && is_word_char(peek()))
      ++pos_;
    return text_.substr(start, pos_ - start);
  }

  result check_key(const std::string& key, std::size_t at) const {
    auto found = qualified_name(key);
    if (!found.empty())
      return selector_syntax_error{at, "invalid label key " + quote(key) + ": " + found.front()};
    return std::nullopt;
  }

  result check_value(const std::string& value, std::size_t at) const {
    auto found = label_value(value);
    if (!found.empty())
      return selector_syntax_error{at,
                                   "invalid label value " + quote(value) + ": " + found.front()};
    return std::nullopt;
  }

  result requirement(label_requirement& r) {
    bool negated = false;
    if (peek() == '!') {
      negated = true;
      ++pos_;
      skip_spaces();
    }
    std::size_t key_at = pos_;
    r.key = word();
    if (r.key.empty())
      return error(at_end() ? "expected a label key, found end of selector"
                            : "expected a label key, found '" + std::string(1, peek()) + "'");
    if (auto err = check_key(r.key, key_at))
      return err;
    skip_spaces();
    if (negated) {
      r.operation = label_requirement::op::does_not_exist;
      return std::nullopt;
    }
    if (at_end() || peek() == ',') {
      r.operation = label_requirement::op::exists;
      return std::nullopt;
    }
    // Operators: = == != > < in notin
    std::size_t op_at = pos_;
    if (text_.compare(pos_, 2, "==") == 0) {
      pos_ += 2;
      r.operation = label_requirement::op::equals;
    } else if (text_.compare(pos_, 2, "!=") == 0) {
      pos_ += 2;
      r.operation = label_requirement::op::not_equals;
    } else if (peek() == '=') {
      ++pos_;
      r.operation = label_requirement::op::equals;
    } else if (peek() == '>' || peek() == '<') {
      r.operation =
          peek() == '>' ? label_requirement::op::greater_than : label_requirement::op::less_than;
      ++pos_;
    } else {
      std::string op = word();
      if (op == "in")
        r.operation = label_requirement::op::in;
      else if (op == "notin")
        r.operation = label_requirement::op::not_in;
      else {
        pos_ = op_at;
        return error("expected one of '=', '==', '!=', '>', '<', 'in', 'notin' after key " +
                     quote(r.key));
      }
      return value_set(r);
    }
    skip_spaces();
    std::size_t value_at = pos_;
    std::string value = word();
    if (r.operation == label_requirement::op::greater_than ||
        r.operation == label_requirement::op::less_than) {
      if (!integer_value(value)) {
        pos_ = value_at;
        return error("expected an integer of at most 64 bits after '" +
                     std::string(1, text_[op_at]) + "'");
      }
    } else if (auto err = check_value(value, value_at)) {
      return err;
    }
    r.values = {value};
    return std::nullopt;
  }

  result value_set(label_requirement& r) {
    skip_spaces();
    if (at_end() || peek() != '(')
      return error("expected '(' to open the value list of '" +
                   std::string(r.operation == label_requirement::op::in ? "in" : "notin") + "'");
    ++pos_;
    for (;;) {
      skip_spaces();
      std::size_t value_at = pos_;
      std::string value = word();
      if (auto err = check_value(value, value_at))
        return err;
      r.values.push_back(value);
      skip_spaces();
      if (at_end())
        return error("expected ')' to close the value list, found end of selector");
      if (peek() == ')') {
        ++pos_;
        break;
      }
      if (peek() != ',')
        return error("expected ',' or ')' in the value list, found '" + std::string(1, peek()) +
                     "'");
      ++pos_;
    }
    std::sort(r.values.begin(), r.values.end());
    r.values.erase(std::unique(r.values.begin(), r.values.end()), r.values.end());
    return std::nullopt;
  }

  const std::string& text_;
  std::size_t pos_ = 0;
};

}  // namespace

bool label_requirement::matches(const string_map& labels) const {
  auto it = labels.find(key);
  bool has = it != labels.end();
  switch (operation) {
    case op::exists:
      return has;
    case op::does_not_exist:
      return !has;
    case op::equals:
      return has && it->second == values.front();
    case op::not_equals:
      return !has || it->second != values.front();
    case op::in:
      return has && std::binary_search(values.begin(), values.end(), it->second);
    case op::not_in:
      return !has || !std::binary_search(values.begin(), values.end(), it->second);
    case op::greater_than:
    case op::less_than: {
      // A label value that is no integer, or too large for one, matches neither (Kubernetes).
      auto have = has ? integer_value(it->second) : std::nullopt;
      auto want = integer_value(values.front());
      if (!have || !want)
        return false;
      return operation == op::greater_than ? *have > *want : *have < *want;
    }
  }
  return false;
}

std::string selector_syntax_error::to_string(const std::string& input) const {
  return "label selector " + quote(input) + ": at position " + std::to_string(position) + ": " +
         message;
}

std::variant<label_selector, selector_syntax_error> label_selector::parse(const std::string& text) {
  std::vector<label_requirement> requirements;
  auto result = selector_parser(text).parse(requirements);
  if (auto* err = std::get_if<selector_syntax_error>(&result))
    return *err;
  label_selector selector;
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const auto& a, const auto& b) { return a.key < b.key; });
  selector.requirements_ = std::move(requirements);
  return selector;
}

label_selector label_selector::from_map(const string_map& equalities) {
  label_selector selector;
  for (const auto& [k, v] : equalities)
    selector.requirements_.push_back({k, label_requirement::op::equals, {v}});
  return selector;
}

bool label_selector::matches(const string_map& labels) const {
  for (const auto& r : requirements_)
    if (!r.matches(labels))
      return false;
  return true;
}

std::string label_selector::to_string() const {
  std::string out;
  for (const auto& r : requirements_) {
    if (!out.empty())
      out += ",";
    using op = label_requirement::op;
    switch (r.operation) {
      case op::exists:
        out += r.key;
        break;
      case op::does_not_exist:
        out += "!" + r.key;
        break;
      case op::equals:
        out += r.key + "=" + r.values.front();
        break;
      case op::not_equals:
        out += r.key + "!=" + r.values.front();
        break;
      case op::greater_than:
        out += r.key + ">" + r.values.front();
        break;
      case op::less_than:
        out += r.key + "<" + r.values.front();
        break;
      case op::in:
      case op::not_in: {
        out += r.key + (r.operation == op::in ? " in (" : " notin (");
        for (std::size_t i = 0; i < r.values.size(); ++i)
          out += (i ? "," : "") + r.values[i];
        out += ")";
        break;
      }
    }
  }
  return out;
}

}  // namespace capstan::messages
