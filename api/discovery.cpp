#include "api/discovery.hpp"

#include "api/access_reviews.hpp"
#include "api/responses.hpp"

namespace capstan::api {

namespace {

using namespace messages;

const std::string rbac_group = "rbac.authorization.k8s.io";

// The resources of one group ("" : core) as its /v1 resource list has them.
json group_resources(const std::string& group) {
  json resources = json::array();
  for (std::size_t k = 0; k < object_kind_count; ++k) {
    const auto& ki = info(static_cast<object_kind>(k));
    if (ki.group != group)
      continue;
    json verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
    json r = {{"name", std::string(ki.resource)},
              {"singularName", std::string(ki.singular)},
              {"namespaced", ki.namespaced},
              {"kind", std::string(ki.name)},
              {"verbs", verbs}};
    if (!ki.short_name.empty())
      r["shortNames"] = {std::string(ki.short_name)};
    auto kind = static_cast<object_kind>(k);
    if (kind == object_kind::pod || kind == object_kind::service ||
        kind == object_kind::replication_controller)
      r["categories"] = {"all"};
    resources.push_back(r);
    if (kind == object_kind::replication_controller)
      resources.push_back({{"name", "replicationcontrollers/scale"},
                           {"singularName", ""},
                           {"namespaced", true},
                           {"group", "autoscaling"},
                           {"version", "v1"},
                           {"kind", "Scale"},
                           {"verbs", {"get", "patch", "update"}}});
    if (kind == object_kind::pod || kind == object_kind::replication_controller ||
        kind == object_kind::node)
      resources.push_back({{"name", std::string(ki.resource) + "/status"},
                           {"singularName", ""},
                           {"namespaced", ki.namespaced},
                           {"kind", std::string(ki.name)},
                           {"verbs", {"get", "patch", "update"}}});
    if (kind == object_kind::pod) {
      resources.push_back({{"name", "pods/log"},
                           {"singularName", ""},
                           {"namespaced", true},
                           {"kind", "Pod"},
                           {"verbs", {"get"}}});
      resources.push_back({{"name", "pods/exec"},
                           {"singularName", ""},
                           {"namespaced", true},
                           {"kind", "PodExecOptions"},
                           {"verbs", {"create", "get"}}});
      resources.push_back({{"name", "pods/attach"},
                           {"singularName", ""},
                           {"namespaced", true},
                           {"kind", "PodAttachOptions"},
                           {"verbs", {"create", "get"}}});
      resources.push_back({{"name", "pods/portforward"},
                           {"singularName", ""},
                           {"namespaced", true},
                           {"kind", "PodPortForwardOptions"},
                           {"verbs", {"create", "get"}}});
      // kubectl drain looks for this entry (group policy) before it evicts.
      resources.push_back({{"name", "pods/eviction"},
                           {"singularName", ""},
                           {"namespaced", true},
                           {"group", "policy"},
                           {"version", "v1"},
                           {"kind", "Eviction"},
                           {"verbs", {"create"}}});
    }
  }
  return {{"kind", "APIResourceList"},
          {"apiVersion", "v1"},
          {"groupVersion", group.empty() ? "v1" : group + "/v1"},
          {"resources", resources}};
}

json rbac_api_group() {
  const json version = {{"groupVersion", rbac_group + "/v1"}, {"version", "v1"}};
  return {{"name", rbac_group},
          {"versions", json::array({version})},
          {"preferredVersion", version}};
}

}  // namespace

std::optional<http_response> discovery(const http_request& req, const std::string& server_address) {
  if (req.path == "/version")
    return json_response(200, {{"major", "1"},
                               {"minor", "32"},
                               {"gitVersion", "v1.32.0-capstan"},
                               {"gitCommit", "capstan"},
                               {"gitTreeState", "clean"},
                               {"buildDate", "2026-11-21T00:00:00Z"},
                               {"goVersion", "c++17"},
                               {"compiler", "gcc"},
                               {"platform", "linux/amd64"}});
  if (req.path == "/api")
    return json_response(200,
                         {{"kind", "APIVersions"},
                          {"versions", {"v1"}},
                          {"serverAddressByClientCIDRs",
                           {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}}}}});
  // The policy group only carries the pods' eviction subresource (listed under /api/v1).
  const json policy_version = {{"groupVersion", "policy/v1"}, {"version", "v1"}};
  const json policy_group = {{"name", "policy"},
                             {"versions", json::array({policy_version})},
                             {"preferredVersion", policy_version}};
  // The group is not listed in /apis: it serves no resource of its own (kubectl drain finds
  // evictions under /api/v1), and an empty group makes `kubectl api-resources` fail.
  if (req.path == "/apis") {
    json groups = access_review_groups();
    groups.push_back(rbac_api_group());
    return json_response(200,
                         {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}});
  }
  if (req.path == "/apis/" + rbac_group) {
    json group = {{"kind", "APIGroup"}, {"apiVersion", "v1"}};
    group.update(rbac_api_group());
    return json_response(200, group);
  }
  if (req.path == "/apis/" + rbac_group + "/v1")
    return json_response(200, group_resources(rbac_group));
  if (auto answer = access_review_discovery(req.path))
    return answer;
  if (req.path == "/apis/policy") {
    json group = {{"kind", "APIGroup"}, {"apiVersion", "v1"}};
    group.update(policy_group);
    return json_response(200, group);
  }
  if (req.path == "/apis/policy/v1")
    return json_response(200, {{"kind", "APIResourceList"},
                               {"apiVersion", "v1"},
                               {"groupVersion", "policy/v1"},
                               {"resources", json::array()}});
  if (req.path == "/api/v1")
    return json_response(200, group_resources(""));
  return std::nullopt;
}

std::optional<http_response> health(const http_request& req, const std::string& journal_failure) {
  std::string name = req.path.size() > 1 ? req.path.substr(1) : "";
  if (name != "healthz" && name != "livez" && name != "readyz")
    return std::nullopt;
  // livez says whether restarting the process would help: it would not for a journal that
  // cannot write (it recovers by itself once the disk has room), so only healthz and readyz
  // include the journal.
  std::vector<std::pair<std::string, std::string>> checks{{"ping", ""}};
  if (name != "livez")
    checks.push_back({"journal", journal_failure});
  bool failed = false;
  std::string verbose;
  for (const auto& [check, failure] : checks) {
    failed = failed || !failure.empty();
    verbose += failure.empty() ? "[+]" + check + " ok\n" : "[-]" + check + " failed: " + failure + "\n";
  }
  http_response r;
  r.content_type = "text/plain; charset=utf-8";
  if (failed) {
    r.status = 500;
    r.body = verbose + name + " check failed\n";
  } else {
    r.body = req.query.count("verbose") ? verbose + name + " check passed\n" : "ok";
  }
  return r;
}

}  // namespace capstan::api
