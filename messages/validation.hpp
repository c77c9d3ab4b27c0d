// Validation of every kind with Kubernetes' rules. Run after apply_defaults().
#pragma once

#include "messages/field_error.hpp"
#include "messages/objects.hpp"

namespace capstan::messages {

// Every problem with `object`, each with the path of the field that has it. Empty when valid.
field_errors validate(const any_object& object);

// Parts reused by admission and the API server.
void validate_pod_spec(const pod_spec& spec, const std::string& path, field_errors& errors);
void validate_labels(const string_map& labels, const std::string& path, field_errors& errors);
// A field manager's name (the `fieldManager` query parameter, managedFields[].manager): at
// most 128 bytes, printable characters only (Kubernetes ValidateFieldManager). Empty is valid
// here; apply requires one (api/managed_fields.hpp).
void validate_field_manager(const std::string& manager, const std::string& path,
                            field_errors& errors);

// The valid NodePort range, inclusive.
inline constexpr int32_t node_port_min = 30000;
inline constexpr int32_t node_port_max = 32767;

}  // namespace capstan::messages
