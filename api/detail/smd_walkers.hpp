// Walks over (schema, JSON value), structured-merge-diff's typed operations: check a
// configuration against the schema, the field set a value sets, the difference of two objects
// as field sets, the merge of a configuration into an object, and the removal of the fields a
// set names. Detail of api/managed_fields.cpp. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/detail/field_set.hpp"
#include "api/detail/smd_schema.hpp"
#include "messages/json_codec.hpp"

namespace capstan::api::detail {

// Problems that stop a configuration from being read with the schema, SMD's wording
// (`.spec.foo: field not declared in schema`).
// Each problem is appended to `out`; `at` is v's path (restored on return).
void check_config(const schema_node& s, const messages::json& v, path& at,
                  std::vector<std::string>& out);

// The fields a value sets, as SMD's ToFieldSet counts them: leaves, atomic values, list items
// (with "."), map keys, and struct fields whose value is null or {}.
field_set fields_of(const schema_node& s, const messages::json& v);

// SMD EnsureNamedFieldsAreMembers: a struct field with owned paths below it counts as owned
// itself (map keys and list items do not), so that pruning can tell "nobody owns anything
// here" from "someone owns something inside".
field_set with_named_fields(const schema_node& s, field_set set);

struct comparison {
  field_set removed, modified, added;
};

// SMD's compare: leaves (scalars, atomic values, empty maps and lists) are added, removed or
// modified; a map, struct or list that appears or disappears is added or removed itself too.
comparison compare_objects(const schema_node& s, const messages::json& l, const messages::json& r);

// SMD's merge with the right side winning: structs and maps merge member by member, keyed
// lists item by item (live-only items keep their place, shared ones follow the right side's
// order), everything else is replaced. nullopt: absent.
// `s` may be nullptr (a value the schema does not declare), `l` and `r` nullptr when absent.
std::optional<messages::json> merge_at(const schema_node* s, const messages::json* l,
                                       const messages::json* r);

// SMD RemoveItems: drops the subtree of every member of `node` (the part of the set below
// v's path). A struct or map left empty reads as null, as in SMD.
// nullopt: nothing is left of v.
std::optional<messages::json> remove_at(const schema_node* s, const messages::json& v,
                                        const field_set& node);

}  // namespace capstan::api::detail
