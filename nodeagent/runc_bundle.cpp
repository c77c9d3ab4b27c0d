#include "nodeagent/runc_bundle.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace capstan::nodeagent {

using namespace messages;

std::pair<std::string, std::string> image_reference(const std::string& image) {
  std::string name = image, tag = "latest";
  auto at = name.find('@');
  if (at != std::string::npos)
    name = name.substr(0, at);
  auto colon = name.rfind(':');
  if (colon != std::string::npos && name.find('/', colon) == std::string::npos) {
    tag = name.substr(colon + 1);
    name = name.substr(0, colon);
  }
  // Docker Hub's implicit names: docker.io/library/nginx is nginx.
  for (const char* prefix : {"docker.io/library/", "docker.io/", "library/"})
    if (name.rfind(prefix, 0) == 0)
      name = name.substr(std::string(prefix).size());
  return {name, tag};
}

std::vector<bind_mount> volume_mounts(const std::string& pod_dir, const pod& p,
                                      const container& c) {
  std::vector<bind_mount> mounts;
  for (const auto& m : c.volume_mounts)
    for (const auto& v : p.spec.volumes)
      if (v.name == m.name)
        mounts.push_back({v.host_path ? v.host_path->path : pod_dir + "/volumes/" + v.name,
                          m.mount_path,
                          // Secret and configMap volumes are always read-only, as in Kubernetes.
                          m.read_only || (v.nfs && v.nfs->read_only) || v.secret || v.config_map});
  return mounts;
}

namespace {

// Docker's default capabilities: what images such as nginx expect.
const std::vector<std::string> default_capabilities = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE"};

}  // namespace

std::string container_config(const std::string& base, const pod& p, const container& c,
                             const std::string& netns_path, const std::string& cgroups_path,
                             const std::vector<bind_mount>& mounts) {
  auto cfg = nlohmann::json::parse(base);
  auto& process = cfg["process"];
  process["terminal"] = false;
  // Kubernetes: command replaces the image's entrypoint, args its cmd.
  std::vector<std::string> args = process.value("args", std::vector<std::string>{});
  if (!c.command.empty()) {
    args = c.command;
    args.insert(args.end(), c.args.begin(), c.args.end());
  } else if (!c.args.empty()) {
    std::vector<std::string> entry;
    if (!args.empty())
      entry.push_back(args.front());
    entry.insert(entry.end(), c.args.begin(), c.args.end());
    args = entry;
  }
  process["args"] = args;
  std::vector<std::string> env = process.value("env", std::vector<std::string>{});
  for (const auto& e : c.env) {
    std::string prefix = e.name + "=";
    env.erase(std::remove_if(env.begin(), env.end(),
                             [&](const std::string& v) { return v.rfind(prefix, 0) == 0; }),
              env.end());
    env.push_back(prefix + e.value);
  }
  env.push_back("HOSTNAME=" + p.metadata.name);
  process["env"] = env;
  if (!c.working_dir.empty())
    process["cwd"] = c.working_dir;
  for (const char* set : {"bounding", "effective", "permitted"})
    process["capabilities"][set] = default_capabilities;
  process["capabilities"].erase("inheritable");
  process["capabilities"].erase("ambient");
  cfg["hostname"] = p.metadata.name;
  cfg["root"]["readonly"] = false;
  auto& linux = cfg["linux"];
  for (auto& ns : linux["namespaces"])
    if (ns.value("type", "") == "network")
      ns["path"] = netns_path;
  linux["cgroupsPath"] = cgroups_path;
  auto& resources = linux["resources"];
  // Seed 000: cpu shares = cpu x 1024; a limit is also a CFS quota over 100 ms periods.
  const auto& limits = c.resources.limits;
  const auto& requests = c.resources.requests;
  auto cpu = requests.count("cpu") ? requests.at("cpu").milli()
                                   : (limits.count("cpu") ? limits.at("cpu").milli() : 0);
  resources["cpu"]["shares"] = std::max<int64_t>(2, cpu * 1024 / 1000);
  if (limits.count("cpu")) {
    resources["cpu"]["period"] = 100000;
    resources["cpu"]["quota"] = std::max<int64_t>(1000, limits.at("cpu").milli() * 100);
  }
  if (limits.count("memory"))
    resources["memory"]["limit"] = limits.at("memory").value();
  resources["pids"]["limit"] = 4096;
  for (const auto& m : mounts)
    cfg["mounts"].push_back({{"destination", m.destination},
                             {"type", "bind"},
                             {"source", m.source},
                             {"options", {"rbind", m.read_only ? "ro" : "rw"}}});
  return cfg.dump(2);
}

}  // namespace capstan::nodeagent
