#include "api/routes.hpp"

#include <vector>

#include "api/request_params.hpp"

namespace capstan::api {

using namespace messages;

route parse_route(const std::string& path) {
  route r;
  // /api/v1/... names the core group; /apis/GROUP/v1/... the others.
  std::string group;
  std::vector<std::string> parts;
  const std::string core = "/api/v1/";
  if (path.rfind(core, 0) == 0) {
    parts = path_segments(path.substr(core.size()));
  } else if (path.rfind("/apis/", 0) == 0) {
    parts = path_segments(path.substr(6));
    if (parts.size() < 3 || parts[1] != "v1" || parts[0].empty())
      return r;
    group = parts[0];
    parts.erase(parts.begin(), parts.begin() + 2);
  } else {
    return r;
  }
  if (parts.empty())
    return r;
  if (!group.empty() && parts[0] == "namespaces" && parts.size() < 3)
    return r;  // namespaces are core objects
  if (parts[0] == "namespaces" && parts.size() >= 3) {
    r.ns = parts[1];
    parts.erase(parts.begin(), parts.begin() + 2);
  } else if (parts[0] == "namespaces" && parts.size() == 2) {
    r.kind = object_kind::namespace_;
    r.name = parts[1];
    r.ok = true;
    return r;
  }
  // The plural resource name of the path's group, exactly (roles are not under /api/v1; /svc
  // is no path, as in Kubernetes): authorization reads the same segment as the resource.
  auto kind = kind_from_resource(parts[0]);
  if (!kind || parts.size() > 3 || info(*kind).group != group || info(*kind).resource != parts[0])
    return r;
  r.kind = *kind;
  if (parts.size() > 1)
    r.name = parts[1];
  if (parts.size() > 2)
    r.sub = parts[2];
  r.ok = info(*kind).namespaced || r.ns.empty();
  return r;
}

}  // namespace capstan::api
