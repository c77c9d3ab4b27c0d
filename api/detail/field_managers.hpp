// The entries of metadata.managedFields as field sets, one per manager: decoded from and encoded
// to the stored form (sorted as Kubernetes sorts them), found by manager, pruned, and capped
// at max_update_managers Update entries. Detail of api/managed_fields.cpp. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "api/detail/field_set.hpp"
#include "api/managed_fields.hpp"
#include "messages/json_codec.hpp"

namespace capstan::api::detail {

// One manager's entry: who (manager, operation, apiVersion, subresource), when, which fields.
struct manager_entry {
  std::string manager;
  std::string operation;  // "Apply" or "Update"
  std::string api_version = "v1";
  std::string subresource;
  messages::timestamp time;
  field_set fields;

  bool same_manager(const manager_entry& o) const {
    return manager == o.manager && operation == o.operation && subresource == o.subresource &&
           (operation == "Apply" || api_version == o.api_version);
  }
  // Kubernetes' manager identifier (BuildManagerIdentifier): the entry's JSON without time
  // and fields, and without apiVersion for appliers. Conflicts are sorted by it.
  std::string identifier() const {
    messages::json id = messages::json::object();
    id["manager"] = manager;
    id["operation"] = operation;
    if (operation != "Apply" && !api_version.empty())
      id["apiVersion"] = api_version;
    if (!subresource.empty())
      id["subresource"] = subresource;
    return id.dump();
  }
  // How a conflict names the manager: `"kubectl-edit" using v1`.
  std::string printed() const {
    std::string out = messages::json(manager).dump();
    if (!subresource.empty())
      out += " with subresource " + messages::json(subresource).dump();
    if (operation == "Update")
      out += " using " + api_version;
    return out;
  }
};

// Entries with an unknown operation or fields type are dropped (validation refuses them);
// a repeated manager replaces the earlier entry, as Kubernetes decodes them.
std::vector<manager_entry> decode_managers(const managed_fields& in);

// Entries with fields, sorted as Kubernetes sorts them: Apply before Update, then by time,
// manager, apiVersion, subresource.
managed_fields encode_managers(const std::vector<manager_entry>& entries);

// The entry of the manager `who` names (same_manager), appended (a copy of `who`) when missing.
manager_entry& entry_for(std::vector<manager_entry>& entries, const manager_entry& who);

// Drops the entries that own no field.
void drop_empty(std::vector<manager_entry>& entries);

// Kubernetes' capManagersManager: beyond max_update_managers Update entries, the oldest merge
// into one "ancient-changes" entry that keeps the newest of their times.
void cap_update_managers(std::vector<manager_entry>& entries);

}  // namespace capstan::api::detail
