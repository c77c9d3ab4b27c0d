// Reads kubectl's protobuf bodies with libprotobuf (lite) and the generated messages of
// api/proto/, then writes the few fields capstan uses as the object's JSON form.
#include "api/protobuf.hpp"

#include <climits>
#include <cstdint>
#include <map>
#include <tuple>

#include <google/protobuf/io/coded_stream.h>

#include "api/proto/authentication.pb.h"
#include "api/proto/authorization.pb.h"
#include "api/proto/core.pb.h"
#include "api/proto/policy.pb.h"
#include "api/proto/rbac.pb.h"
#include "api/proto/runtime.pb.h"
#include "messages/base64.hpp"

namespace capstan::api {

namespace {

namespace meta_v1 = k8s::io::apimachinery::pkg::apis::meta::v1;

// The deepest message kubectl sends nests 3 levels (Eviction > DeleteOptions > Preconditions);
// only unknown groups could nest deeper, and they stop here.
constexpr int max_nesting = 8;

// Parses all of `bytes` as one `Message`: false when malformed, truncated, or when anything
// follows the message (a zero tag). Reads no byte beyond `bytes`.
template <class Message>
bool parse_whole(const std::string& bytes, Message& out) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX))
    return false;
  const int size = static_cast<int>(bytes.size());
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()), size);
  in.SetTotalBytesLimit(size);
  in.SetRecursionLimit(max_nesting);
  return out.ParseFromCodedStream(&in) && in.ConsumedEntireMessage();
}

// A map field as a JSON object, keys sorted (as kubectl writes them; google::protobuf::Map
// iterates in no particular order).
messages::json sorted_object(const google::protobuf::Map<std::string, std::string>& map) {
  std::map<std::string, std::string> sorted(map.begin(), map.end());
  messages::json out = messages::json::object();
  for (const auto& [key, value] : sorted)
    out[key] = value;
  return out;
}

// An object's name, generateName, namespace, labels and annotations.
messages::json meta_json(const meta_v1::ObjectMeta& m) {
  messages::json meta = messages::json::object();
  if (m.has_name())
    meta["name"] = m.name();
  if (m.has_generatename())
    meta["generateName"] = m.generatename();
  if (m.has_namespace_())
    meta["namespace"] = m.namespace_();
  if (!m.labels().empty())
    meta["labels"] = sorted_object(m.labels());
  if (!m.annotations().empty())
    meta["annotations"] = sorted_object(m.annotations());
  // What an update's preconditions and an owner's garbage collection rest on.
  if (m.has_uid())
    meta["uid"] = m.uid();
  if (m.has_resourceversion())
    meta["resourceVersion"] = m.resourceversion();
  if (m.ownerreferences_size() > 0) {
    messages::json owners = messages::json::array();
    for (const auto& o : m.ownerreferences()) {
      messages::json owner = {{"apiVersion", o.apiversion()}, {"kind", o.kind()},
                              {"name", o.name()}, {"uid", o.uid()}};
      if (o.has_controller())
        owner["controller"] = o.controller();
      if (o.has_blockownerdeletion())
        owner["blockOwnerDeletion"] = o.blockownerdeletion();
      owners.push_back(std::move(owner));
    }
    meta["ownerReferences"] = std::move(owners);
  }
  return meta;
}

// A Namespace's name, generateName, labels and annotations.
std::optional<messages::json> namespace_from(const std::string& raw) {
  k8s::io::api::core::v1::Namespace ns;
  if (!parse_whole(raw, ns))
    return std::nullopt;
  messages::json meta = meta_json(ns.metadata());
  meta.erase("namespace");
  return messages::json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", meta}};
}

namespace core_v1 = k8s::io::api::core::v1;

// A map of byte strings as JSON does it: base64 values, keys sorted.
messages::json base64_object(const google::protobuf::Map<std::string, std::string>& map) {
  std::map<std::string, std::string> sorted(map.begin(), map.end());
  messages::json out = messages::json::object();
  for (const auto& [key, value] : sorted)
    out[key] = messages::base64_encode(value);
  return out;
}

// A Secret: metadata, type, data (bytes), stringData, immutable (`kubectl create secret`).
std::optional<messages::json> secret_from(const std::string& raw) {
  core_v1::Secret s;
  if (!parse_whole(raw, s))
    return std::nullopt;
  messages::json out = {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", meta_json(s.metadata())}};
  if (!s.data().empty())
    out["data"] = base64_object(s.data());
  if (!s.stringdata().empty())
    out["stringData"] = sorted_object(s.stringdata());
  if (s.has_type())
    out["type"] = s.type();
  if (s.has_immutable())
    out["immutable"] = s.immutable();
  return out;
}

// A ConfigMap: metadata, data, binaryData, immutable (`kubectl create configmap`).
std::optional<messages::json> config_map_from(const std::string& raw) {
  core_v1::ConfigMap c;
  if (!parse_whole(raw, c))
    return std::nullopt;
  messages::json out = {
      {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", meta_json(c.metadata())}};
  if (!c.data().empty())
    out["data"] = sorted_object(c.data());
  if (!c.binarydata().empty())
    out["binaryData"] = base64_object(c.binarydata());
  if (c.has_immutable())
    out["immutable"] = c.immutable();
  return out;
}

// A ServiceAccount: metadata, secrets, imagePullSecrets, automountServiceAccountToken.
std::optional<messages::json> service_account_from(const std::string& raw) {
  core_v1::ServiceAccount sa;
  if (!parse_whole(raw, sa))
    return std::nullopt;
  messages::json out = {
      {"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", meta_json(sa.metadata())}};
  if (sa.secrets_size() > 0) {
    messages::json secrets = messages::json::array();
    for (const auto& r : sa.secrets()) {
      messages::json ref = messages::json::object();
      if (r.has_kind())
        ref["kind"] = r.kind();
      if (r.has_namespace_())
        ref["namespace"] = r.namespace_();
      if (r.has_name())
        ref["name"] = r.name();
      if (r.has_uid())
        ref["uid"] = r.uid();
      if (r.has_apiversion())
        ref["apiVersion"] = r.apiversion();
      if (r.has_resourceversion())
        ref["resourceVersion"] = r.resourceversion();
      if (r.has_fieldpath())
        ref["fieldPath"] = r.fieldpath();
      secrets.push_back(std::move(ref));
    }
    out["secrets"] = std::move(secrets);
  }
  if (sa.imagepullsecrets_size() > 0) {
    messages::json pulls = messages::json::array();
    for (const auto& r : sa.imagepullsecrets())
      pulls.push_back(r.has_name() ? messages::json{{"name", r.name()}} : messages::json::object());
    out["imagePullSecrets"] = std::move(pulls);
  }
  if (sa.has_automountserviceaccounttoken())
    out["automountServiceAccountToken"] = sa.automountserviceaccounttoken();
  return out;
}

namespace rbac_v1 = k8s::io::api::rbac::v1;
const char* const rbac_version = "rbac.authorization.k8s.io/v1";

messages::json strings(const google::protobuf::RepeatedPtrField<std::string>& list) {
  return messages::json(std::vector<std::string>(list.begin(), list.end()));
}

// A Role or ClusterRole: metadata and rules.
template <class Message>
std::optional<messages::json> role_from(const std::string& raw, const char* kind) {
  Message role;
  if (!parse_whole(raw, role))
    return std::nullopt;
  messages::json rules = messages::json::array();
  for (const auto& r : role.rules()) {
    messages::json rule = {{"verbs", strings(r.verbs())}};
    if (r.apigroups_size())
      rule["apiGroups"] = strings(r.apigroups());
    if (r.resources_size())
      rule["resources"] = strings(r.resources());
    if (r.resourcenames_size())
      rule["resourceNames"] = strings(r.resourcenames());
    if (r.nonresourceurls_size())
      rule["nonResourceURLs"] = strings(r.nonresourceurls());
    rules.push_back(rule);
  }
  return messages::json{{"apiVersion", rbac_version},
                        {"kind", kind},
                        {"metadata", meta_json(role.metadata())},
                        {"rules", rules}};
}

// A RoleBinding or ClusterRoleBinding: metadata, subjects and roleRef.
template <class Message>
std::optional<messages::json> binding_from(const std::string& raw, const char* kind) {
  Message binding;
  if (!parse_whole(raw, binding))
    return std::nullopt;
  messages::json subjects = messages::json::array();
  for (const auto& s : binding.subjects()) {
    messages::json subject = {{"kind", s.kind()}, {"name", s.name()}};
    if (s.has_apigroup())
      subject["apiGroup"] = s.apigroup();
    if (s.has_namespace_())
      subject["namespace"] = s.namespace_();
    subjects.push_back(subject);
  }
  const auto& ref = binding.roleref();
  return messages::json{
      {"apiVersion", rbac_version},
      {"kind", kind},
      {"metadata", meta_json(binding.metadata())},
      {"subjects", subjects},
      {"roleRef", {{"apiGroup", ref.apigroup()}, {"kind", ref.kind()}, {"name", ref.name()}}}};
}

// An Eviction's name and namespace, and its deleteOptions' preconditions, propagationPolicy
// and dryRun.
std::optional<messages::json> eviction_from(const std::string& raw) {
  k8s::io::api::policy::v1::Eviction eviction;
  if (!parse_whole(raw, eviction))
    return std::nullopt;
  messages::json meta = messages::json::object();
  if (eviction.metadata().has_name())
    meta["name"] = eviction.metadata().name();
  if (eviction.metadata().has_namespace_())
    meta["namespace"] = eviction.metadata().namespace_();
  messages::json options = messages::json::object();
  const meta_v1::DeleteOptions& delete_options = eviction.deleteoptions();
  if (delete_options.has_preconditions()) {
    messages::json pre = messages::json::object();
    if (delete_options.preconditions().has_uid())
      pre["uid"] = delete_options.preconditions().uid();
    if (delete_options.preconditions().has_resourceversion())
      pre["resourceVersion"] = delete_options.preconditions().resourceversion();
    options["preconditions"] = pre;
  }
  if (delete_options.has_propagationpolicy())
    options["propagationPolicy"] = delete_options.propagationpolicy();
  for (const std::string& mode : delete_options.dryrun())
    options["dryRun"].push_back(mode);
  return messages::json{{"apiVersion", "policy/v1"},
                        {"kind", "Eviction"},
                        {"metadata", meta},
                        {"deleteOptions", options}};
}

namespace authz_v1 = k8s::io::api::authorization::v1;

// `kubectl auth can-i`'s question: its resource or non-resource attributes, as set.
std::optional<messages::json> access_review_from(const std::string& raw) {
  authz_v1::SelfSubjectAccessReview review;
  if (!parse_whole(raw, review))
    return std::nullopt;
  messages::json spec = messages::json::object();
  if (review.spec().has_resourceattributes()) {
    const auto& a = review.spec().resourceattributes();
    messages::json attributes = messages::json::object();
    for (const auto& [name, has, value] :
         {std::tuple{"namespace", a.has_namespace_(), &a.namespace_()},
          std::tuple{"verb", a.has_verb(), &a.verb()},
          std::tuple{"group", a.has_group(), &a.group()},
          std::tuple{"version", a.has_version(), &a.version()},
          std::tuple{"resource", a.has_resource(), &a.resource()},
          std::tuple{"subresource", a.has_subresource(), &a.subresource()},
          std::tuple{"name", a.has_name(), &a.name()}})
      if (has)
        attributes[name] = *value;
    spec["resourceAttributes"] = attributes;
  }
  if (review.spec().has_nonresourceattributes()) {
    const auto& a = review.spec().nonresourceattributes();
    messages::json attributes = messages::json::object();
    if (a.has_path())
      attributes["path"] = a.path();
    if (a.has_verb())
      attributes["verb"] = a.verb();
    spec["nonResourceAttributes"] = attributes;
  }
  return messages::json{{"apiVersion", "authorization.k8s.io/v1"},
                        {"kind", "SelfSubjectAccessReview"},
                        {"spec", spec}};
}

// `kubectl auth can-i --list`'s namespace.
std::optional<messages::json> rules_review_from(const std::string& raw) {
  authz_v1::SelfSubjectRulesReview review;
  if (!parse_whole(raw, review))
    return std::nullopt;
  messages::json spec = messages::json::object();
  if (review.spec().has_namespace_())
    spec["namespace"] = review.spec().namespace_();
  return messages::json{{"apiVersion", "authorization.k8s.io/v1"},
                        {"kind", "SelfSubjectRulesReview"},
                        {"spec", spec}};
}

// `kubectl auth whoami` asks with an empty review.
std::optional<messages::json> self_review_from(const std::string& raw) {
  k8s::io::api::authentication::v1::SelfSubjectReview review;
  if (!parse_whole(raw, review))
    return std::nullopt;
  return messages::json{{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "SelfSubjectReview"}};
}

}  // namespace

std::optional<messages::json> object_from_protobuf(const std::string& body) {
  static const std::string magic("k8s\0", 4);
  if (body.compare(0, magic.size(), magic) != 0)
    return std::nullopt;
  k8s::io::apimachinery::pkg::runtime::Unknown envelope;
  if (!parse_whole(body.substr(magic.size()), envelope))
    return std::nullopt;
  const std::string& kind = envelope.typemeta().kind();
  // A stored kind keeps the envelope's apiVersion, so that the object's decoder refuses a wrong
  // one in the same words as for JSON.
  auto as_sent = [&](std::optional<messages::json> object) {
    if (object && !envelope.typemeta().apiversion().empty())
      (*object)["apiVersion"] = envelope.typemeta().apiversion();
    return object;
  };
  if (kind == "Namespace")
    return as_sent(namespace_from(envelope.raw()));
  if (kind == "Secret")
    return as_sent(secret_from(envelope.raw()));
  if (kind == "ConfigMap")
    return as_sent(config_map_from(envelope.raw()));
  if (kind == "ServiceAccount")
    return as_sent(service_account_from(envelope.raw()));
  if (kind == "Eviction")
    return eviction_from(envelope.raw());
  if (kind == "SelfSubjectAccessReview")
    return access_review_from(envelope.raw());
  if (kind == "SelfSubjectRulesReview")
    return rules_review_from(envelope.raw());
  if (kind == "SelfSubjectReview")
    return self_review_from(envelope.raw());
  if (kind == "Role")
    return as_sent(role_from<rbac_v1::Role>(envelope.raw(), "Role"));
  if (kind == "ClusterRole")
    return as_sent(role_from<rbac_v1::ClusterRole>(envelope.raw(), "ClusterRole"));
  if (kind == "RoleBinding")
    return as_sent(binding_from<rbac_v1::RoleBinding>(envelope.raw(), "RoleBinding"));
  if (kind == "ClusterRoleBinding")
    return as_sent(
        binding_from<rbac_v1::ClusterRoleBinding>(envelope.raw(), "ClusterRoleBinding"));
  return std::nullopt;
}

}  // namespace capstan::api
