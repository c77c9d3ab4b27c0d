// Field-level errors in Kubernetes' shape ("spec.ports[0].port: Invalid value: 0: must be ...").
#pragma once

#include <string>
#include <vector>

namespace capstan::messages {

// The rule a field broke; mirrors k8s.io/apimachinery/pkg/util/validation/field.ErrorType.
enum class field_error_type {
  invalid,        // the value is malformed or out of range
  required,       // the field must be set
  duplicate,      // the value repeats one that must be unique
  not_supported,  // the value is not one of an enumerated set
  forbidden,      // the field may not be set here
  too_long,       // the value exceeds a length limit
  unknown_field,  // the field does not exist in this kind (strict decoding)
  type_mismatch,  // the JSON/YAML value has the wrong type for the field
  not_found,      // the value refers to something that does not exist
};

// One error: which field (a path like "spec.containers[0].image"), its value as the user
// wrote it (already quoted when it is a string), and a human detail.
struct field_error {
  field_error_type type;
  std::string field;
  std::string value;
  std::string detail;

  // "spec.replicas: Invalid value: -1: must be greater than or equal to 0".
  std::string to_string() const;
};

using field_errors = std::vector<field_error>;

// Quotes a string value for an error message the way Kubernetes does ("\"Foo\"").
std::string quote(const std::string& value);

field_error invalid(std::string field, std::string value, std::string detail);
field_error required(std::string field, std::string detail = {});
field_error duplicate(std::string field, std::string value);
field_error not_supported(std::string field, std::string value,
                          const std::vector<std::string>& supported);
field_error forbidden(std::string field, std::string detail);
field_error too_long(std::string field, std::size_t max_length);
field_error not_found(std::string field, std::string value);

// Joins path segments: child("spec", "ports") == "spec.ports"; index("spec.ports", 0) ==
// "spec.ports[0]"; key("metadata.labels", "app") == "metadata.labels[app]".
std::string child(const std::string& path, const std::string& name);
std::string index(const std::string& path, std::size_t i);
std::string key(const std::string& path, const std::string& k);

}  // namespace capstan::messages
