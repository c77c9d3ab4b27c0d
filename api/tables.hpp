// Server-side Table output (meta.k8s.io/v1 Table): the columns kubectl prints for each kind.
#pragma once

#include <vector>

#include "messages/json_codec.hpp"

namespace capstan::api {

// A Table of `objects` (all of one kind), rows carrying PartialObjectMetadata so kubectl's
// -A, --show-labels and -L work. `now` is for AGE.
messages::json table_of(messages::object_kind kind,
                        const std::vector<messages::any_object>& objects, uint64_t resource_version,
                        int64_t now);

// "5s", "3m", "2h", "4d" as kubectl prints ages.
std::string human_age(int64_t seconds);

}  // namespace capstan::api
