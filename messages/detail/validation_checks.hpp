// The checks every kind's validation is made of (messages/validation.cpp,
// messages/pod_validation.cpp): each appends what is wrong with one value to `errors`, with
// Kubernetes' wording, and leaves `errors` alone when the value is valid.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messages/field_error.hpp"
#include "messages/name_rules.hpp"
#include "messages/objects.hpp"

namespace capstan::messages::detail {

using name_rule = problems (*)(const std::string&);

// Each problem `found` with `value` (shown as given) as an invalid value at `path`.
void check(const problems& found, const std::string& path, const std::string& value,
           field_errors& errors);
// `value` against a name rule (name_rules.hpp), shown quoted.
void check_string(name_rule rule, const std::string& value, const std::string& path,
                  field_errors& errors);
// As check_string, and required.
void check_required_name(name_rule rule, const std::string& value, const std::string& path,
                         field_errors& errors);
// One of `allowed` (or empty, when `allow_empty`).
void check_enum(const std::string& value, const std::vector<std::string>& allowed,
                const std::string& path, field_errors& errors, bool allow_empty = false);
void check_non_negative(int64_t value, const std::string& path, field_errors& errors);
// Resource names capstan knows (or domain-qualified extended ones) with non-negative
// quantities; memory in whole bytes.
void validate_resource_list(const resource_list& list, const std::string& path,
                            field_errors& errors);
// A port given by number (1-65535) or by name (an IANA service name).
void validate_port_ref(const int_or_string& port, const std::string& path, field_errors& errors);

}  // namespace capstan::messages::detail
