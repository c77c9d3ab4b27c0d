// Strips server-owned fields from field sets.
#include "api/detail/unownable_fields.hpp"

namespace capstan::api::detail {

namespace m = messages;
using m::json;

void drop_unownable(field_set& s, const std::string& subresource) {
  if (subresource == "status") {
    for (auto it = s.children.begin(); it != s.children.end();)
      it = it->first.type == path_element::field && it->first.name == "status"
               ? std::next(it)
               : s.children.erase(it);
    return;
  }
  auto drop_member = [](field_set& node, const std::string& name) {
    auto it = node.children.find(path_element::of_field(name));
    if (it == node.children.end())
      return;
    it->second.member = false;
    if (it->second.children.empty())
      node.children.erase(it);
  };
  s.children.erase(path_element::of_field("status"));
  drop_member(s, "apiVersion");
  drop_member(s, "kind");
  auto meta = s.children.find(path_element::of_field("metadata"));
  if (meta == s.children.end())
    return;
  for (const char* name : {"name", "namespace", "creationTimestamp", "selfLink", "uid",
                           "clusterName", "generation", "managedFields", "resourceVersion"})
    drop_member(meta->second, name);
  drop_member(s, "metadata");
}

void drop_unownable(comparison& c, const std::string& subresource) {
  drop_unownable(c.removed, subresource);
  drop_unownable(c.modified, subresource);
  drop_unownable(c.added, subresource);
}

}  // namespace capstan::api::detail
