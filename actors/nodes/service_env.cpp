#include "actors/nodes/service_env.hpp"

#include <algorithm>
#include <cctype>

#include "messages/text.hpp"

namespace capstan::actors {

using namespace messages;

namespace {

std::string env_name(const std::string& name) {
  std::string out;
  for (char ch : name)
    out.push_back(ch == '-' || ch == '.' ? '_' : static_cast<char>(std::toupper(ch)));
  return out;
}

}  // namespace

std::vector<env_var> service_environment(const std::vector<service>& services) {
  std::vector<const service*> sorted;
  for (const auto& s : services)
    if (!s.spec.cluster_ip.empty() && s.spec.cluster_ip != "None" && !s.spec.ports.empty())
      sorted.push_back(&s);
  std::sort(sorted.begin(), sorted.end(),
            [](const service* a, const service* b) { return a->metadata.name < b->metadata.name; });
  std::vector<env_var> out;
  auto add = [&](std::string name, std::string value) {
    out.push_back({std::move(name), std::move(value), {}});
  };
  for (const auto* s : sorted) {
    const std::string prefix = env_name(s->metadata.name);
    const std::string& ip = s->spec.cluster_ip;
    const auto& first = s->spec.ports.front();
    const std::string first_protocol = ascii_lower(first.protocol.empty() ? "TCP" : first.protocol);
    add(prefix + "_SERVICE_HOST", ip);
    add(prefix + "_SERVICE_PORT", std::to_string(first.port));
    for (const auto& p : s->spec.ports)
      if (!p.name.empty())
        add(prefix + "_SERVICE_PORT_" + env_name(p.name), std::to_string(p.port));
    add(prefix + "_PORT", first_protocol + "://" + ip + ":" + std::to_string(first.port));
    for (const auto& p : s->spec.ports) {
      std::string protocol = p.protocol.empty() ? "TCP" : p.protocol;
      std::string base = prefix + "_PORT_" + std::to_string(p.port) + "_" + protocol;
      add(base, ascii_lower(protocol) + "://" + ip + ":" + std::to_string(p.port));
      add(base + "_PROTO", ascii_lower(protocol));
      add(base + "_PORT", std::to_string(p.port));
      add(base + "_ADDR", ip);
    }
  }
  return out;
}

pod with_service_environment(pod p, const std::vector<service>& services) {
  return with_service_environment(std::move(p), service_environment(services));
}

pod with_service_environment(pod p, const std::vector<env_var>& env) {
  if (env.empty())
    return p;
  for (auto& c : p.spec.containers) {
    std::vector<env_var> merged = env;
    merged.insert(merged.end(), c.env.begin(), c.env.end());
    c.env = std::move(merged);
  }
  return p;
}

}  // namespace capstan::actors
