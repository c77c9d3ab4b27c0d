#include "tools/node/node_flags.hpp"

#include <unistd.h>

#include <iostream>

#include "messages/node_protocol.hpp"
#include "tools/admin/flags.hpp"

namespace capstan::admin {

void add_node_flags(CLI::App& cmd, node_flags& f) {
  cmd.add_option("--master", f.master,
                 "The master's --join address (HOST:PORT, mutual TLS); with several masters, "
                 "all of them, comma-separated: the node joins whichever leads")
      ->required();
  cmd.add_option("--api", f.api,
                 "The master's API, where the node fetches the CA and its certificate "
                 "(default: the --master host, port 6443)");
  cmd.add_option("--token-file", f.token_file,
                 "The join token (the master's DATA/node-token: K10<CA hash>::<secret>)")
      ->required();
  cmd.add_flag("--insecure-skip-ca-check", f.insecure_skip_ca_check,
               "Accept a token without the CA hash (the master is then not verified before "
               "the token proof is sent)");
  cmd.add_option("--name", f.name, "The node's name (default: the host name)");
  cmd.add_option("--address", f.address, "The node's InternalIP")->capture_default_str();
  cmd.add_option("--labels", f.labels_text,
                 "Extra node labels k=v,... (kubernetes.io/hostname is always set)");
  cmd.add_option("--runtime", f.runtime, "Run pods with runc, or only pretend (fake)")
      ->check(CLI::IsMember({"runc", "fake"}))
      ->capture_default_str();
  cmd.add_option("--proxy-mode", f.proxy_mode,
                 "iptables (default with runc), userspace (seed 004's), or none (default with "
                 "fake)")
      ->check(CLI::IsMember({"iptables", "userspace", "none"}));
  cmd.add_option("--pod-network", f.pod_network,
                 "vxlan or routes: the mode this node must find the cluster in (a master with "
                 "the other refuses it at join); by default the node follows the master's "
                 "--pod-network")
      ->check(CLI::IsMember({std::string(messages::pod_network_vxlan),
                             std::string(messages::pod_network_routes)}));
  cmd.add_option("--data", f.data,
                 "Containers, images, logs, pod volumes, and the node's key and certificate in "
                 "DIR/pki/NAME/")
      ->capture_default_str();
  cmd.add_option("--registry", f.registry,
                 "Where images are pulled from (HOST:PORT, plain HTTP, e.g. docker-registry)");
  cmd.add_option("--heartbeat", f.heartbeat_text, "Heartbeat period (500ms, 10s, 1m)")
      ->capture_default_str();
  cmd.add_option("--resolv-conf", f.resolv_conf,
                 "The node's resolvers: where the cluster DNS sends names outside the cluster, "
                 "and what pods with dnsPolicy Default get (\"\" or a file without nameservers: "
                 "none)")
      ->capture_default_str();
  cmd.add_option("--restart-backoff-initial", f.backoff_initial_text,
                 "A crashed container's wait before its second restart (the first is at once); "
                 "doubles at every crash")
      ->capture_default_str();
  cmd.add_option("--restart-backoff-max", f.backoff_max_text,
                 "The ceiling of that wait; a container that ran twice as long starts over")
      ->capture_default_str();
  cmd.add_option("--count", f.count,
                 "With --runtime fake: N simulated nodes in this process, named NAME1..NAMEN "
                 "(each joins like a real one)")
      ->capture_default_str();
}

bool complete(node_flags& f) {
  if (f.name.empty()) {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) == 0)
      f.name = host;
  }
  auto heartbeat = parse_duration(f.heartbeat_text);
  if (!heartbeat || heartbeat->count() == 0) {
    std::cerr << "error: --heartbeat: \"" << f.heartbeat_text
              << "\" is not a duration such as 10s\n";
    return false;
  }
  f.heartbeat = *heartbeat;
  auto whole_seconds = [](const std::string& flag,
                          const std::string& text) -> std::optional<std::chrono::seconds> {
    auto d = parse_duration(text);
    if (!d || d->count() < 1000 || d->count() % 1000 != 0) {
      std::cerr << "error: " << flag << ": \"" << text
                << "\" is not a whole number of seconds such as 10s or 5m\n";
      return std::nullopt;
    }
    return std::chrono::duration_cast<std::chrono::seconds>(*d);
  };
  auto initial = whole_seconds("--restart-backoff-initial", f.backoff_initial_text);
  auto max = whole_seconds("--restart-backoff-max", f.backoff_max_text);
  if (!initial || !max)
    return false;
  if (*max < *initial) {
    std::cerr << "error: --restart-backoff-max (" << f.backoff_max_text
              << ") is shorter than --restart-backoff-initial (" << f.backoff_initial_text << ")\n";
    return false;
  }
  f.backoff = {*initial, *max, 2 * *max};
  const std::string& v = f.labels_text;
  for (std::size_t start = 0; !v.empty() && start <= v.size();) {
    auto comma = v.find(',', start);
    std::string pair =
        v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto eq = pair.find('=');
    if (eq == std::string::npos) {
      std::cerr << "error: --labels: \"" << pair << "\" is not key=value\n";
      return false;
    }
    f.labels[pair.substr(0, eq)] = pair.substr(eq + 1);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  f.masters.clear();
  for (std::size_t start = 0; start <= f.master.size();) {
    auto comma = f.master.find(',', start);
    std::string one =
        f.master.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto parsed = parse_host_port(one);
    if (!parsed) {
      std::cerr << "error: --master HOST:PORT[,HOST:PORT...]: \"" << one
                << "\" is not HOST:PORT\n";
      return false;
    }
    f.masters.push_back(*parsed);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  if (f.api.empty())
    f.api = f.masters.front().first + ":6443";
  if (!parse_host_port(f.api)) {
    std::cerr << "error: --api HOST:PORT: \"" << f.api << "\" is not HOST:PORT\n";
    return false;
  }
  if (f.proxy_mode.empty())
    f.proxy_mode = f.runtime == "runc" ? "iptables" : "none";
  if (f.count < 1 || (f.count > 1 && f.runtime != "fake")) {
    std::cerr << "error: --count N (N >= 1) runs several nodes only with --runtime fake\n";
    return false;
  }
  return true;
}

}  // namespace capstan::admin
