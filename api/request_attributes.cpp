#include "api/request_attributes.hpp"

#include <vector>

#include "api/request_params.hpp"

namespace capstan::api {

namespace {

std::string verb_of_method(const std::string& method) {
  if (method == "POST")
    return "create";
  if (method == "GET" || method == "HEAD")
    return "get";
  if (method == "PUT")
    return "update";
  if (method == "PATCH")
    return "patch";
  if (method == "DELETE")
    return "delete";
  return "";
}

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// Kubernetes' IsValidPathSegmentName: a name that can stand in a path.
bool valid_path_segment(const std::string& name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of("/%") == std::string::npos;
}

// The name a field selector requires exactly (metadata.name=NAME or ==NAME), "" when none.
std::string name_required_by(const std::string& selector) {
  std::size_t start = 0;
  while (start <= selector.size()) {
    std::size_t comma = selector.find(',', start);
    if (comma == std::string::npos)
      comma = selector.size();
    const std::string term = selector.substr(start, comma - start);
    for (const std::string prefix : {"metadata.name==", "metadata.name="})
      if (term.rfind(prefix, 0) == 0)
        return term.substr(prefix.size());
    start = comma + 1;
  }
  return "";
}

}  // namespace

auth::request_attributes describe_request(const http_request& req) {
  auth::request_attributes a;
  a.path = req.path;
  a.resource_request = false;
  a.verb = lower(req.method == "HEAD" ? "GET" : req.method);
  // Read as the router reads it (path_segments): what is authorized is what is served.
  auto parts = path_segments(req.path);
  if (parts.size() < 3 || (parts[0] != "api" && parts[0] != "apis"))
    return a;
  std::size_t at = 1;
  if (parts[0] == "apis") {
    if (parts.size() < 4)
      return a;
    a.api_group = parts[at++];
  }
  ++at;  // the version
  std::vector<std::string> rest(parts.begin() + static_cast<std::ptrdiff_t>(at), parts.end());
  a.resource_request = true;
  bool verb_from_method = true;
  if (rest[0] == "watch" || rest[0] == "proxy") {
    if (rest.size() < 2) {
      a.verb = rest[0];
      return a;  // Kubernetes: cannot tell kind and namespace; nothing matches it
    }
    a.verb = rest[0];
    verb_from_method = false;
    rest.erase(rest.begin());
  } else {
    a.verb = verb_of_method(req.method);
  }
  if (rest[0] == "namespaces" && rest.size() > 1) {
    a.namespace_ = rest[1];
    if (rest.size() > 2 && rest[2] != "status" && rest[2] != "finalize")
      rest.erase(rest.begin(), rest.begin() + 2);
  }
  a.resource = rest[0];
  if (rest.size() >= 2)
    a.name = rest[1];
  if (rest.size() >= 3 && a.verb != "proxy")
    a.subresource = rest[2];
  if (verb_from_method && a.name.empty() && a.verb == "get") {
    a.verb = query_flag(req, "watch") ? "watch" : "list";
    auto selector = req.query.find("fieldSelector");
    if (selector != req.query.end()) {
      std::string name = name_required_by(selector->second);
      if (valid_path_segment(name))
        a.name = name;
    }
  }
  if (verb_from_method && a.name.empty() && a.verb == "delete")
    a.verb = "deletecollection";
  if (a.subresource == "exec" || a.subresource == "attach" || a.subresource == "portforward")
    a.verb = "create";
  return a;
}

}  // namespace capstan::api
