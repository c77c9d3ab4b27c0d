#include "api/forbidden.hpp"

#include "api/responses.hpp"
#include "auth/rbac_policy.hpp"

namespace capstan::api {

http_response forbidden(const auth::request_attributes& request, const std::string& reason) {
  const std::string why =
      auth::forbidden_message(request) + (reason.empty() ? std::string() : ": " + reason);
  if (!request.resource_request || request.resource.empty())
    return status_error(403, "Forbidden", "forbidden: " + why);
  // Kubernetes' NewForbidden: the group-qualified resource, and the name when there is one.
  const std::string resource =
      request.resource + (request.api_group.empty() ? "" : "." + request.api_group);
  const std::string message =
      request.name.empty() ? resource + " is forbidden: " + why
                           : resource + " \"" + request.name + "\" is forbidden: " + why;
  auto response = status_error(403, "Forbidden", message, request.resource, request.name);
  if (!request.api_group.empty()) {
    auto body = messages::json::parse(response.body);
    body["details"]["group"] = request.api_group;
    response.body = dump_json(body);
  }
  return response;
}

}  // namespace capstan::api
