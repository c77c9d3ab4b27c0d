// The compact form of an object that the console's tables read (/capstan/v1/state?compact=true):
// only the fields they show, encoded straight from the object. A pod is then ~250 bytes of
// JSON instead of ~1.5 kB, and a page of 5,000 of them costs no full encoding to prune.
#pragma once

#include <string>
#include <vector>

#include "messages/json_codec.hpp"

namespace capstan::api::audit {

// The kept fields as dotted JSON paths ("metadata.name", "spec.ports.port"): a path names a
// field kept whole; lists along a path are walked through, item by item.
const std::vector<std::string>& compact_fields();

// `object` as to_json encodes it, with only the compact fields: the same members, in the same
// order, as to_json's output with every member outside them removed (an object or list met on
// the way to a kept field stays, holding only what leads to one).
messages::json compact_object_json(const messages::any_object& object);

}  // namespace capstan::api::audit
