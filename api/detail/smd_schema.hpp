// The schema field ownership works on (structured-merge-diff's): for each of capstan's kinds, which
// values are scalars, atomic, structs owned field by field, maps owned key by key, or lists
// merged by their keys, as core/v1 declares them. Detail of api/managed_fields.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "messages/json_codec.hpp"
#include "messages/objects.hpp"

namespace capstan::api::detail {

enum class shape : uint8_t {
  scalar,      // a leaf value
  atomic,      // a list, map or struct owned and replaced whole
  record,      // a struct: its declared fields owned one by one
  map,         // free keys (labels): each key owned on its own
  keyed_list,  // x-kubernetes-list-type=map: elements identified by their key fields
};

struct key_field {
  std::string name;
  messages::json default_value;  // null: none
};

struct schema_node {
  shape kind = shape::scalar;
  std::vector<std::pair<std::string, const schema_node*>> fields;  // record
  const schema_node* element = nullptr;                            // map values, list elements
  std::vector<key_field> keys;                                     // keyed_list, sorted by name

  // The schema of member `name`; nullptr when a record does not declare it.
  const schema_node* child(const std::string& name) const {
    if (kind == shape::map)
      return element;
    for (const auto& [n, s] : fields)
      if (n == name)
        return s;
    return nullptr;
  }
  bool declares(const std::string& name) const {
    return kind == shape::record && child(name) != nullptr;
  }
};

// The schema of a whole object of `kind`, apiVersion and kind included: derived once from the
// field lists of messages/ (merge keys and atomic types as core/v1 declares them), then shared.
// Thread-safe; the node lives as long as the program.
const schema_node* kind_schema(messages::object_kind kind);

}  // namespace capstan::api::detail
