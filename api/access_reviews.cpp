#include "api/access_reviews.hpp"

#include "api/protobuf.hpp"
#include "api/request_body.hpp"
#include "api/responses.hpp"

namespace capstan::api {

using messages::json;

namespace {

const std::string authorization_group = "authorization.k8s.io";
const std::string authentication_group = "authentication.k8s.io";
const std::string prefix = "/apis/";

// A string member of `object`, "" when absent; nullopt when present but not a string.
std::optional<std::string> text_of(const json& object, const char* name) {
  if (!object.is_object() || !object.contains(name) || object[name].is_null())
    return std::string();
  if (!object[name].is_string())
    return std::nullopt;
  return object[name].get<std::string>();
}

http_response bad_review(const std::string& kind, const std::string& why) {
  return status_error(400, "BadRequest", kind + " is invalid: " + why);
}

// The review as sent, back with its status (metadata as Kubernetes returns it for an object
// that is never stored).
json answered(json review, const std::string& kind, const std::string& group, json status) {
  review["kind"] = kind;
  review["apiVersion"] = group + "/v1";
  review["metadata"] = json{{"creationTimestamp", nullptr}};
  review["status"] = std::move(status);
  return review;
}

// The review as JSON, from JSON, YAML or kubectl's protobuf.
std::variant<json, http_response> review_body(const http_request& req, const std::string& kind) {
  json body;
  if (req.content_type.find("protobuf") != std::string::npos) {
    auto decoded = object_from_protobuf(req.body);
    if (!decoded)
      return bad_review(kind, "the protobuf body is not a " + kind);
    body = std::move(*decoded);
  } else {
    auto parsed = parse_body(req, "the " + kind);
    if (auto* error = std::get_if<http_response>(&parsed))
      return *error;
    body = std::get<json>(parsed);
  }
  if (!body.is_object())
    return bad_review(kind, "the body must be a JSON object");
  auto sent_kind = text_of(body, "kind");
  if (!sent_kind || (!sent_kind->empty() && *sent_kind != kind))
    return bad_review(kind, "kind must be " + kind);
  return body;
}

std::variant<auth::request_attributes, http_response> review_attributes(const json& spec,
                                                                       const user_info& user) {
  const std::string kind = "SelfSubjectAccessReview";
  const bool has_resource = spec.is_object() && spec.contains("resourceAttributes") &&
                            spec["resourceAttributes"].is_object();
  const bool has_path = spec.is_object() && spec.contains("nonResourceAttributes") &&
                        spec["nonResourceAttributes"].is_object();
  if (has_resource == has_path)
    return bad_review(kind, "spec: exactly one of nonResourceAttributes or resourceAttributes "
                            "must be specified");
  auth::request_attributes a;
  a.user = user;
  const json& attributes = has_resource ? spec["resourceAttributes"] : spec["nonResourceAttributes"];
  auto field = [&](const char* name, std::string& into) {
    auto value = text_of(attributes, name);
    if (!value)
      return false;
    into = *value;
    return true;
  };
  bool ok = field("verb", a.verb);
  if (has_resource) {
    ok = ok && field("namespace", a.namespace_) && field("group", a.api_group) &&
         field("resource", a.resource) && field("subresource", a.subresource) &&
         field("name", a.name);
  } else {
    a.resource_request = false;
    ok = ok && field("path", a.path);
  }
  if (!ok)
    return bad_review(kind, "spec: attributes must be strings");
  return a;
}

json rules_json(const std::vector<messages::policy_rule>& rules) {
  json resource_rules = json::array(), url_rules = json::array();
  for (const auto& r : rules) {
    if (!r.resources.empty() || !r.api_groups.empty()) {
      json rule = {{"verbs", r.verbs}, {"apiGroups", r.api_groups}, {"resources", r.resources}};
      if (!r.resource_names.empty())
        rule["resourceNames"] = r.resource_names;
      resource_rules.push_back(std::move(rule));
    }
    if (!r.non_resource_urls.empty())
      url_rules.push_back({{"verbs", r.verbs}, {"nonResourceURLs", r.non_resource_urls}});
  }
  return {{"resourceRules", resource_rules}, {"nonResourceRules", url_rules}, {"incomplete", false}};
}

json group_version(const std::string& group) {
  return {{"groupVersion", group + "/v1"}, {"version", "v1"}};
}

json api_group(const std::string& group) {
  return {{"name", group},
          {"versions", json::array({group_version(group)})},
          {"preferredVersion", group_version(group)}};
}

json review_resource(const std::string& plural, const std::string& kind) {
  return {{"name", plural},
          {"singularName", plural.substr(0, plural.size() - 1)},
          {"namespaced", false},
          {"kind", kind},
          {"verbs", {"create"}}};
}

std::optional<http_response> answer_review(const http_request& req,
                                           const auth::request_authorizer& authorizer) {
  const std::string authorization = prefix + authorization_group + "/v1/";
  const std::string authentication = prefix + authentication_group + "/v1/";
  std::string kind;
  if (req.path == authorization + "selfsubjectaccessreviews")
    kind = "SelfSubjectAccessReview";
  else if (req.path == authorization + "selfsubjectrulesreviews")
    kind = "SelfSubjectRulesReview";
  else if (req.path == authentication + "selfsubjectreviews")
    kind = "SelfSubjectReview";
  else
    return std::nullopt;
  if (req.method != "POST")
    return status_error(405, "MethodNotAllowed",
                        "the server does not allow this method on the requested resource");
  auto body = review_body(req, kind);
  if (auto* error = std::get_if<http_response>(&body))
    return *error;
  json review = std::get<json>(body);
  const json spec = review.contains("spec") ? review["spec"] : json::object();
  if (kind == "SelfSubjectReview")
    return json_response(201, answered(review, kind, authentication_group,
                                       {{"userInfo",
                                         {{"username", req.user.name},
                                          {"uid", req.user.uid},
                                          {"groups", req.user.groups}}}}));
  if (kind == "SelfSubjectRulesReview") {
    auto ns = text_of(spec, "namespace");
    if (!ns)
      return bad_review(kind, "spec.namespace must be a string");
    return json_response(201, answered(review, kind, authorization_group,
                                       rules_json(authorizer.policy().rules_for(req.user, *ns))));
  }
  auto attributes = review_attributes(spec, req.user);
  if (auto* error = std::get_if<http_response>(&attributes))
    return *error;
  auto decision = authorizer.authorize(std::get<auth::request_attributes>(attributes));
  json status = {{"allowed", decision.allowed}};
  if (!decision.reason.empty())
    status["reason"] = decision.reason;
  return json_response(201, answered(review, kind, authorization_group, status));
}

}  // namespace

std::optional<http_response> answer_access_review(const http_request& req,
                                                  const auth::request_authorizer& authorizer) {
  try {
    return answer_review(req, authorizer);
  } catch (const std::exception& e) {  // a JSON shape the checks above missed: never the process
    return status_error(400, "BadRequest", std::string("the review cannot be read: ") + e.what());
  }
}

std::optional<http_response> access_review_discovery(const std::string& path) {
  for (const auto& [group, resources] :
       {std::pair{authorization_group,
                  json::array({review_resource("selfsubjectaccessreviews", "SelfSubjectAccessReview"),
                               review_resource("selfsubjectrulesreviews", "SelfSubjectRulesReview")})},
        std::pair{authentication_group,
                  json::array({review_resource("selfsubjectreviews", "SelfSubjectReview")})}}) {
    if (path == prefix + group) {
      json answer = {{"kind", "APIGroup"}, {"apiVersion", "v1"}};
      answer.update(api_group(group));
      return json_response(200, answer);
    }
    if (path == prefix + group + "/v1")
      return json_response(200, {{"kind", "APIResourceList"},
                                 {"apiVersion", "v1"},
                                 {"groupVersion", group + "/v1"},
                                 {"resources", resources}});
  }
  return std::nullopt;
}

json access_review_groups() {
  return json::array({api_group(authentication_group), api_group(authorization_group)});
}

}  // namespace capstan::api
