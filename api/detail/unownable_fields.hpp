// The fields no manager owns: what the server sets (apiVersion, kind, metadata name, uid,
// resourceVersion, ...), and status or everything but status depending on the subresource
// written. Detail of api/managed_fields.cpp. Pure functions.
#pragma once

#include <string>

#include "api/detail/field_set.hpp"
#include "api/detail/smd_walkers.hpp"

namespace capstan::api::detail {

// Removes from a set what no manager may own: apiVersion, kind and the metadata the server
// sets (Kubernetes' stripMeta, exact paths), and status for the main resource or everything
// but status for the status subresource (Kubernetes' reset fields, whole subtrees).
// `subresource`: "" for the main resource, or "status".
void drop_unownable(field_set& s, const std::string& subresource);
// The same for each of a comparison's sets.
void drop_unownable(comparison& c, const std::string& subresource);

}  // namespace capstan::api::detail
