#include "nodeagent/pod_dns.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

namespace capstan::nodeagent {

namespace {

struct resolver_config {
  std::vector<std::string> nameservers, searches;
  std::vector<std::pair<std::string, std::string>> options;  // name, value ("" : none)
};

void add_unique(std::vector<std::string>& to, const std::string& value) {
  if (!value.empty() && std::find(to.begin(), to.end(), value) == to.end())
    to.push_back(value);
}

void set_option(resolver_config& c, const std::string& name, const std::string& value) {
  for (auto& o : c.options)
    if (o.first == name) {
      o.second = value;
      return;
    }
  c.options.emplace_back(name, value);
}

resolver_config parse_resolv_conf(const std::string& text) {
  resolver_config c;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string key;
    if (!(words >> key) || key[0] == '#' || key[0] == ';')
      continue;
    std::string word;
    if (key == "nameserver" && words >> word) {
      add_unique(c.nameservers, word);
    } else if (key == "search" || key == "domain") {
      if (key == "search")
        c.searches.clear();  // the last search line wins, as in glibc
      while (words >> word)
        add_unique(c.searches, word);
    } else if (key == "options") {
      while (words >> word) {
        auto colon = word.find(':');
        set_option(c, word.substr(0, colon),
                   colon == std::string::npos ? "" : word.substr(colon + 1));
      }
    }
  }
  return c;
}

void merge(resolver_config& c, const messages::pod_dns_config& extra) {
  for (const auto& n : extra.nameservers)
    add_unique(c.nameservers, n);
  for (const auto& s : extra.searches)
    add_unique(c.searches, s);
  for (const auto& o : extra.options)
    set_option(c, o.name, o.value);
}

std::string render(const resolver_config& c) {
  std::string out;
  for (std::size_t i = 0; i < c.nameservers.size() && i < 3; ++i)
    out += "nameserver " + c.nameservers[i] + "\n";
  if (!c.searches.empty()) {
    out += "search";
    for (std::size_t i = 0; i < c.searches.size() && i < 32; ++i)
      out += " " + c.searches[i];
    out += "\n";
  }
  if (!c.options.empty()) {
    out += "options";
    for (const auto& [name, value] : c.options)
      out += " " + name + (value.empty() ? "" : ":" + value);
    out += "\n";
  }
  return out;
}

}  // namespace

std::string pod_resolv_conf(const messages::pod& pod, const cluster_dns_settings& cluster,
                            const std::string& node_resolv_conf) {
  const auto& spec = pod.spec;
  const std::string& policy = spec.dns_policy.empty() ? std::string("ClusterFirst") : spec.dns_policy;
  resolver_config c;
  const bool cluster_first = !cluster.address.empty() &&
                             ((policy == "ClusterFirst" && !spec.host_network) ||
                              policy == "ClusterFirstWithHostNet");
  if (policy == "None") {
    // only dnsConfig
  } else if (cluster_first) {
    const auto node = parse_resolv_conf(node_resolv_conf);
    c.nameservers = {cluster.address};
    const std::string& ns = pod.metadata.namespace_.empty() ? std::string("default")
                                                            : pod.metadata.namespace_;
    c.searches = {ns + ".svc." + cluster.domain, "svc." + cluster.domain, cluster.domain};
    for (const auto& s : node.searches)
      add_unique(c.searches, s);
    c.options = {{"ndots", "5"}};
  } else {  // Default, or ClusterFirst without a cluster DNS or on the host's network
    c = parse_resolv_conf(node_resolv_conf);
  }
  if (spec.dns_config)
    merge(c, *spec.dns_config);
  return render(c);
}

std::string pod_hosts_file(const messages::pod& pod, const std::string& ip,
                           const std::string& domain) {
  std::string out =
      "# Kubernetes-managed hosts file.\n"
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\n"
      "fe00::0\tip6-mcastprefix\n"
      "fe00::1\tip6-allnodes\n"
      "fe00::2\tip6-allrouters\n";
  if (ip.empty())
    return out;
  const std::string host = pod.spec.hostname.empty() ? pod.metadata.name : pod.spec.hostname.str();
  out += ip + "\t";
  if (!pod.spec.subdomain.empty())
    out += host + "." + pod.spec.subdomain + "." + pod.metadata.namespace_ + ".svc." + domain +
           "\t";
  out += host + "\n";
  return out;
}

}  // namespace capstan::nodeagent
