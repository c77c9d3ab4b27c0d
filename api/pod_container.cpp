#include "api/pod_container.hpp"

#include <algorithm>

#include "api/responses.hpp"

namespace capstan::api {

std::variant<std::string, http_response> requested_container(const http_request& req,
                                                             const messages::pod& p) {
  std::string container = req.query.count("container") ? req.query.at("container") : std::string();
  const auto& containers = p.spec.containers;
  if (container.empty()) {
    if (containers.size() != 1) {
      std::string names;
      for (const auto& c : containers)
        names += (names.empty() ? "" : " ") + c.name;
      return status_error(400, "BadRequest",
                          "a container name must be specified for pod " + p.metadata.name +
                              ", choose one of: [" + names + "]");
    }
    return containers.front().name;
  }
  if (std::none_of(containers.begin(), containers.end(),
                   [&](const messages::container& c) { return c.name == container; }))
    return status_error(400, "BadRequest",
                        "container " + container + " is not valid for pod " + p.metadata.name);
  return container;
}

}  // namespace capstan::api
