#include "tools/node/node_command.hpp"

#include <signal.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <iostream>
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

namespace capstan::admin {

namespace {

const char* const usage = R"(Usage: capstan-node --master HOST:PORT --token-file FILE [flags]
  --master HOST:PORT    the master's --join address (mutual TLS)
  --api HOST:PORT       the master's API, where the node fetches the CA and its certificate
                        (default: the --master host, port 6443)
  --token-file FILE     the join token (the master's DATA/node-token: K10<CA hash>::<secret>)
  --insecure-skip-ca-check
                        accept a token without the CA hash (the master is then not verified
                        before the token proof is sent)
  --name NAME           the node's name (default: the host name)
  --address IP          the node's InternalIP (default 127.0.0.1)
  --labels k=v,...      extra node labels (kubernetes.io/hostname is always set)
  --runtime runc|fake   run pods with runc (default) or only pretend (simulated node)
  --proxy-mode MODE     iptables (default with runc), userspace (seed 004's), or none
                        (default with fake)
  --data DIR            containers, images, logs, pod volumes, and the node's key and
                        certificate in DIR/pki/NAME/ (default /var/lib/capstan-node)
  --registry HOST:PORT  where images are pulled from (plain HTTP, e.g. docker-registry)
  --heartbeat D         heartbeat period (default 10s)
  --count N             with --runtime fake: N simulated nodes in this process, named NAME1..NAMEN
                        (many remote nodes for benchmarks; each joins like a real one)
)";

struct node_flags {
  std::string master, api, token_file, name, address = "127.0.0.1", runtime = "runc";
  bool insecure_skip_ca_check = false;
  std::string data = "/var/lib/capstan-node", registry, proxy_mode;
  messages::string_map labels;
  std::chrono::milliseconds heartbeat{10000};
  int count = 1;
};

std::optional<node_flags> parse(const std::vector<std::string>& args) {
  node_flags f;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0)
    f.name = host;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--insecure-skip-ca-check") {
      f.insecure_skip_ca_check = true;
      continue;
    }
    if (i + 1 >= args.size()) {
      std::cerr << "error: " << a << " needs a value\n";
      return std::nullopt;
    }
    const std::string& v = args[++i];
    if (a == "--master") {
      f.master = v;
    } else if (a == "--api") {
      f.api = v;
    } else if (a == "--token-file") {
      f.token_file = v;
    } else if (a == "--name") {
      f.name = v;
    } else if (a == "--address") {
      f.address = v;
    } else if (a == "--runtime") {
      f.runtime = v;
    } else if (a == "--count") {
      f.count = std::atoi(v.c_str());
    } else if (a == "--proxy-mode") {
      f.proxy_mode = v;
    } else if (a == "--data") {
      f.data = v;
    } else if (a == "--registry") {
      f.registry = v;
    } else if (a == "--heartbeat") {
      auto d = parse_duration(v);
      if (!d || d->count() == 0) {
        std::cerr << "error: --heartbeat: \"" << v << "\" is not a duration such as 10s\n";
        return std::nullopt;
      }
      f.heartbeat = *d;
    } else if (a == "--labels") {
      std::size_t start = 0;
      while (start <= v.size()) {
        auto comma = v.find(',', start);
        std::string pair =
            v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        auto eq = pair.find('=');
        if (eq == std::string::npos) {
          std::cerr << "error: --labels: \"" << pair << "\" is not key=value\n";
          return std::nullopt;
        }
        f.labels[pair.substr(0, eq)] = pair.substr(eq + 1);
        if (comma == std::string::npos)
          break;
        start = comma + 1;
      }
    } else {
      std::cerr << "error: unknown flag " << a << "\n";
      return std::nullopt;
    }
  }
  if (f.master.empty() || !parse_host_port(f.master)) {
    std::cerr << "error: --master HOST:PORT is required\n";
    return std::nullopt;
  }
  if (f.api.empty())
    f.api = parse_host_port(f.master)->first + ":6443";
  if (!parse_host_port(f.api)) {
    std::cerr << "error: --api HOST:PORT: \"" << f.api << "\" is not HOST:PORT\n";
    return std::nullopt;
  }
  if (f.token_file.empty()) {
    std::cerr << "error: --token-file FILE is required (the master's DATA/node-token)\n";
    return std::nullopt;
  }
  if (f.proxy_mode.empty())
    f.proxy_mode = f.runtime == "runc" ? "iptables" : "none";
  if (f.proxy_mode != "iptables" && f.proxy_mode != "userspace" && f.proxy_mode != "none") {
    std::cerr << "error: --proxy-mode is iptables, userspace or none, not \"" << f.proxy_mode
              << "\"\n";
    return std::nullopt;
  }
  if (f.count < 1 || (f.count > 1 && f.runtime != "fake")) {
    std::cerr << "error: --count N (N >= 1) runs several nodes only with --runtime fake\n";
    return std::nullopt;
  }
  if (f.runtime != "runc" && f.runtime != "fake") {
    std::cerr << "error: --runtime is runc or fake, not \"" << f.runtime << "\"\n";
    return std::nullopt;
  }
  return f;
}

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

int run_node_command(const std::vector<std::string>& args) {
  auto parsed = flags_or_exit<node_flags>(args, usage, parse);
  if (auto* code = std::get_if<int>(&parsed))
    return *code;
  node_flags f = std::get<node_flags>(std::move(parsed));
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
      h.runtime = f.runtime == "fake" ? std::shared_ptr<nodeagent::pod_runtime>(
                                            nodeagent::make_fake_runtime())
                                      : nodeagent::make_runc_runtime({f.data, f.registry});
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
  auto [host, port] = *parse_host_port(f.master);
  std::shared_ptr<proxy::service_proxy> traffic_proxy;
  if (f.proxy_mode == "iptables")
    traffic_proxy = std::make_shared<proxy::iptables_proxier>(f.address);
  else if (f.proxy_mode == "userspace")
    traffic_proxy = std::make_shared<proxy::userspace_proxier>(f.address);
  nodeagent::node_agent_config config;
  config.master_host = host;
  config.master_port = port;
  config.nodes = std::move(hosted);
  config.pod_network = f.runtime == "runc";
  config.heartbeat = f.heartbeat;
  config.on_refused = [](const std::string& name, const messages::refusal& why) {
    std::fprintf(stderr, "capstan node: the master refused %s: %s\n", name.c_str(),
                 why.message.c_str());
  };
  // With many simulated nodes, only the first one's joins are printed.
  config.on_joined = [master = f.master,
                      shown = config.nodes.front().description.metadata.name](const messages::node& n) {
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
