#include "tools/ctl/resources.hpp"

#include <cctype>
#include <cstdio>
#include <ostream>

namespace capstan::ctl {

using namespace messages;

std::string url_encode(const std::string& s) {
  std::string out;
  char buf[4];
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::vector<std::string> resource_type_spellings() {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < object_kind_count; ++k) {
    const auto& kind = info(static_cast<object_kind>(k));
    for (std::string_view spelling : {kind.resource, kind.singular, kind.short_name})
      if (!spelling.empty())
        out.emplace_back(spelling);
  }
  return out;
}

std::string collection_path(object_kind kind, const std::string& ns, bool all_namespaces) {
  const std::string resource(info(kind).resource);
  const std::string group(info(kind).group);
  const std::string prefix = group.empty() ? "/api/v1/" : "/apis/" + group + "/v1/";
  if (!info(kind).namespaced || all_namespaces)
    return prefix + resource;
  return prefix + "namespaces/" + ns + "/" + resource;
}

std::string object_path(object_kind kind, const std::string& ns, const std::string& name) {
  return collection_path(kind, ns, false) + "/" + url_encode(name);
}

bool resolve_resource(const std::string& arg, object_kind& kind, std::string& name,
                      std::ostream& err) {
  std::string type = arg;
  auto slash = arg.find('/');
  if (slash != std::string::npos) {
    type = arg.substr(0, slash);
    name = arg.substr(slash + 1);
  }
  auto k = kind_from_resource(type);
  if (!k) {
    err << "error: the server doesn't have a resource type \"" << type << "\"\n";
    return false;
  }
  kind = *k;
  return true;
}

bool target_of(const std::vector<std::string>& args, object_kind& kind, std::string& name,
               std::ostream& err) {
  if (args.empty()) {
    err << "error: You must specify the type of resource.\n";
    return false;
  }
  name = args.size() > 1 ? args[1] : "";
  return resolve_resource(args[0], kind, name, err);
}

int named_target(const std::vector<std::string>& args, object_kind& kind, std::string& name,
                 std::ostream& err, const char* no_arguments, const char* no_name) {
  if (args.empty()) {
    err << "error: " << no_arguments << "\n";
    return 2;
  }
  if (!target_of(args, kind, name, err))
    return 1;
  if (name.empty()) {
    err << "error: " << no_name << "\n";
    return 2;
  }
  return 0;
}

std::optional<json> get_json(const connection& c, const std::string& path, std::ostream& err) {
  auto r = call(c, "GET", path);
  if (r.status != 200) {
    server_error(r, err);
    return std::nullopt;
  }
  return json::parse(r.body);
}

std::optional<manifest_set> manifests_or_report(const std::vector<std::string>& files,
                                                std::ostream& err) {
  manifest_set set = load_manifests(files);
  for (const auto& problem : set.problems)
    err << "error: " << problem.to_string() << "\n";
  if (!set.ok())
    return std::nullopt;
  return set;
}

}  // namespace capstan::ctl
