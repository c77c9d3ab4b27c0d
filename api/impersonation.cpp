#include "api/impersonation.hpp"

#include "api/forbidden.hpp"
#include "api/responses.hpp"

namespace capstan::api {

namespace {

constexpr std::string_view service_account_prefix = "system:serviceaccount:";

}  // namespace

std::variant<auth::user_identity, http_response> impersonate(const auth::user_identity& requester,
                                                             const impersonation_request& asked,
                                                             const auth::request_authorizer& authorizer) {
  if (asked.extra)
    return status_error(403, "Forbidden",
                        "impersonating user extras (Impersonate-Extra-*) is not supported");
  if (asked.user.empty())
    return status_error(400, "BadRequest",
                        "requested impersonation of groups or a uid without impersonating a user");
  auto may = [&](const std::string& group, const std::string& resource, const std::string& ns,
                 const std::string& name) -> std::optional<http_response> {
    auth::request_attributes a;
    a.user = requester;
    a.verb = "impersonate";
    a.api_group = group;
    a.resource = resource;
    a.namespace_ = ns;
    a.name = name;
    if (authorizer.authorize(a).allowed)
      return std::nullopt;
    return forbidden(a);
  };
  auth::user_identity as;
  as.name = asked.user;
  as.uid = asked.uid;
  as.groups = asked.groups;
  std::optional<http_response> refused;
  const std::string rest = asked.user.rfind(service_account_prefix, 0) == 0
                               ? asked.user.substr(service_account_prefix.size())
                               : std::string();
  const auto colon = rest.find(':');
  // system:serviceaccount:NS:NAME (exactly two parts, as Kubernetes splits it) is impersonated
  // as the ServiceAccount object; any other name as a user.
  if (colon != std::string::npos && colon > 0 && colon + 1 < rest.size() &&
      rest.find(':', colon + 1) == std::string::npos) {
    const std::string ns = rest.substr(0, colon);
    refused = may("", "serviceaccounts", ns, rest.substr(colon + 1));
    if (asked.groups.empty()) {  // as Kubernetes: the account's groups unless groups are given
      as.groups.push_back("system:serviceaccounts");
      as.groups.push_back("system:serviceaccounts:" + ns);
    }
  } else {
    refused = may("", "users", "", asked.user);
  }
  if (refused)
    return std::move(*refused);
  for (const auto& group : asked.groups)
    if ((refused = may("", "groups", "", group)))
      return std::move(*refused);
  if (!asked.uid.empty() && (refused = may("authentication.k8s.io", "uids", "", asked.uid)))
    return std::move(*refused);
  const bool anonymous = as.name == "system:anonymous";
  bool has_authenticated = false;
  for (const auto& g : as.groups)
    has_authenticated |= g == "system:authenticated";
  if (!anonymous && !has_authenticated)
    as.groups.push_back("system:authenticated");
  return as;
}

}  // namespace capstan::api
