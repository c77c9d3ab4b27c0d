#include "api/routes.hpp"

#include <vector>

#include "api/request_params.hpp"

namespace capstan::api {

using namespace messages;

route parse_route(const std::string& path) {
  route r;
  const std::string prefix = "/api/v1/";
  if (path.rfind(prefix, 0) != 0)
    return r;
  std::vector<std::string> parts = path_segments(path.substr(prefix.size()));
  if (parts.empty())
    return r;
  if (parts[0] == "namespaces" && parts.size() >= 3) {
    r.ns = parts[1];
    parts.erase(parts.begin(), parts.begin() + 2);
  } else if (parts[0] == "namespaces" && parts.size() == 2) {
    r.kind = object_kind::namespace_;
    r.name = parts[1];
    r.ok = true;
    return r;
  }
  auto kind = kind_from_resource(parts[0]);
  if (!kind || parts.size() > 3)
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
