#include "messages/name_rules.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include <arpa/inet.h>

namespace capstan::messages {

namespace {

const char* const dns1123_label_fmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const char* const dns1123_subdomain_fmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const char* const dns1035_label_fmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
const char* const qualified_name_fmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const char* const label_value_fmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const char* const env_var_name_fmt = "[-._a-zA-Z][-._a-zA-Z0-9]*";

bool alnum_lower(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool alnum(char c) {
  return alnum_lower(c) || (c >= 'A' && c <= 'Z');
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])? over [begin, end)
bool is_dns1123_label(std::string_view v) {
  if (v.empty() || !alnum_lower(v.front()) || !alnum_lower(v.back()))
    return false;
  for (char c : v)
    if (!alnum_lower(c) && c != '-')
      return false;
  return true;
}

// The patterns above, matched by hand in one pass: libstdc++'s std::regex recurses once per
// character and overflowed the stack on a 30,000-character name (a crash of the master).
bool matches(const std::string& value, const char* pattern) {
  std::string_view v(value);
  if (pattern == dns1123_label_fmt)
    return is_dns1123_label(v);
  if (pattern == dns1123_subdomain_fmt) {
    if (v.empty())
      return false;
    std::size_t start = 0;
    for (;;) {
      std::size_t dot = v.find('.', start);
      if (!is_dns1123_label(v.substr(start, dot == std::string_view::npos ? v.npos : dot - start)))
        return false;
      if (dot == std::string_view::npos)
        return true;
      start = dot + 1;
    }
  }
  if (pattern == dns1035_label_fmt)
    return !v.empty() && v.front() >= 'a' && v.front() <= 'z' && is_dns1123_label(v);
  if (pattern == qualified_name_fmt || pattern == label_value_fmt) {
    if (v.empty())
      return pattern == label_value_fmt;
    if (!alnum(v.front()) || !alnum(v.back()))
      return false;
    for (char c : v)
      if (!alnum(c) && c != '-' && c != '_' && c != '.')
        return false;
    return true;
  }
  if (pattern == env_var_name_fmt) {
    if (v.empty() || (!alnum(v.front()) && v.front() != '-' && v.front() != '.' &&
                      v.front() != '_') ||
        (v.front() >= '0' && v.front() <= '9'))
      return false;
    for (char c : v)
      if (!alnum(c) && c != '-' && c != '.' && c != '_')
        return false;
    return true;
  }
  return false;
}

std::string max_len_msg(std::size_t n) {
  return "must be no more than " + std::to_string(n) + " characters";
}

std::string regex_msg(const std::string& what, const char* fmt, const std::string& examples) {
  return what + " (e.g. " + examples + ", regex used for validation is '" + fmt + "')";
}

}  // namespace

problems dns1123_label(const std::string& value) {
  problems out;
  if (value.size() > 63)
    out.push_back(max_len_msg(63));
  if (!matches(value, dns1123_label_fmt))
    out.push_back(
        regex_msg("a lowercase RFC 1123 label must consist of lower case alphanumeric "
                  "characters or '-', and must start and end with an alphanumeric "
                  "character",
                  dns1123_label_fmt, "'my-name',  or '123-abc'"));
  return out;
}

problems dns1123_subdomain(const std::string& value) {
  problems out;
  if (value.size() > 253)
    out.push_back(max_len_msg(253));
  if (!matches(value, dns1123_subdomain_fmt))
    out.push_back(
        regex_msg("a lowercase RFC 1123 subdomain must consist of lower case "
                  "alphanumeric characters, '-' or '.', and must start and end with "
                  "an alphanumeric character",
                  dns1123_subdomain_fmt, "'example.com'"));
  return out;
}

problems dns1035_label(const std::string& value) {
  problems out;
  if (value.size() > 63)
    out.push_back(max_len_msg(63));
  if (!matches(value, dns1035_label_fmt))
    out.push_back(
        regex_msg("a DNS-1035 label must consist of lower case alphanumeric "
                  "characters or '-', start with an alphabetic character, and end "
                  "with an alphanumeric character",
                  dns1035_label_fmt, "'my-name',  or 'abc-123'"));
  return out;
}

problems path_segment_name(const std::string& value) {
  // Kubernetes' IsValidPathSegmentName: the name is one segment of the object's URL.
  problems out;
  if (value == "." || value == "..")
    out.push_back("may not be '" + value + "'");
  for (const char* bad : {"/", "%"})
    if (value.find(bad) != std::string::npos)
      out.push_back(std::string("may not contain '") + bad + "'");
  return out;
}

problems config_map_key(const std::string& value) {
  // Kubernetes' IsConfigMapKey: a key is a file name in a volume and a variable's suffix.
  problems out;
  if (value.size() > 253)
    out.push_back("must be no more than 253 characters");
  if (value.empty() || !std::all_of(value.begin(), value.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_' || c == '.';
      }))
    out.push_back("a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                  "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation "
                  "is '[-._a-zA-Z0-9]+')");
  if (value == ".")
    out.push_back("must not be '.'");
  else if (value == "..")
    out.push_back("must not be '..'");
  else if (value.rfind("..", 0) == 0)
    out.push_back("must not start with '..'");
  return out;
}

problems qualified_name(const std::string& value) {
  problems out;
  std::string name = value;
  auto slash = value.find('/');
  if (slash != std::string::npos) {
    std::string prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty())
      out.push_back("prefix part must be non-empty");
    else
      for (const auto& p : dns1123_subdomain(prefix))
        out.push_back("prefix part " + p);
    if (name.find('/') != std::string::npos) {
      out.push_back(
          regex_msg("a qualified name must consist of alphanumeric characters, '-', "
                    "'_' or '.', and must start and end with an alphanumeric "
                    "character, with an optional DNS subdomain prefix and '/'",
                    qualified_name_fmt, "'MyName',  or 'my.name',  or '123-abc'"));
      return out;
    }
  }
  if (name.empty()) {
    out.push_back("name part must be non-empty");
    return out;
  }
  if (name.size() > 63)
    out.push_back("name part " + max_len_msg(63));
  if (!matches(name, qualified_name_fmt))
    out.push_back(
        regex_msg("name part must consist of alphanumeric characters, '-', '_' or "
                  "'.', and must start and end with an alphanumeric character",
                  qualified_name_fmt, "'MyName',  or 'my.name',  or '123-abc'"));
  return out;
}

problems label_value(const std::string& value) {
  problems out;
  if (value.size() > 63)
    out.push_back(max_len_msg(63));
  if (!matches(value, label_value_fmt))
    out.push_back(
        regex_msg("a valid label must be an empty string or consist of alphanumeric "
                  "characters, '-', '_' or '.', and must start and end with an "
                  "alphanumeric character",
                  label_value_fmt, "'MyValue',  or 'my_value',  or '12345'"));
  return out;
}

problems port_number(int64_t value) {
  if (value < 1 || value > 65535)
    return {"must be between 1 and 65535, inclusive"};
  return {};
}

problems port_name(const std::string& value) {
  problems out;
  if (value.size() > 15)
    out.push_back("must be no more than 15 characters");
  bool only_allowed = true, has_letter = false;
  for (char c : value) {
    if (c >= 'a' && c <= 'z')
      has_letter = true;
    else if (!(c >= '0' && c <= '9') && c != '-')
      only_allowed = false;
  }
  if (!only_allowed)
    out.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (value.find("--") != std::string::npos)
    out.push_back("must not contain consecutive hyphens");
  if (!has_letter)
    out.push_back("must contain at least one letter (a-z)");
  if (!value.empty() && (value.front() == '-' || value.back() == '-'))
    out.push_back("must not begin or end with a hyphen");
  return out;
}

problems env_var_name(const std::string& value) {
  problems out;
  if (!matches(value, env_var_name_fmt))
    out.push_back(
        regex_msg("a valid environment variable name must consist of alphabetic "
                  "characters, digits, '_', '-', or '.', and must not start with a "
                  "digit",
                  env_var_name_fmt,
                  "'my.env-name',  or 'MY_ENV.NAME',  or "
                  "'MyEnvName1'"));
  if (value == "." || value == "..")
    out.push_back("must not be '.' or '..'");
  return out;
}

problems ipv4_address(const std::string& value) {
  in_addr addr{};
  if (inet_pton(AF_INET, value.c_str(), &addr) != 1)
    return {"must be a valid IPv4 address, (e.g. 10.9.8.7)"};
  return {};
}

problems ipv4_cidr(const std::string& value) {
  auto slash = value.find('/');
  if (slash == std::string::npos || !ipv4_address(value.substr(0, slash)).empty())
    return {"must be a valid CIDR value, (e.g. 10.244.1.0/24)"};
  const std::string bits = value.substr(slash + 1);
  if (bits.empty() || bits.size() > 2 ||
      bits.find_first_not_of("0123456789") != std::string::npos || std::stoi(bits) > 32)
    return {"must be a valid CIDR value, (e.g. 10.244.1.0/24)"};
  return {};
}

}  // namespace capstan::messages
