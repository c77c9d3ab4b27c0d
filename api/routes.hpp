// Which resource a URL names: /api/v1/<res>[/<name>[/<sub>]] and
// /api/v1/namespaces/<ns>/<res>[/<name>[/<sub>]].
#pragma once

#include <string>

#include "messages/objects.hpp"

namespace capstan::api {

struct route {
  messages::object_kind kind = messages::object_kind::pod;
  std::string ns;
  std::string name;
  std::string sub;
  bool ok = false;
};

// Parses a request path (percent-escapes decoded); `ok` is false when it names no resource.
route parse_route(const std::string& path);

}  // namespace capstan::api
