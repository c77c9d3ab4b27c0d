// Who a write's fields belong to: the field manager a request names (the fieldManager query
// parameter, else its User-Agent), and Kubernetes' checks of the PATCH options that name it.
// Pure functions; api/managed_fields.hpp records what the manager then owns.
#pragma once

#include <string>

#include "messages/field_error.hpp"

namespace capstan::api {

// Kubernetes ValidatePatchOptions: `fieldManager: Required value: is required for apply patch`
// for an apply without a manager, `force: Forbidden: may not be specified for non-apply patch`,
// and the manager's own rules (at most 128 bytes, printable). Reply 422 Invalid with
// invalid_patch_options_message().
messages::field_errors validate_patch_options(bool apply_patch, const std::string& field_manager,
                                              bool force_given);
// `PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: ...` (several errors
// in brackets, comma-separated), as Kubernetes words it.
std::string invalid_patch_options_message(const messages::field_errors& errors);

// The manager of a write: the `fieldManager` query parameter, else the User-Agent up to its
// first "/" ("kubectl/v1.32.4 (linux/amd64)" -> "kubectl", "python-requests/2.31" ->
// "python-requests"), printable characters only, at most 128 bytes; "unknown" if that is empty.
std::string manager_or_user_agent(const std::string& field_manager, const std::string& user_agent);

}  // namespace capstan::api
