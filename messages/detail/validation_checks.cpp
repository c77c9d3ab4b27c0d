#include "messages/detail/validation_checks.hpp"

#include <set>

#include "messages/input_text.hpp"

namespace capstan::messages::detail {


void check(const problems& found, const std::string& path, const std::string& value,
           field_errors& errors) {
  for (const auto& p : found)
    errors.push_back(invalid(path, value, p));
}

void check_string(name_rule rule, const std::string& value, const std::string& path,
                  field_errors& errors) {
  check(rule(value), path, quote(value), errors);
}

void check_required_name(name_rule rule, const std::string& value, const std::string& path,
                         field_errors& errors) {
  if (value.empty())
    errors.push_back(required(path, "name is required"));
  else
    check_string(rule, value, path, errors);
}

void check_enum(const std::string& value, const std::vector<std::string>& allowed,
                const std::string& path, field_errors& errors, bool allow_empty) {
  if (allow_empty && value.empty())
    return;
  for (const auto& a : allowed)
    if (value == a)
      return;
  if (value.empty())
    errors.push_back(required(path));
  else
    errors.push_back(not_supported(path, quote(value), allowed));
}

void check_non_negative(int64_t value, const std::string& path, field_errors& errors) {
  if (value < 0)
    errors.push_back(invalid(path, std::to_string(value), "must be greater than or equal to 0"));
}

namespace {

// Standard resource names capstan understands, plus any domain-qualified extended resource.
bool known_resource_name(const std::string& name) {
  static const std::set<std::string> standard = {"cpu", "memory", "pods", "ephemeral-storage"};
  if (standard.count(name) || name.rfind("hugepages-", 0) == 0)
    return true;
  return name.find('/') != std::string::npos && qualified_name(name).empty();
}

}  // namespace

void validate_resource_list(const resource_list& list, const std::string& path,
                            field_errors& errors) {
  for (const auto& [name, q] : list) {
    std::string p = key(path, name);
    if (!known_resource_name(name))
      errors.push_back(invalid(p, quote(name),
                               "must be a standard resource type (cpu, memory, pods, "
                               "ephemeral-storage) or fully qualified"));
    if (q.milli() < 0)
      errors.push_back(invalid(p, quote(q.text()), "must be greater than or equal to 0"));
    if (name == "memory" && q.milli() % 1000 != 0 && q.milli() > 0)
      errors.push_back(
          invalid(p, quote(q.text()), "fractional byte value is invalid, must be an integer"));
  }
}

void validate_port_ref(const int_or_string& port, const std::string& path, field_errors& errors) {
  if (port.is_string)
    check_string(port_name, port.string_value, path, errors);
  else
    check(port_number(port.int_value), path, std::to_string(port.int_value), errors);
}

}  // namespace capstan::messages::detail
