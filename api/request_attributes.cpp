#include "api/request_attributes.hpp"

#include <vector>

#include "api/request_params.hpp"
#include "messages/field_selector.hpp"

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

// What a field selector on `resource` requires exactly (metadata.name=NAME or ==NAME), read by
// the parser the list itself uses (spaces trimmed alike); empty when unreadable (the list
// refuses it then).
std::vector<std::pair<std::string, std::string>> fields_required_by(const std::string& selector,
                                                                    const std::string& resource) {
  std::vector<std::pair<std::string, std::string>> out;
  auto kind = messages::kind_from_resource(resource);
  if (!kind)
    return out;
  auto parsed = messages::field_selector::parse(selector, *kind);
  auto* fields = std::get_if<messages::field_selector>(&parsed);
  if (!fields)
    return out;
  for (const auto& r : fields->requirements())
    if (r.equals)
      out.emplace_back(r.field, r.value);
  return out;
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
      a.required_fields = fields_required_by(selector->second, a.resource);
      // The first requirement on metadata.name, as the list's index lookup takes it.
      for (const auto& [field, value] : a.required_fields)
        if (field == "metadata.name") {
          if (valid_path_segment(value))
            a.name = value;
          break;
        }
    }
  }
  if (verb_from_method && a.name.empty() && a.verb == "delete")
    a.verb = "deletecollection";
  if (a.subresource == "exec" || a.subresource == "attach" || a.subresource == "portforward")
    a.verb = "create";
  return a;
}

}  // namespace capstan::api
