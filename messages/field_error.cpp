#include "messages/field_error.hpp"

namespace capstan::messages {

std::string quote(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

std::string field_error::to_string() const {
  std::string body;
  switch (type) {
    case field_error_type::invalid:
      body = "Invalid value: " + value;
      break;
    case field_error_type::required:
      body = "Required value";
      break;
    case field_error_type::duplicate:
      body = "Duplicate value: " + value;
      break;
    case field_error_type::not_supported:
      body = "Unsupported value: " + value;
      break;
    case field_error_type::forbidden:
      body = "Forbidden";
      break;
    case field_error_type::too_long:
      body = "Too long";
      break;
    case field_error_type::unknown_field:
      body = "Unknown field";
      break;
    case field_error_type::type_mismatch:
      body = "Invalid type: " + value;
      break;
    case field_error_type::not_found:
      body = "Not found: " + value;
      break;
  }
  if (!detail.empty())
    body += ": " + detail;
  return field.empty() ? body : field + ": " + body;
}

field_error invalid(std::string field, std::string value, std::string detail) {
  return {field_error_type::invalid, std::move(field), std::move(value), std::move(detail)};
}

field_error required(std::string field, std::string detail) {
  return {field_error_type::required, std::move(field), {}, std::move(detail)};
}

field_error duplicate(std::string field, std::string value) {
  return {field_error_type::duplicate, std::move(field), std::move(value), {}};
}

field_error not_supported(std::string field, std::string value,
                          const std::vector<std::string>& supported) {
  std::string detail = "supported values: ";
  for (std::size_t i = 0; i < supported.size(); ++i)
    detail += (i ? ", " : "") + quote(supported[i]);
  return {field_error_type::not_supported, std::move(field), std::move(value), detail};
}

field_error forbidden(std::string field, std::string detail) {
  return {field_error_type::forbidden, std::move(field), {}, std::move(detail)};
}

field_error too_long(std::string field, std::size_t max_length) {
  return {field_error_type::too_long,
          std::move(field),
          {},
          "may not be more than " + std::to_string(max_length) + " bytes"};
}

field_error not_found(std::string field, std::string value) {
  return {field_error_type::not_found, std::move(field), std::move(value), {}};
}

std::string child(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

std::string index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::string key(const std::string& path, const std::string& k) {
  return path + "[" + k + "]";
}

}  // namespace capstan::messages
