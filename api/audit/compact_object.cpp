#include "api/audit/compact_object.hpp"

#include <map>
#include <string_view>

namespace capstan::api::audit {

using namespace messages;

namespace {

// The compact fields as a tree of names: `whole` where a path ends.
struct field_tree {
  std::map<std::string, field_tree, std::less<>> children;
  bool whole = false;
};

const field_tree& kept_tree() {
  static const field_tree tree = [] {
    field_tree root;
    for (const auto& path : compact_fields()) {
      field_tree* node = &root;
      for (std::size_t start = 0;;) {
        const auto dot = path.find('.', start);
        node = &node->children[path.substr(start, dot - start)];
        if (dot == std::string::npos)
          break;
        start = dot + 1;
      }
      node->whole = true;
    }
    return root;
  }();
  return tree;
}

template <class T>
json encode_kept(const T& value, const field_tree& node);

// Visits an object's fields as detail::json_encoder does, keeping only the tree's.
struct kept_fields_encoder {
  json& out;
  const field_tree& node;
  template <class T>
  void operator()(const char* name, const T& v) {
    if constexpr (!std::is_same_v<T, sealed_bytes>)
      if (!detail::is_zero(v))
        always(name, v);
  }
  template <class T>
  void always(const char* name, const T& v) {
    if constexpr (!std::is_same_v<T, sealed_bytes>) {
      auto child = node.children.find(std::string_view(name));
      if (child != node.children.end())
        out[name] = encode_kept(v, child->second);
    }
  }
};

template <class T>
json encode_kept(const T& value, const field_tree& node) {
  if (node.whole) {
    return detail::encode_json(value);
  } else if constexpr (detail::is_optional<T>::value) {
    return value ? encode_kept(*value, node) : json(nullptr);
  } else if constexpr (detail::is_vector<T>::value) {
    json out = json::array();
    for (const auto& item : value)
      out.push_back(encode_kept(item, node));
    return out;
  } else if constexpr (detail::has_fields<T>::value) {
    json out = json::object();
    kept_fields_encoder encoder{out, node};
    fields(encoder, const_cast<T&>(value));  // the encoder only reads
    return out;
  } else {
    return detail::encode_json(value);  // a value on the way to a kept field: as it is
  }
}

}  // namespace

const std::vector<std::string>& compact_fields() {
  static const std::vector<std::string> paths = {
      "kind", "apiVersion", "metadata.name", "metadata.namespace", "metadata.uid",
      "metadata.creationTimestamp", "metadata.deletionTimestamp", "spec.nodeName",
      "spec.replicas", "spec.clusterIP", "spec.ports.port", "spec.ports.nodePort",
      "spec.containers.name", "spec.containers.resources", "status.phase", "status.podIP",
      "status.replicas", "status.readyReplicas", "status.conditions.type",
      "status.conditions.status", "status.capacity", "status.containerStatuses.name",
      "status.containerStatuses.restartCount", "subsets.addresses.ip"};
  return paths;
}

json compact_object_json(const any_object& object) {
  return std::visit(
      [&](const auto& o) {
        json out = json::object();
        out["kind"] = std::string(info(kind_of(object)).name);
        out["apiVersion"] = api_version(kind_of(object));
        json kept = encode_kept(o, kept_tree());
        for (auto& [k, v] : kept.items())
          out[k] = std::move(v);
        return out;
      },
      object);
}

}  // namespace capstan::api::audit
