// Tests api/openapi.cpp: the documents are OpenAPI that kubectl 1.32 can use (explain finds
// each kind through its paths and GVK; validation finds fieldValidation on PATCH), and they
// describe every field the JSON codec writes.
#include <boost/test/unit_test.hpp>

#include <set>

#include "api/openapi.hpp"
#include "messages/json_codec.hpp"
#include "tests/messages/fill_fields.hpp"

using namespace capstan::messages;
using capstan::api::openapi_document;

namespace {

const std::string core = "io.k8s.api.core.v1.";
const std::string meta = "io.k8s.apimachinery.pkg.apis.meta.v1.";

json document(const std::string& path) {
  auto reply = openapi_document(path, "application/json");
  BOOST_REQUIRE_MESSAGE(reply.has_value(), "no document at " << path);
  BOOST_TEST(reply->content_type == "application/json");
  return json::parse(reply->body);  // throws (fails the test) on invalid JSON
}

// The OpenAPI 3.0 documents, by index path ("api/v1").
std::map<std::string, json> v3_documents() {
  std::map<std::string, json> out;
  json index = document("/openapi/v3");
  for (auto it = index["paths"].begin(); it != index["paths"].end(); ++it) {
    std::string url = it.value()["serverRelativeURL"];
    out[it.key()] = document(url.substr(0, url.find('?')));
  }
  return out;
}

const json& schemas(const json& doc) {
  return doc.contains("definitions") ? doc["definitions"] : doc["components"]["schemas"];
}

// Where a kind is described: its group's v3 document ("api/v1",
// "apis/rbac.authorization.k8s.io/v1") and the name prefix of its definitions.
std::string group_document(object_kind kind) {
  const std::string group(info(kind).group);
  return group.empty() ? "api/v1" : "apis/" + group + "/v1";
}
std::string model(object_kind kind) {
  return (info(kind).group.empty() ? core : "io.k8s.api.rbac.v1.") + std::string(info(kind).name);
}
std::string collection_path(object_kind kind) {
  const auto& ki = info(kind);
  const std::string prefix =
      ki.group.empty() ? "/api/v1/" : "/apis/" + std::string(ki.group) + "/v1/";
  return ki.namespaced ? prefix + "namespaces/{namespace}/" + std::string(ki.resource)
                       : prefix + std::string(ki.resource);
}

std::string ref_name(const std::string& ref) {
  return ref.substr(ref.rfind('/') + 1);
}

// `schema` with its reference (direct or through a single allOf) followed.
const json& resolve(const json& doc, const json& schema) {
  if (schema.contains("$ref"))
    return schemas(doc).at(ref_name(schema["$ref"]));
  if (schema.contains("allOf") && schema["allOf"].size() == 1)
    return resolve(doc, schema["allOf"][0]);
  return schema;
}

// The schema of a field path under a definition, following references, arrays and maps.
const json& field_schema(const json& doc, const std::string& definition,
                         const std::vector<std::string>& path) {
  const json* s = &schemas(doc).at(definition);
  for (const auto& name : path) {
    s = &resolve(doc, *s);
    while (s->contains("items"))
      s = &resolve(doc, (*s)["items"]);
    BOOST_REQUIRE_MESSAGE(s->contains("properties") && (*s)["properties"].contains(name),
                          definition << ": no field " << name);
    s = &(*s)["properties"][name];
  }
  return *s;
}

void collect_refs(const json& j, std::set<std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      if (it.key() == "$ref")
        out.insert(it.value().get<std::string>());
      else
        collect_refs(it.value(), out);
  } else if (j.is_array()) {
    for (const auto& item : j)
      collect_refs(item, out);
  }
}

// Checks that every key and value of `value` (as the JSON codec wrote it) is described by
// `schema`; `why` names the first mismatch.
bool schema_admits(const json& doc, const json& schema_in, const json& value, std::string& why,
                   const std::string& where) {
  const json& schema = resolve(doc, schema_in);
  if (schema.contains("oneOf")) {
    for (const auto& alternative : schema["oneOf"]) {
      std::string ignored;
      if (schema_admits(doc, alternative, value, ignored, where))
        return true;
    }
    why = where + ": no alternative of oneOf admits " + value.dump();
    return false;
  }
  if (schema.value("format", "") == "int-or-string" &&
      (value.is_string() || value.is_number_integer()))
    return true;  // Swagger 2.0 spells IntOrString as a string with this format
  const std::string type = schema.value("type", "");
  auto fail = [&](const std::string& expected) {
    why = where + ": " + value.dump() + " is not " + expected;
    return false;
  };
  if (type == "string")
    return value.is_string() || fail("a string");
  if (type == "integer")
    return value.is_number_integer() || fail("an integer");
  if (type == "number")
    return value.is_number() || fail("a number");
  if (type == "boolean")
    return value.is_boolean() || fail("a boolean");
  if (type == "array") {
    if (!value.is_array())
      return fail("an array");
    for (std::size_t i = 0; i < value.size(); ++i)
      if (!schema_admits(doc, schema["items"], value[i], why,
                         where + "[" + std::to_string(i) + "]"))
        return false;
    return true;
  }
  if (type == "object") {
    if (!value.is_object())
      return fail("an object");
    for (auto it = value.begin(); it != value.end(); ++it) {
      const std::string at = where + "." + it.key();
      if (schema.contains("properties") && schema["properties"].contains(it.key())) {
        if (!schema_admits(doc, schema["properties"][it.key()], it.value(), why, at))
          return false;
      } else if (schema.contains("additionalProperties")) {
        if (!schema_admits(doc, schema["additionalProperties"], it.value(), why, at))
          return false;
      } else if (!schema.contains("properties")) {
        // A free-form object (FieldsV1): anything goes, as JSON Schema says.
      } else {
        why = at + ": not in the schema";
        return false;
      }
    }
    return true;
  }
  why = where + ": schema without a type";
  return false;
}

bool has_gvk(const json& list, const std::string& group, const std::string& version,
             const std::string& kind) {
  for (const auto& g : list)
    if (g["group"] == group && g["version"] == version && g["kind"] == kind)
      return true;
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_document_is_json_of_its_openapi_version) {
  json v2 = document("/openapi/v2");
  BOOST_TEST(v2["swagger"] == "2.0");
  BOOST_TEST(v2["definitions"].size() > 50u);
  auto docs = v3_documents();
  BOOST_TEST(docs.size() == 4u);
  for (const auto& group : {"api/v1", "apis/autoscaling/v1", "apis/policy/v1",
                            "apis/rbac.authorization.k8s.io/v1"}) {
    BOOST_TEST_INFO(group);
    BOOST_REQUIRE(docs.count(group));
    BOOST_TEST(docs[group]["openapi"] == "3.0.0");
    BOOST_TEST(docs[group]["components"]["schemas"].is_object());
    BOOST_TEST(docs[group]["paths"].is_object());
  }
}

BOOST_AUTO_TEST_CASE(the_index_hash_is_stable_and_names_the_served_document) {
  auto first = openapi_document("/openapi/v3", "application/json");
  auto second = openapi_document("/openapi/v3", "");
  BOOST_REQUIRE(first && second);
  BOOST_TEST(first->body == second->body);
  json index = json::parse(first->body);
  std::set<std::string> hashes;
  for (auto it = index["paths"].begin(); it != index["paths"].end(); ++it) {
    std::string url = it.value()["serverRelativeURL"];
    BOOST_TEST(url.find("/openapi/v3/" + it.key() + "?hash=") == 0u);
    hashes.insert(url.substr(url.find("hash=") + 5));
  }
  BOOST_TEST(hashes.size() == index["paths"].size());  // different documents, different hashes
}

BOOST_AUTO_TEST_CASE(unknown_paths_are_not_openapi_documents) {
  BOOST_TEST(!openapi_document("/openapi/v3/apis/apps/v1", "application/json"));
  BOOST_TEST(!openapi_document("/openapi/v1", "application/json"));
  BOOST_TEST(!openapi_document("/api/v1", "application/json"));
  BOOST_TEST(!openapi_document("/openapi/v3api/v1", "application/json"));
}

BOOST_AUTO_TEST_CASE(kubectl_protobuf_accept_for_v2_gets_an_empty_document) {
  auto pb =
      openapi_document("/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
  BOOST_REQUIRE(pb.has_value());
  BOOST_TEST(pb->content_type == "application/octet-stream");
  BOOST_TEST(pb->body.empty());
  auto any = openapi_document("/openapi/v2", "*/*");
  BOOST_REQUIRE(any.has_value());
  BOOST_TEST(any->content_type == "application/json");
}

BOOST_AUTO_TEST_CASE(every_reference_resolves) {
  auto docs = v3_documents();
  docs["v2"] = document("/openapi/v2");
  for (const auto& [name, doc] : docs) {
    std::set<std::string> refs;
    collect_refs(doc, refs);
    BOOST_TEST(!refs.empty());
    const std::string prefix = name == "v2" ? "#/definitions/" : "#/components/schemas/";
    for (const auto& ref : refs) {
      BOOST_TEST_INFO(name << ": " << ref);
      BOOST_TEST(ref.find(prefix) == 0u);
      BOOST_TEST(schemas(doc).contains(ref_name(ref)));
    }
  }
}

BOOST_AUTO_TEST_CASE(every_kind_carries_its_group_version_kind) {
  auto docs = v3_documents();
  json v2 = document("/openapi/v2");
  for (std::size_t k = 0; k < object_kind_count; ++k) {
    const auto id = static_cast<object_kind>(k);
    const std::string kind(info(id).name), group(info(id).group);
    for (const json* doc : {&docs[group_document(id)], &v2}) {
      BOOST_TEST_INFO(kind);
      BOOST_TEST(has_gvk(schemas(*doc).at(model(id))["x-kubernetes-group-version-kind"], group,
                         "v1", kind));
      BOOST_TEST(has_gvk(schemas(*doc).at(model(id) + "List")["x-kubernetes-group-version-kind"],
                         group, "v1", kind + "List"));
    }
  }
  for (const json& doc : {docs["api/v1"], v2}) {
    BOOST_TEST(has_gvk(
        schemas(doc).at("io.k8s.api.autoscaling.v1.Scale")["x-kubernetes-group-version-kind"],
        "autoscaling", "v1", "Scale"));
    BOOST_TEST(
        has_gvk(schemas(doc).at("io.k8s.api.policy.v1.Eviction")["x-kubernetes-group-version-kind"],
                "policy", "v1", "Eviction"));
    BOOST_TEST(has_gvk(schemas(doc).at(meta + "DeleteOptions")["x-kubernetes-group-version-kind"],
                       "", "v1", "DeleteOptions"));
    BOOST_TEST(has_gvk(schemas(doc).at(meta + "Status")["x-kubernetes-group-version-kind"], "",
                       "v1", "Status"));
  }
  BOOST_TEST(schemas(docs["apis/autoscaling/v1"]).contains("io.k8s.api.autoscaling.v1.Scale"));
  BOOST_TEST(schemas(docs["apis/policy/v1"]).contains("io.k8s.api.policy.v1.Eviction"));
  BOOST_TEST(schemas(docs["apis/policy/v1"]).contains(meta + "DeleteOptions"));
  const json& eviction = schemas(docs["apis/policy/v1"])["io.k8s.api.policy.v1.Eviction"];
  BOOST_TEST(eviction["properties"].contains("metadata"));
  BOOST_TEST(eviction["properties"].contains("deleteOptions"));
}

// kubectl explain finds a resource's kind in the GVK of an operation on one of these paths.
BOOST_AUTO_TEST_CASE(explain_finds_every_resource_by_its_paths) {
  auto docs = v3_documents();
  for (std::size_t k = 0; k < object_kind_count; ++k) {
    const auto id = static_cast<object_kind>(k);
    const auto& ki = info(id);
    BOOST_TEST_INFO(ki.name);
    const json& doc = docs[group_document(id)];
    const std::string collection = collection_path(id);
    for (const auto& path : {collection, collection + "/{name}"}) {
      BOOST_REQUIRE(doc["paths"].contains(path));
      const json& get = doc["paths"][path]["get"];
      BOOST_TEST(get["x-kubernetes-group-version-kind"] == json({{"group", std::string(ki.group)},
                                                                 {"version", "v1"},
                                                                 {"kind", std::string(ki.name)}}));
    }
  }
}

// kubectl's QueryParamVerifierV3 looks at the PATCH operations carrying a kind's GVK: it picks
// server-side field validation when they declare fieldValidation (and the server honours it on
// every write of the kind, status included).
BOOST_AUTO_TEST_CASE(every_write_of_a_kind_declares_field_validation) {
  auto docs = v3_documents();
  std::set<std::string> patched;
  for (const json& doc : {docs["api/v1"], docs["apis/rbac.authorization.k8s.io/v1"]})
  for (auto path = doc["paths"].begin(); path != doc["paths"].end(); ++path) {
    for (const auto& method : {"post", "put", "patch"}) {
      if (!path.value().contains(method))
        continue;
      const json& op = path.value()[method];
      const json& g = op["x-kubernetes-group-version-kind"];
      if (g["group"] == "autoscaling")
        continue;  // the scale subresource reads its body as is
      bool declared = false;
      for (const auto& p : op["parameters"])
        declared |= p["name"] == "fieldValidation" && p["in"] == "query";
      BOOST_TEST_INFO(path.key() << " " << method);
      BOOST_TEST(declared);
      if (std::string(method) == "patch")
        patched.insert(g["kind"].get<std::string>());
    }
  }
  BOOST_TEST(patched.size() == object_kind_count);
}

// `kubectl apply` computes strategic merge patches from the v3 schema only when a PATCH
// declares that type; the schemas have no merge keys, so none may declare it.
BOOST_AUTO_TEST_CASE(no_patch_declares_strategic_merge) {
  json doc = v3_documents()["api/v1"];
  for (auto path = doc["paths"].begin(); path != doc["paths"].end(); ++path)
    if (path.value().contains("patch")) {
      BOOST_TEST_INFO(path.key());
      BOOST_TEST(!path.value()["patch"]["requestBody"]["content"].contains(
          "application/strategic-merge-patch+json"));
    }
}

BOOST_AUTO_TEST_CASE(every_field_the_codec_writes_is_in_the_schema) {
  auto docs = v3_documents();
  json v2 = document("/openapi/v2");
  for (std::size_t k = 0; k < object_kind_count; ++k) {
    const auto kind = static_cast<object_kind>(k);
    for (const json* doc : {&docs[group_document(kind)], &v2}) {
      BOOST_TEST_INFO("kind " << info(kind).name);
      json encoded = to_json(capstan::test::filled_object(kind));
      std::string why;
      BOOST_TEST(schema_admits(*doc, schemas(*doc).at(model(kind)), encoded, why,
                               std::string(info(kind).name)),
                 why);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_schema_refuses_a_field_the_model_lacks) {
  json doc = v3_documents()["api/v1"];
  json encoded = to_json(capstan::test::filled_object(object_kind::pod));
  encoded["spec"]["contianers"] = json::array();
  std::string why;
  BOOST_TEST(!schema_admits(doc, schemas(doc).at(core + "Pod"), encoded, why, "Pod"));
  BOOST_TEST(why == "Pod.spec.contianers: not in the schema");
}

BOOST_AUTO_TEST_CASE(leaf_types_are_written_as_kubernetes_does) {
  json doc = v3_documents()["api/v1"];
  const json& limits = field_schema(doc, core + "Container", {"resources", "limits"});
  BOOST_TEST(limits["type"] == "object");
  BOOST_TEST(ref_name(limits["additionalProperties"]["$ref"]) ==
             "io.k8s.apimachinery.pkg.api.resource.Quantity");
  BOOST_TEST(schemas(doc)[meta + "Time"]["format"] == "date-time");
  BOOST_TEST(schemas(doc)["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["format"] ==
             "int-or-string");
  BOOST_TEST(field_schema(doc, core + "ServicePort", {"port"})["format"] == "int32");
  BOOST_TEST(field_schema(doc, core + "Pod", {"metadata", "labels"})["additionalProperties"] ==
             json({{"type", "string"}}));
  BOOST_TEST(field_schema(doc, core + "PodSpec", {"containers"})["type"] == "array");
}

BOOST_AUTO_TEST_CASE(fields_written_always_are_required_except_nested_objects) {
  json doc = v3_documents()["api/v1"];
  auto required = [&](const std::string& definition) {
    return schemas(doc)[core + definition].value("required", json::array());
  };
  BOOST_TEST(required("PodSpec") == json({"containers"}));
  BOOST_TEST(required("Container") == json({"name"}));
  BOOST_TEST(required("ServicePort") == json({"port"}));
  BOOST_TEST(required("ContainerPort") == json({"containerPort"}));
  BOOST_TEST(required("Pod").empty());  // metadata and spec are objects
}

BOOST_AUTO_TEST_CASE(common_fields_and_kinds_are_described) {
  auto docs = v3_documents();
  for (const json& doc : {docs["api/v1"], document("/openapi/v2")}) {
    const std::vector<std::pair<std::string, std::vector<std::string>>> described = {
        {"Pod", {"metadata", "name"}},
        {"Pod", {"metadata", "namespace"}},
        {"Pod", {"metadata", "labels"}},
        {"Pod", {"metadata", "annotations"}},
        {"Pod", {"spec", "containers"}},
        {"Pod", {"spec", "containers", "image"}},
        {"Pod", {"spec", "containers", "ports"}},
        {"Pod", {"spec", "containers", "env"}},
        {"Pod", {"spec", "containers", "resources"}},
        {"Pod", {"spec", "containers", "command"}},
        {"Pod", {"spec", "containers", "args"}},
        {"Pod", {"spec", "containers", "ports", "containerPort"}},
        {"Pod", {"spec", "containers", "ports", "protocol"}},
        {"Pod", {"spec", "nodeSelector"}},
        {"Pod", {"spec", "nodeName"}},
        {"Pod", {"spec", "restartPolicy"}},
        {"Pod", {"status", "phase"}},
        {"Pod", {"status", "podIP"}},
        {"Pod", {"status", "hostIP"}},
        {"Pod", {"status", "conditions"}},
        {"Pod", {"status", "containerStatuses"}},
        {"Service", {"spec", "ports", "port"}},
        {"Service", {"spec", "ports", "targetPort"}},
        {"Service", {"spec", "ports", "nodePort"}},
        {"Service", {"spec", "selector"}},
        {"Service", {"spec", "type"}},
        {"Service", {"spec", "clusterIP"}},
        {"Service", {"status", "loadBalancer"}},
        {"ReplicationController", {"spec", "replicas"}},
        {"ReplicationController", {"spec", "selector"}},
        {"ReplicationController", {"spec", "template"}},
        {"ReplicationController", {"status", "replicas"}},
        {"ReplicationController", {"status", "readyReplicas"}},
        {"Node", {"status", "capacity"}},
        {"Node", {"status", "conditions"}},
        {"Node", {"spec", "unschedulable"}},
    };
    for (const auto& [kind, path] : described) {
      std::string dotted;
      for (const auto& p : path)
        dotted += "." + p;
      BOOST_TEST_INFO(kind << dotted);
      const json& field = field_schema(doc, core + kind, path);
      BOOST_TEST(!field.value("description", "").empty());
    }
    for (std::size_t k = 0; k < object_kind_count; ++k) {
      const auto id = static_cast<object_kind>(k);
      if (!info(id).group.empty() && !doc.contains("definitions"))
        continue;  // in its group's v3 document (below)
      const std::string name = model(id);
      BOOST_TEST_INFO(name);
      BOOST_REQUIRE(schemas(doc).contains(name));
      BOOST_TEST(!schemas(doc).at(name).value("description", "").empty());
      BOOST_TEST(!schemas(doc).at(name).at("properties").at("apiVersion").value("description", "")
                      .empty());
    }
    BOOST_TEST(schemas(doc)[core + "Pod"]["description"].get<std::string>().find(
                   "Pod is a collection of containers that can run on a host") == 0u);
  }
  // The RBAC kinds, in their group's document: every field of theirs is described.
  const json& rbac = docs["apis/rbac.authorization.k8s.io/v1"];
  for (const std::string type : {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
                                 "PolicyRule", "RoleRef", "Subject"}) {
    const json& schema = schemas(rbac).at("io.k8s.api.rbac.v1." + type);
    BOOST_TEST_INFO(type);
    BOOST_TEST(!schema.value("description", "").empty());
    for (auto field = schema.at("properties").begin(); field != schema.at("properties").end();
         ++field) {
      BOOST_TEST_INFO(type << "." << field.key());
      BOOST_TEST(!field.value().value("description", "").empty());
    }
  }
}

// The description table is keyed by the last component of a definition's name.
BOOST_AUTO_TEST_CASE(definition_short_names_are_unique) {
  json doc = v3_documents()["api/v1"];
  std::set<std::string> seen;
  for (auto it = schemas(doc).begin(); it != schemas(doc).end(); ++it) {
    std::string name = it.key().substr(it.key().rfind('.') + 1);
    BOOST_TEST_INFO(it.key());
    BOOST_TEST(seen.insert(name).second);
  }
}
