// Kubernetes field selectors ("metadata.name=x,spec.nodeName!=,status.phase=Running"): the
// fields each kind supports, parsing, and matching against an object.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "messages/objects.hpp"

namespace capstan::messages {

struct field_requirement {
  std::string field;  // "spec.nodeName"
  bool equals = true; // false for !=
  std::string value;
};

class field_selector {
public:
  field_selector() = default;  // matches everything

  // Parses and checks every field against what `kind` supports; the error names the field
  // and lists the supported ones, as the API server's 400 does.
  static std::variant<field_selector, std::string> parse(const std::string& text, object_kind kind);

  bool matches(const any_object& object) const;
  bool empty() const { return requirements_.empty(); }
  const std::vector<field_requirement>& requirements() const { return requirements_; }
  // The value a requirement on `field` demands with ==, if any (for index lookups).
  std::optional<std::string> required_value(const std::string& field) const;

private:
  std::vector<field_requirement> requirements_;
};

// The value of a selectable field of an object ("" when unset), or nullopt when the kind does
// not support the field.
std::optional<std::string> field_value(const any_object& object, const std::string& field);

// The fields a kind can be selected by, for error messages.
std::vector<std::string> selectable_fields(object_kind kind);

}  // namespace capstan::messages
