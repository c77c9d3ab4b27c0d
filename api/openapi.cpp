// The OpenAPI documents (api/openapi.hpp): each built once from the definitions and paths of
// api/detail/openapi_*.hpp, hashed for the v3 index, and served by path.
#include "api/openapi.hpp"

#include <cstdio>
#include <map>

#include <openssl/evp.h>

#include "api/detail/openapi_definitions.hpp"
#include "api/detail/openapi_paths.hpp"
#include "messages/json_codec.hpp"

namespace capstan::api {

namespace {

using messages::json;
using namespace detail;

// What the core group's document holds besides the definitions its paths refer to, as in
// Kubernetes: the errors every operation may answer, and the policy/v1 Eviction of pods.
void add_core_extras(schema_set& set) {
  set.ref(status_name);
  set.ref(eviction_name);
}

const json info_json = {{"title", "Kubernetes"}, {"version", "unversioned"}};
const json bearer_token = {{"type", "apiKey"},
                           {"name", "authorization"},
                           {"in", "header"},
                           {"description", "Bearer Token authentication"}};

std::string swagger_2_document() {
  schema_set set(dialect::swagger_2);
  json paths = group_paths(set, "");
  paths.update(group_paths(set, "rbac.authorization.k8s.io"));
  add_core_extras(set);
  return json{{"swagger", "2.0"},
              {"info", info_json},
              {"paths", paths},
              {"definitions", set.definitions()},
              {"securityDefinitions", {{"BearerToken", bearer_token}}},
              {"security", json::array({json{{"BearerToken", json::array()}}})}}
      .dump();
}

std::string openapi_3_document(schema_set& set, json paths) {
  return json{
      {"openapi", "3.0.0"},
      {"info", info_json},
      {"paths", std::move(paths)},
      {"components",
       {{"schemas", set.definitions()}, {"securitySchemes", {{"BearerToken", bearer_token}}}}},
      {"security", json::array({json{{"BearerToken", json::array()}}})}}
      .dump();
}

std::string sha256_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  std::string out;
  char byte[3];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(byte, sizeof byte, "%02X", digest[i]);
    out += byte;
  }
  return out;
}

struct documents {
  std::string swagger_2;
  std::map<std::string, std::string> openapi_3;  // "api/v1" -> body
  std::string openapi_3_index;
};

documents build_documents() {
  documents d;
  d.swagger_2 = swagger_2_document();
  {
    schema_set set(dialect::openapi_3);
    json paths = group_paths(set, "");
    add_core_extras(set);
    d.openapi_3["api/v1"] = openapi_3_document(set, std::move(paths));
  }
  {
    schema_set set(dialect::openapi_3);
    json paths = group_paths(set, "rbac.authorization.k8s.io");
    set.ref(status_name);
    d.openapi_3["apis/rbac.authorization.k8s.io/v1"] = openapi_3_document(set, std::move(paths));
  }
  // The groups of the subresources' kinds: their schemas, and no resources of their own.
  for (const auto& [group, root] :
       {std::pair<std::string, std::string>{"apis/autoscaling/v1", scale_name},
        std::pair<std::string, std::string>{"apis/policy/v1", eviction_name}}) {
    schema_set set(dialect::openapi_3);
    set.ref(root);
    set.ref(status_name);
    d.openapi_3[group] = openapi_3_document(set, json::object());
  }
  json index = json::object();
  for (const auto& [group, body] : d.openapi_3)
    index[group] = {{"serverRelativeURL", "/openapi/v3/" + group + "?hash=" + sha256_hex(body)}};
  d.openapi_3_index = json{{"paths", index}}.dump();
  return d;
}

const documents& all_documents() {
  static const documents d = build_documents();
  return d;
}

}  // namespace

std::optional<openapi_reply> openapi_document(const std::string& path, const std::string& accept) {
  const std::string v3 = "/openapi/v3";
  if (path == "/openapi/v2") {
    const bool json_accepted = accept.empty() || accept.find("json") != std::string::npos ||
                               accept.find("*/*") != std::string::npos;
    if (!json_accepted && accept.find("protobuf") != std::string::npos)
      return openapi_reply{"application/octet-stream", ""};
    return openapi_reply{"application/json", all_documents().swagger_2};
  }
  if (path == v3 || path == v3 + "/")
    return openapi_reply{"application/json", all_documents().openapi_3_index};
  if (path.compare(0, v3.size() + 1, v3 + "/") == 0) {
    const auto& docs = all_documents().openapi_3;
    if (auto it = docs.find(path.substr(v3.size() + 1)); it != docs.end())
      return openapi_reply{"application/json", it->second};
  }
  return std::nullopt;
}

}  // namespace capstan::api
