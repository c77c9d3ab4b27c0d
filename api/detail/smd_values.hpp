// JSON values as structured-merge-diff compares them: equality that ignores key order, and SMD's
// total order of values (the order of list keys and of paths in a field set). Detail of
// api/managed_fields.cpp. Pure functions.
#pragma once

#include <string>

#include "messages/json_codec.hpp"

namespace capstan::api::detail {

// Member `name` of `object`, or nullptr when it is absent or `object` is no object.
const messages::json* member(const messages::json& object, const std::string& name);

// Deep equality with objects compared as key sets (ordered_json compares key order too).
// `ignore_nulls`: a null member equals an absent one.
bool same_value(const messages::json& a, const messages::json& b, bool ignore_nulls = false);

// SMD's value order (numbers < strings < booleans < lists < maps < null, then by value):
// -1, 0 or 1.
int compare_values(const messages::json& a, const messages::json& b);

}  // namespace capstan::api::detail
