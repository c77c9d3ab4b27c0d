// The field manager of a write request and the checks of PatchOptions.
#include "api/field_manager.hpp"

#include <algorithm>

#include "messages/validation.hpp"

namespace capstan::api {

namespace m = messages;

m::field_errors validate_patch_options(bool apply_patch, const std::string& field_manager,
                                       bool force_given) {
  m::field_errors errors;
  if (apply_patch) {
    if (field_manager.empty())
      errors.push_back(m::required("fieldManager", "is required for apply patch"));
  } else if (force_given) {
    errors.push_back(m::forbidden("force", "may not be specified for non-apply patch"));
  }
  m::validate_field_manager(field_manager, "fieldManager", errors);
  return errors;
}

std::string invalid_patch_options_message(const m::field_errors& errors) {
  std::string out = "PatchOptions.meta.k8s.io \"\" is invalid";
  if (errors.empty())
    return out;
  out += ": ";
  if (errors.size() > 1)
    out += "[";
  for (std::size_t i = 0; i < errors.size(); ++i)
    out += (i ? ", " : "") + errors[i].to_string();
  if (errors.size() > 1)
    out += "]";
  return out;
}

std::string manager_or_user_agent(const std::string& field_manager, const std::string& user_agent) {
  if (!field_manager.empty())
    return field_manager;
  std::string prefix = user_agent.substr(0, user_agent.find('/'));
  std::string out;
  for (std::size_t i = 0; i < prefix.size();) {
    auto c = static_cast<unsigned char>(prefix[i]);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xe  ? 3
                      : (c >> 3) == 0x1e ? 4
                                         : 1;
    len = std::min(len, prefix.size() - i);
    // Only printable ASCII is taken from a header: anything else could be invalid UTF-8.
    bool printable = len == 1 && c >= 0x20 && c < 0x7f;
    if (printable) {
      if (out.size() + len > 128)
        break;
      out.append(prefix, i, len);
    }
    i += len;
  }
  return out.empty() ? "unknown" : out;
}

}  // namespace capstan::api
