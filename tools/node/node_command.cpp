#include "tools/node/node_command.hpp"

#include <signal.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include "common/join_proof.hpp"
#include "common/pki.hpp"
#include "messages/validation.hpp"
#include "nodeagent/bootstrap.hpp"
#include "nodeagent/fake_runtime.hpp"
#include "nodeagent/node_agent.hpp"
#include "nodeagent/runc_runtime.hpp"
#include "proxy/iptables_proxier.hpp"
#include "proxy/userspace_proxier.hpp"
#include "tools/admin/flags.hpp"
#include "tools/node/node_flags.hpp"

namespace capstan::admin {

namespace {

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string os_image() {
  std::ifstream in("/etc/os-release");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("PRETTY_NAME=", 0) == 0) {
      std::string v = line.substr(12);
      if (v.size() >= 2 && v.front() == '"')
        v = v.substr(1, v.size() - 2);
      return v;
    }
  return "Linux";
}

int64_t memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t kib = 0;
  while (in >> key >> kib) {
    if (key == "MemTotal:")
      return kib * 1024;
    in.ignore(256, '\n');
  }
  return 0;
}

// The node as this machine describes it: capacity, addresses, system info, Ready.
messages::node describe(const node_flags& f) {
  using namespace messages;
  node n;
  n.metadata.name = f.name;
  n.metadata.labels = f.labels;
  n.metadata.labels["kubernetes.io/hostname"] = f.name;
  n.metadata.labels["kubernetes.io/os"] = "linux";
  n.status.capacity = {{"cpu", quantity::from_milli(1000LL * sysconf(_SC_NPROCESSORS_ONLN))},
                       {"memory", quantity::from_bytes(memory_bytes())},
                       {"pods", quantity::from_count(110)}};
  n.status.allocatable = n.status.capacity;
  auto now = timestamp::now();
  n.status.conditions.push_back(
      {"Ready", "True", now, now, "KubeletReady", "capstan node agent is posting ready status"});
  n.status.addresses.push_back({"InternalIP", f.address});
  n.status.addresses.push_back({"Hostname", f.name});
  utsname u{};
  uname(&u);
  n.status.node_info.machine_id = first_line("/etc/machine-id");
  n.status.node_info.system_uuid = n.status.node_info.machine_id;
  n.status.node_info.boot_id = first_line("/proc/sys/kernel/random/boot_id");
  n.status.node_info.kernel_version = u.release;
  n.status.node_info.os_image = os_image();
  n.status.node_info.kubelet_version = "capstan-0.1";
  n.status.node_info.kube_proxy_version = "capstan-0.1";
  n.status.node_info.operating_system = "linux";
  n.status.node_info.architecture = "amd64";
  return n;
}

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

int run_node(const node_flags& f) {
  std::string token;
  try {
    token = common::read_join_token(f.token_file);
  } catch (const std::exception& e) {
    std::cerr << "capstan node: " << e.what() << "\n";
    return 1;
  }
  std::vector<nodeagent::hosted_node> hosted;
  for (int i = 1; i <= f.count; ++i) {
    node_flags one = f;
    if (f.count > 1)
      one.name = f.name + std::to_string(i);
    nodeagent::hosted_node h;
    h.description = describe(one);
    auto problems = messages::validate(messages::any_object(h.description));
    if (!problems.empty()) {
      std::cerr << "capstan node: the node is not valid: " << problems.front().to_string() << "\n";
      return 2;
    }
    hosted.push_back(std::move(h));
  }
  // Before anything secret crosses: the master's CA checked against the token's hash, then a
  // certificate for each node (or the ones obtained before: a restarted agent keeps its key).
  sigset_t signals = block_termination_signals();
  auto [api_host, api_port] = *parse_host_port(f.api);
  nodeagent::node_credentials first;
  for (std::size_t i = 0; i < hosted.size(); ++i) {
    const std::string& name = hosted[i].description.metadata.name;
    nodeagent::bootstrap_config b;
    b.api_host = api_host;
    b.api_port = api_port;
    b.token = token;
    b.node_name = name;
    b.dir = f.data + "/pki/" + name;
    b.insecure_skip_ca_check = f.insecure_skip_ca_check;
    try {
      auto credentials = nodeagent::bootstrap_node_credentials(b);
      hosted[i].certificate_pem = read_whole(credentials.certificate_file);
      hosted[i].key_pem = read_whole(credentials.key_file);
      if (i == 0)
        first = credentials;
    } catch (const std::exception& e) {
      std::cerr << "capstan node: " << name << ": " << e.what() << "\n";
      return 1;
    }
  }
  try {
    for (auto& h : hosted)
      h.runtime = f.runtime == "fake"
                      ? std::shared_ptr<nodeagent::pod_runtime>(nodeagent::make_fake_runtime())
                      : nodeagent::make_runc_runtime({f.data, f.registry, f.backoff, f.resolv_conf});
  } catch (const std::exception& e) {
    std::cerr << "capstan node: " << e.what() << "\n";
    return 1;
  }

  // The join port speaks mutual TLS only: this process presents its (first) node's
  // certificate and accepts only a master whose certificate the master's CA signed.
  caf::actor_system_config cfg;
  cfg.load<caf::io::middleman>();
  cfg.load<caf::openssl::manager>();
  messages::add_node_protocol_types(cfg);
  cfg.openssl_certificate = first.certificate_file;
  cfg.openssl_key = first.key_file;
  cfg.openssl_cafile = first.ca_file;
  caf::actor_system system{cfg};
  auto [host, port] = f.masters.front();
  std::shared_ptr<proxy::service_proxy> traffic_proxy;
  if (f.proxy_mode == "iptables")
    traffic_proxy = std::make_shared<proxy::iptables_proxier>(f.address);
  else if (f.proxy_mode == "userspace")
    traffic_proxy = std::make_shared<proxy::userspace_proxier>(f.address);
  nodeagent::node_agent_config config;
  config.master_host = host;
  config.master_port = port;
  config.other_masters.assign(f.masters.begin() + 1, f.masters.end());
  config.nodes = std::move(hosted);
  config.pod_network = f.runtime == "runc";
  config.pod_network_mode = f.pod_network;
  // A real node answers the cluster DNS address for its pods (and itself).
  if (f.runtime == "runc")
    config.dns = std::make_shared<nodeagent::node_dns>(
        [](const std::vector<std::string>& argv) { return common::run_process(argv); },
        f.resolv_conf);
  config.heartbeat = f.heartbeat;
  config.on_refused = [](const std::string& name, const messages::refusal& why) {
    std::fprintf(stderr, "capstan node: the master refused %s: %s\n", name.c_str(),
                 why.message.c_str());
  };
  // With many simulated nodes, only the first one's joins are printed.
  config.on_joined = [master = f.master, shown = config.nodes.front().description.metadata.name](
                         const messages::node& n) {
    if (n.metadata.name != shown)
      return;
    std::printf("capstan node: %s joined %s (pod network %s)\n", n.metadata.name.c_str(),
                master.c_str(), n.spec.pod_cidr.c_str());
    std::fflush(stdout);
  };
  auto agent = nodeagent::spawn_node_agent(system, std::move(config), traffic_proxy);
  // A signal ends the agent; the main thread waits for it to end either way.
  std::thread signal_waiter([&] {
    int received = 0;
    sigwait(&signals, &received);
    caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
  });
  int exit_code = 0;
  {
    caf::scoped_actor self{system};
    self->monitor(agent);
    self->receive([&](const caf::down_msg& down) {
      if (down.reason != caf::exit_reason::user_shutdown)
        exit_code = 1;  // every node refused
    });
  }
  if (exit_code != 0)
    pthread_kill(signal_waiter.native_handle(), SIGTERM);  // wake the signal thread
  signal_waiter.join();
  agent = nullptr;
  traffic_proxy.reset();
  std::printf("capstan node: stopped\n");
  return exit_code;
}

}  // namespace capstan::admin
