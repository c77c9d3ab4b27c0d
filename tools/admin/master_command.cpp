#include "tools/admin/master_command.hpp"

#include "tools/admin/flags.hpp"
#include "tools/cli/cli.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>

#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include "actors/allocators/range_allocator.hpp"
#include "actors/master/master.hpp"
#include "actors/nodes/join_port_guard.hpp"
#include "api/api_server.hpp"
#include "api/credentials.hpp"
#include "api/master_join.hpp"
#include "common/ipv4.hpp"
#include "common/join_proof.hpp"
#include "common/pki.hpp"
#include "messages/manifest.hpp"
#include "messages/name_rules.hpp"
#include "messages/node_interfaces.hpp"
#include "actors/nodes/join_checks.hpp"
#include "nodeagent/simulated_nodes.hpp"
#include "store/raft_tls_transport.hpp"
#include "tools/admin/master_members_command.hpp"
#include "tools/admin/master_membership.hpp"

namespace capstan::admin {

namespace {

actors::master_config with_reserve() {
  actors::master_config c;
  c.journal_reserve_bytes = 32ull << 20;
  return c;
}

struct master_flags {
  actors::master_config config = with_reserve();
  std::string join = "127.0.0.1:6444", api = "127.0.0.1:6443";
  std::string join_host, api_host;
  uint16_t join_port = 0, api_port = 0;
  std::vector<std::string> manifests;
  int fake_nodes = 0;
  int64_t fake_node_max_pods = 110;
  std::string grace = "40s", eviction = "5m";
  unsigned long long journal_reserve_mib = 32;
  api::server_limits api_limits;
  membership_flags cluster;  // several masters (issue #20)
};

// What CLI11 cannot check by type: addresses, CIDRs, durations. False after saying why.
bool complete(master_flags& f) {
  if (f.config.data_dir.empty()) {
    std::cerr << "error: --data is required (where the journal lives); see capstan master --help\n";
    return false;
  }
  for (auto [flag, text, host, port] :
       {std::make_tuple("--join", &f.join, &f.join_host, &f.join_port),
        std::make_tuple("--api", &f.api, &f.api_host, &f.api_port)}) {
    auto hp = parse_host_port(*text);
    if (!hp) {
      std::cerr << "error: " << flag << " needs HOST:PORT, not \"" << *text << "\"\n";
      return false;
    }
    *host = hp->first;
    *port = hp->second;
  }
  for (auto [flag, text, out] :
       {std::make_tuple("--node-monitor-grace-period", &f.grace, &f.config.lifecycle.grace),
        std::make_tuple("--pod-eviction-timeout", &f.eviction, &f.config.lifecycle.eviction)}) {
    auto d = parse_duration(*text);
    if (!d) {
      std::cerr << "error: " << flag << ": \"" << *text
                << "\" is not a duration such as 40s or 5m\n";
      return false;
    }
    *out = *d;
  }
  f.config.journal_reserve_bytes = f.journal_reserve_mib << 20;
  if (!f.config.cluster_dns.empty()) {
    auto range = actors::ipv4_cidr::parse(f.config.allocators.service_cidr);
    auto dns = common::parse_ipv4(f.config.cluster_dns);
    if (!dns || !range || !range->contains(*dns) || *dns == range->network ||
        *dns == range->network + range->size() - 1) {
      std::cerr << "error: --cluster-dns \"" << f.config.cluster_dns
                << "\" is not an address of the service range " << f.config.allocators.service_cidr
                << "\n";
      return false;
    }
  }
  {
    auto problems = messages::dns1123_subdomain(f.config.cluster_domain);
    if (!problems.empty()) {
      std::cerr << "error: --cluster-domain \"" << f.config.cluster_domain << "\": "
                << problems.front() << "\n";
      return false;
    }
  }
  if (!check_membership_flags(f.cluster, std::cerr))
    return false;
  for (const auto* cidr : {&f.config.allocators.service_cidr, &f.config.allocators.cluster_cidr}) {
    auto parsed = actors::ipv4_cidr::parse(*cidr);
    if (!parsed || parsed->prefix > 24) {
      std::cerr << "error: \"" << *cidr << "\" is not an IPv4 CIDR of /24 or larger\n";
      return false;
    }
  }
  if (f.fake_nodes > static_cast<int>(actors::max_nodes_per_join)) {
    std::cerr << "error: --fake-nodes " << f.fake_nodes << ": one session joins at most "
              << actors::max_nodes_per_join << " nodes\n";
    return false;
  }
  // Every node takes a /24 of the cluster CIDR: more simulated nodes than it holds would wait
  // for subnets forever.
  if (f.fake_nodes > 0) {
    auto cluster = actors::ipv4_cidr::parse(f.config.allocators.cluster_cidr);
    const long subnets = 1L << (24 - cluster->prefix);
    if (f.fake_nodes > subnets) {
      std::cerr << "error: --fake-nodes " << f.fake_nodes << " needs as many /24 pod subnets, and "
                << "--cluster-cidr " << f.config.allocators.cluster_cidr << " holds " << subnets
                << " (10.0.0.0/11 holds 8192)\n";
      return false;
    }
  }
  return true;
}

int run_master(master_flags& flags);

}  // namespace

void add_master_command(CLI::App& root) {
  auto f = std::make_shared<master_flags>();
  CLI::App* cmd = root.add_subcommand(
      "master", "Run the control plane on a data directory until SIGINT or SIGTERM");
  // Required when running the master (complete() checks it): `capstan master members` has
  // its own.
  cmd->add_option("--data", f->config.data_dir, "Where the journal lives (created if missing)");
  cmd->add_option("--api", f->api, "The HTTPS API for kubectl (HOST:PORT)")->capture_default_str();
  cmd->add_option("--join", f->join,
                  "Where node agents connect, over mutual TLS (HOST:PORT); a connection that "
                  "proves no node within 10 s is closed")
      ->capture_default_str();
  cmd->add_option("--manifests", f->manifests,
                  "Create the objects of these manifests at start if missing (all or none: a PATH "
                  "with any problem creates nothing)")
      ->allow_extra_args(false);
  cmd->add_option("--fake-nodes", f->fake_nodes, "Run N simulated nodes in this process")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--fake-node-max-pods", f->fake_node_max_pods,
                  "Pods each simulated node takes (its capacity \"pods\")")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--service-cluster-ip-range", f->config.allocators.service_cidr,
                  "ClusterIPs (CIDR)")
      ->capture_default_str();
  cmd->add_option("--cluster-dns", f->config.cluster_dns,
                  "The address in the service range every node answers DNS at (the Service "
                  "kube-system/kube-dns); \"\" for no cluster DNS")
      ->capture_default_str();
  cmd->add_option("--cluster-domain", f->config.cluster_domain,
                  "The cluster's DNS domain (SVC.NS.svc.DOMAIN)")
      ->capture_default_str();
  cmd->add_option("--pod-network", f->config.pod_network.mode,
                  "How pods reach other nodes, which every node follows: vxlan (an overlay, works "
                  "wherever the nodes reach each other's address) or routes (the nodes must share "
                  "a link or the network must route pod addresses)")
      ->check(CLI::IsMember({std::string(messages::pod_network_vxlan),
                             std::string(messages::pod_network_routes)}))
      ->capture_default_str();
  cmd->add_option("--vxlan-vni", f->config.pod_network.vxlan_vni, "The overlay's VXLAN network id")
      ->check(CLI::Range(1u, 16777215u))
      ->capture_default_str();
  cmd->add_option("--vxlan-port", f->config.pod_network.vxlan_port,
                  "The UDP port the nodes exchange overlay packets on")
      ->check(CLI::Range(1u, 65535u))
      ->capture_default_str();
  cmd->add_option("--cluster-cidr", f->config.allocators.cluster_cidr,
                  "Pod networks, a /24 per node (CIDR)")
      ->capture_default_str();
  cmd->add_option("--node-monitor-grace-period", f->grace,
                  "Silence before a node is NotReady (500ms, 40s, 5m, 1h)")
      ->capture_default_str();
  cmd->add_option("--pod-eviction-timeout", f->eviction,
                  "NotReady time before its pods are evicted")
      ->capture_default_str();
  cmd->add_option("--snapshot-every", f->config.snapshot_every,
                  "Records between background snapshots, and at least as many as the objects "
                  "the last one held (0: none)")
      ->capture_default_str();
  cmd->add_option("--snapshots-kept", f->config.snapshots_kept,
                  "Snapshots kept, the newest: time travel rebuilds a past moment from the newest "
                  "one before it")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--journal-reserve", f->journal_reserve_mib,
                  "MiB kept in DATA/journal.reserve and given back to reopen the journal on a "
                  "full disk (0: none)")
      ->check(CLI::Range(0ull, 1024ull * 1024))
      ->capture_default_str();
  cmd->add_option("--max-connections", f->api_limits.max_connections,
                  "Open API connections at most (default 16384, or what the open-file limit "
                  "allows)")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--max-requests-inflight", f->api_limits.max_requests_inflight,
                  "Read requests in flight before 429")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--max-mutating-requests-inflight", f->api_limits.max_mutating_requests_inflight,
                  "Writes in flight before 429")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  add_membership_flags(*cmd, f->cluster);
  add_master_members_command(*cmd);
  cmd->callback([f, cmd] {
    if (!cmd->get_subcommands().empty())
      return;  // capstan master members
    if (!complete(*f))
      cli::exit_with(2);
    cli::exit_with(run_master(*f));
  });
}

namespace {

// The `kubernetes` Service and its Endpoints; a problem is reported, not fatal (the API serves
// without them; pods then lack KUBERNETES_SERVICE_HOST).
void ensure_api_service(actors::master& master, const std::string& host, uint16_t port) {
  if (auto problem = master.ensure_api_service(host, port); !problem.empty())
    std::fprintf(stderr, "capstan master: %s\n", problem.c_str());
}

int run_master(master_flags& flags) {
  // Signals are taken by sigwait on this thread; every thread started later inherits the mask.
  sigset_t signals = block_termination_signals();
  // DATA holds the cluster's history, its keys and soon its secrets: for the master's user only.
  ::umask(077);
  membership_plan plan;
  try {
    common::make_private_directory(flags.config.data_dir);
    plan = plan_membership(flags.cluster, flags.config.data_dir, flags.config.membership);
  } catch (const std::exception& e) {
    std::cerr << "capstan master: " << e.what() << "\n";
    return 1;
  }
  const std::string& peer_address = flags.config.membership.peer_address;

  // The credentials come first: the join port's TLS needs them before the actor system starts.
  // DATA/tls/: the server CA and the serving certificate (API and join port), the node CA;
  // DATA/node-token: K10<sha256 of the server CA>::<secret>.
  api::tls_material tls;
  std::string master_secret;
  try {
    // Pods reach the API as the `kubernetes` Service: its ClusterIP and names are the
    // certificate's too, as kube-apiserver's.
    std::vector<std::string> hosts = {flags.api_host, flags.join_host, "127.0.0.1", "localhost",
                                      "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                                      "kubernetes.default.svc.cluster.local"};
    if (auto range = common::ipv4_cidr::parse(flags.config.allocators.service_cidr))
      hosts.push_back(common::format_ipv4(range->network + 1));
    tls = api::ensure_tls(flags.config.data_dir, hosts);
    flags.config.api_ca_pem = tls.ca_cert_pem;
    if (plan.several) {
      // The masters prove themselves to one another with certificates of the server CA
      // (which every master of the cluster holds), issued anew at each start.
      auto ca = common::certificate_authority::load_or_create(flags.config.data_dir + "/tls", "ca",
                                                              "capstan-ca");
      auto host = peer_address.substr(0, peer_address.rfind(':'));
      if (host.size() > 2 && host.front() == '[')
        host = host.substr(1, host.size() - 2);
      auto [certificate, key] = ca.issue_peer_certificate(
          store::raft_member_common_name(flags.config.membership.member_id),
          store::raft_member_organization, {host}, 365);
      store::raft_tls_config member_tls;
      member_tls.ca_certificate_pem = tls.ca_cert_pem;
      member_tls.certificate_pem = certificate;
      member_tls.key_pem = key;
      flags.config.membership.tls = member_tls;
    }
    api::ensure_node_authority(flags.config.data_dir);
    common::load_or_create_join_token(flags.config.data_dir, tls.ca_cert_pem);
    // DATA/master-token: what another master joins with (a node's token does not do).
    if (plan.several)
      master_secret = common::load_or_create_master_token(flags.config.data_dir, tls.ca_cert_pem)
                          .secret;
  } catch (const std::exception& e) {
    std::cerr << "capstan master: cannot prepare the cluster's certificates: " << e.what() << "\n";
    return 1;
  }
  caf::actor_system_config cfg;
  cfg.load<caf::io::middleman>();
  cfg.load<caf::openssl::manager>();
  messages::add_node_protocol_types(cfg);
  // Mutual TLS on the join port: the master presents its serving certificate and accepts only
  // peers with a certificate of the node CA (caf_openssl refuses peers without one).
  cfg.openssl_certificate = flags.config.data_dir + "/tls/server.crt";
  cfg.openssl_key = flags.config.data_dir + "/tls/server.key";
  cfg.openssl_cafile = flags.config.data_dir + "/tls/client-ca.crt";
  caf::actor_system system{cfg};
  // Connections to the join port that prove no node within 10 s are closed.
  actors::join_port_guard guard({flags.join_port});
  flags.config.join_guard = &guard;
  int exit_code = 0;
  {
    // The leader's duties outside the master: the node gateway on the join port, the DNS and
    // API Services. Done when this master takes the lead (at start or later), undone when it
    // loses it.
    struct leader_duties {
      std::mutex mutex;
      actors::master* master = nullptr;
      messages::node_gateway_actor published;  // on the join port now (invalid: none)
      uint16_t api_port = 0;                   // once the API listens
    };
    auto duties = std::make_shared<leader_duties>();
    // Idempotent, and by gateway: the roles thread and this one may both call it around a
    // change of lead. Returns false when the join port could not be published.
    auto perform = [&system, &flags, duties](bool leading) {
      std::lock_guard<std::mutex> lock(duties->mutex);
      if (!duties->master)
        return true;
      auto* m = duties->master;
      auto gateway = leading ? m->node_gateway() : messages::node_gateway_actor{};
      if (gateway == duties->published)
        return true;
      if (duties->published) {
        system.middleman().unpublish(duties->published, flags.join_port);
        duties->published = messages::node_gateway_actor{};
      }
      if (!gateway)
        return true;
      auto published = caf::openssl::publish(gateway, flags.join_port, flags.join_host.c_str(), true);
      if (!published) {
        std::cerr << "capstan master: cannot listen for nodes on " << flags.join_host << ":"
                  << flags.join_port << ": " << system.render(published.error()) << "\n";
        return false;
      }
      duties->published = gateway;
      std::printf(
          "capstan master: node agents join at %s:%u over mutual TLS (token in %s/node-token)\n",
          flags.join_host.c_str(), *published, flags.config.data_dir.c_str());
      // The API's Service before the API takes requests: no Service a user creates meanwhile
      // takes its ClusterIP.
      if (auto problem = m->ensure_dns_service(); !problem.empty())
        std::fprintf(stderr, "capstan master: %s\n", problem.c_str());
      uint16_t port = flags.api_port ? flags.api_port : duties->api_port;
      if (port)
        ensure_api_service(*m, flags.api_host, port);
      std::fflush(stdout);
      return true;
    };
    flags.config.on_leadership = [perform](bool leading) { perform(leading); };
    std::unique_ptr<actors::master> master;
    try {
      master = std::make_unique<actors::master>(system, flags.config);
    } catch (const std::exception& e) {
      std::cerr << "capstan master: " << e.what() << "\n";
      return 1;
    }
    if (plan.to_record) {
      try {
        write_member_file(flags.config.data_dir, *plan.to_record);
      } catch (const std::exception& e) {
        std::cerr << "capstan master: " << e.what() << "\n";
        master->stop();
        return 1;
      }
    }
    const auto& restored = master->restored();
    std::printf(
        "capstan master: journal %s/journal at seq %llu (snapshot at %llu + %llu records replayed "
        "in %.3f s)\n",
        flags.config.data_dir.c_str(), static_cast<unsigned long long>(master->model().seq()),
        static_cast<unsigned long long>(restored.snapshot_seq),
        static_cast<unsigned long long>(restored.replayed_records), restored.seconds);
    {
      std::lock_guard<std::mutex> lock(duties->mutex);
      duties->master = master.get();
    }
    if (master->leading()) {
      if (!perform(true)) {
        master->stop();
        return 1;
      }
    } else {
      std::printf("capstan master: member %llu of several, at %s: following the leader\n",
                  static_cast<unsigned long long>(flags.config.membership.member_id),
                  peer_address.c_str());
    }
    std::unique_ptr<api::api_server> api_server;
    try {
      auto tokens = api::token_table::load_or_create(flags.config.data_dir);
      std::string admin_token = tokens.admin_token();
      // DATA/node-token becomes K10<sha256 of ca.crt>::<secret>: what nodes check the master by.
      api::node_bootstrap bootstrap(
          tls.ca_cert_pem, master->node_authority(),
          common::load_or_create_join_token(flags.config.data_dir, tls.ca_cert_pem).secret);
      if (plan.several)
        bootstrap.admit_masters(
            std::make_shared<api::master_join>(*master, flags.config.data_dir, master_secret));
      api_server = std::make_unique<api::api_server>(system, *master, tls, std::move(tokens),
                                                     std::move(bootstrap), flags.api_host,
                                                     flags.api_port, flags.api_limits);
      std::string server = "https://" + flags.api_host + ":" + std::to_string(api_server->port());
      std::string kubeconfig = flags.config.data_dir + "/admin.kubeconfig";
      if (!admin_token.empty())
        api::write_kubeconfig(kubeconfig, server, tls.ca_cert_pem, "admin", admin_token);
      std::printf("capstan master: API at %s (kubectl --kubeconfig %s)\n", server.c_str(),
                  kubeconfig.c_str());
      if (plan.several)
        std::printf("capstan master: other masters join with: capstan master --data DIR "
                    "--server %s --token-file FILE --peer-address IP:PORT (FILE: a copy of "
                    "%s/master-token)\n",
                    server.c_str(), flags.config.data_dir.c_str());
      if (!flags.api_port) {  // the port is known only now
        std::lock_guard<std::mutex> lock(duties->mutex);
        duties->api_port = api_server->port();
        if (master->leading())
          ensure_api_service(*master, flags.api_host, api_server->port());
      }
    } catch (const std::exception& e) {
      std::cerr << "capstan master: cannot serve the API: " << e.what() << "\n";
      perform(false);
      master->stop();
      return 1;
    }
    nodeagent::local_node_agent_actor fake;
    if (flags.fake_nodes > 0 && master->leading()) {
      nodeagent::simulated_nodes_config c;
      c.count = flags.fake_nodes;
      c.max_pods = flags.fake_node_max_pods;
      c.keys_dir = flags.config.data_dir + "/pki/simulated";
      fake = nodeagent::spawn_simulated_nodes(system, master->node_gateway(),
                                              master->node_authority(), c);
      std::printf("capstan master: %d simulated nodes (fake runtime)\n", flags.fake_nodes);
    }
    for (const auto& path : flags.manifests) {
      // A path with any problem creates nothing (as `capstanctl create` and `journal import`
      // refuse a set with a problem); the master still starts, serving what it has.
      auto set = messages::load_manifests(path);
      for (const auto& p : set.problems)
        std::fprintf(stderr, "capstan master: %s\n", p.to_string().c_str());
      if (!set.ok()) {
        std::fprintf(
            stderr, "capstan master: --manifests %s: nothing created; fix the %zu %s above\n",
            path.c_str(), set.problems.size(), set.problems.size() == 1 ? "problem" : "problems");
        continue;
      }
      for (const auto& o : set.objects) {
        const auto& meta = messages::meta_of(o.object);
        if (master->model().get(messages::kind_of(o.object), {meta.namespace_, meta.name}))
          continue;
        auto reply = master->create(o.object, "system:manifests");
        std::printf("capstan master: %s %s/%s: %s\n",
                    std::string(messages::info(messages::kind_of(o.object)).singular).c_str(),
                    meta.namespace_.c_str(), meta.name.c_str(),
                    reply.ok() ? "created" : reply.error->message.c_str());
      }
    }
    // A joined member asks to be added until it votes.
    std::unique_ptr<admission_requester> admission;
    if (plan.to_be_added)
      admission = std::make_unique<admission_requester>(
          flags.config.data_dir, *plan.to_be_added, [m = master.get()] {
            for (const auto& member : m->members().members)
              if (member.id == m->member_id())
                return member.voter;
            return false;
          });
    std::printf("capstan master: ready\n");
    std::fflush(stdout);

    int received = 0;
    sigwait(&signals, &received);
    std::printf("capstan master: %s: shutting down\n", received == SIGTERM ? "SIGTERM" : "SIGINT");
    std::fflush(stdout);
    if (fake)
      caf::anon_send_exit(fake, caf::exit_reason::user_shutdown);
    admission.reset();
    api_server.reset();
    perform(false);
    {
      std::lock_guard<std::mutex> lock(duties->mutex);
      duties->master = nullptr;  // the roles thread stops with the master: no duty after this
    }
    auto skipped = master->stop();
    if (skipped.empty())
      std::printf("capstan master: journal closed at seq %llu, snapshot written\n",
                  static_cast<unsigned long long>(master->model().seq()));
    else
      std::printf(
          "capstan master: journal closed at seq %llu, no snapshot (%s); the journal "
          "alone restores this state\n",
          static_cast<unsigned long long>(master->model().seq()), skipped.c_str());
  }
  return exit_code;
}

}  // namespace

}  // namespace capstan::admin
