// Admission of creates: defaulting and validation, the namespace must exist, LimitRange
// defaults and bounds, ResourceQuota. Pure functions over the read model's state; a refusal
// appends nothing.
#pragma once

#include <map>
#include <string>

#include "actors/commands.hpp"

namespace capstan::actors {

// Quota-counted usage of one object or namespace, in the units quotas use.
struct quota_usage {
  std::map<std::string, int64_t> milli;  // resource name ("pods", "requests.cpu") -> milli-units
  void add(const quota_usage& other, int sign = 1);
};

// What `object` counts against quotas when created.
quota_usage usage_of(const any_object& object);

// Admits `object` for creation: returns the object as it will be stored (defaults and
// LimitRange defaults applied), or the refusal. `pending` is the usage of admitted creates in
// the object's namespace that are not yet committed (so concurrent creates cannot overshoot).
std::variant<any_object, command_reply> admit_create(any_object object,
                                                     const store::cluster_state& state,
                                                     const quota_usage& pending);

}  // namespace capstan::actors
