// Kubernetes label selectors: equality-based ("name=redis,env!=prod") and set-based
// ("tier in (a, b)", "notin", "key", "!key", "gt"/"lt" as key>N, key<N).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "messages/types.hpp"

namespace capstan::messages {

struct label_requirement {
  enum class op { equals, not_equals, in, not_in, exists, does_not_exist, greater_than, less_than };
  std::string key;
  op operation = op::exists;
  std::vector<std::string> values;  // sorted and unique for in/not_in; one value otherwise

  bool matches(const string_map& labels) const;
};

// A parse failure: `position` is the 0-based offset in the input where parsing stopped.
struct selector_syntax_error {
  std::size_t position;
  std::string message;
  std::string to_string(const std::string& input) const;
};

class label_selector {
public:
  // The empty selector matches everything.
  label_selector() = default;

  static std::variant<label_selector, selector_syntax_error> parse(const std::string& text);
  // An equality selector from a map such as an RC's spec.selector.
  static label_selector from_map(const string_map& equalities);

  bool matches(const string_map& labels) const;
  bool empty() const { return requirements_.empty(); }
  const std::vector<label_requirement>& requirements() const { return requirements_; }
  // Canonical text, requirements in key order: "env!=prod,name in (a,b)".
  std::string to_string() const;

private:
  std::vector<label_requirement> requirements_;
};

}  // namespace capstan::messages
