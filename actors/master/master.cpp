#include "actors/master/master.hpp"

#include "auth/default_policy.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include <deque>

#include "actors/nodes/node_gateway.hpp"
#include "common/ipv4.hpp"
#include "common/join_proof.hpp"
#include "common/pki.hpp"
#include "messages/equal_fields.hpp"
#include "store/disk_reserve.hpp"
#include "store/raft_log.hpp"
#include "store/secret_sealing.hpp"

namespace capstan::actors {

namespace {

// DATA/service-account.key: one line of 64 hex digits (32 random bytes), created 0600 when
// missing; refused when others may read it or it holds no key.
std::string load_or_create_service_account_key(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    common::write_file_atomically(path, common::random_nonce() + "\n", 0600);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw store::store_error("cannot read the service-account key " + path);
  if ((st.st_mode & 077) != 0)
    throw store::store_error("the service-account key " + path +
                             " is readable by others than its owner; chmod 600 it");
  std::string key = common::read_small_file(path, 4096);
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' '))
    key.pop_back();
  if (key.size() < 32)
    throw store::store_error("the service-account key " + path +
                             " holds no key (at least 32 characters)");
  return key;
}

}  // namespace

master::master(caf::actor_system& system, master_config config)
    : system_(system), config_(std::move(config)) {
  // The reserve is given back first: reopening replays and flushes the write-ahead log, which
  // needs room that a full disk has only thanks to it. It is taken again once the journal is
  // open; with no room left for it the master runs without one, and says so.
  store::disk_reserve reserve(config_.data_dir + "/journal.reserve", config_.journal_reserve_bytes);
  reserve.release();
  store::event_log_options journal_options;
  // The Raft log (DATA/raft) is the write-ahead log: a batch is acknowledged once it is synced
  // there, and the journal is synced before the Raft log forgets entries (its snapshots).
  journal_options.sync = false;
  // DATA/secrets.key: created 0600 on first start (rotation: store/secret_sealing.hpp).
  journal_options.sealer = store::secret_sealer::from_key_file(config_.data_dir + "/secrets.key");
  log_ = store::event_log::open(config_.data_dir + "/journal", std::move(journal_options));
  store::raft_log_config raft;
  raft.directory = config_.data_dir + "/raft";
  writer_ = std::make_unique<store::journal_writer>(*log_,
                                                    std::make_unique<store::raft_log>(raft));
  if (!writer_->wait_until_leading(std::chrono::seconds(30)))
    throw store::store_error("the replicated journal in " + raft.directory +
                             " elected no leader within 30 s");
  if (auto problem = reserve.keep(); !problem.empty())
    std::fprintf(stderr, "capstan master: running without a disk reserve: %s\n", problem.c_str());
  model_ = std::make_unique<read_model>(store::restore(*log_, &restored_));
  last_snapshot_seq_ = restored_.snapshot_seq;
  // Nothing that could not apply is ever made durable: two writers racing on one object (a
  // controller and a user deleting it, say) get the second refused instead of journaled.
  writer_->set_checker(
      [this](const std::vector<const std::vector<messages::journal_record>*>& appends) {
        return model_->check_appends(appends);
      });
  const uint64_t next = model_->seq() + 1;
  // The read model subscribes first: it has every batch before any actor hears of it and
  // before the batch's appends are acknowledged.
  writer_->subscribe(next, [this](const std::vector<messages::journal_record>& records) {
    model_->apply(records);
    if (config_.snapshot_every && records.back().seq - last_snapshot_seq_ >= config_.snapshot_every)
      snapshot_wake_.notify_one();
  });
  fanout_ = std::make_unique<batch_fanout>(*writer_, next);

  journal_ = spawn_journal_actor(system_, *writer_);
  control_plane_config plane{config_.allocators, config_.lifecycle, config_.scheduler, {}, {}};
  plane.service_accounts.api_ca_pem = config_.api_ca_pem;
  service_account_key_ = load_or_create_service_account_key(config_.data_dir +
                                                            "/service-account.key");
  plane.service_accounts.signing_key = service_account_key_;
  actors_ = spawn_control_plane(system_, *model_, journal_, plane);
  for (const auto& subscriber : actors_.batch_subscribers())
    fanout_->add(subscriber);
  // Nodes prove themselves with certificates of the node CA (DATA/tls/client-ca.*, created on
  // first start); they obtain them with the join token (DATA/node-token) at bootstrap.
  node_authority_ =
      std::make_unique<common::certificate_authority>(common::certificate_authority::load_or_create(
          config_.data_dir + "/tls", "client-ca", "capstan-client-ca"));
  gateway_ =
      spawn_node_gateway(system_, *model_,
                         {registry(object_kind::node), registry(object_kind::pod),
                          actors_.lifecycle, config_.join_guard},
                         node_authority_->certificate_pem(),
                         {config_.allocators.service_cidr, config_.cluster_dns,
                          config_.cluster_domain, config_.pod_network});
  fanout_->add(gateway_);

  ensure_namespace("default");
  ensure_namespace("kube-system");
  ensure_rbac_defaults();
  snapshot_thread_ = std::thread([this] { snapshot_loop(); });
}

master::~master() {
  stop();
}

std::string master::journal_failure() const {
  return writer_ ? writer_->failure() : "the journal is closed";
}

std::string master::stop() {
  if (stopped_)
    return "";
  stopped_ = true;
  {
    std::lock_guard<std::mutex> lock(snapshot_mutex_);
    stopping_ = true;
  }
  snapshot_wake_.notify_all();
  snapshot_thread_.join();
  stop_actors();
  fanout_->clear();
  writer_.reset();  // commits what was submitted, then stops its thread
  std::string skipped;
  if (model_->seq() > last_snapshot_seq_) {
    try {
      store::write_snapshot(*log_, model_->copy_state());
    } catch (const std::exception& e) {
      skipped = e.what();
    }
  }
  log_.reset();
  return skipped;
}

void master::stop_actors() {
  // Clients first, then what they depend on: an actor waiting for the journal's answer
  // finishes before the journal goes. Each stage is awaited: the actors read the read
  // model, which goes away after this.
  std::vector<caf::actor_addr> clients = actors_.clients();
  clients.push_back(gateway_.address());
  caf::scoped_actor self{system_};
  auto stop = [&](const std::vector<caf::actor_addr>& stage) {
    for (const auto& a : stage) {
      self->monitor(a);
      self->send_exit(a, caf::exit_reason::user_shutdown);
    }
    for (std::size_t i = 0; i < stage.size(); ++i)
      self->receive([](const caf::down_msg&) {});
  };
  stop(clients);
  stop({actors_.allocator.address()});
  stop({journal_.address()});
}

registry_actor master::registry(object_kind kind) const {
  return actors_.registry(kind);
}

void master::subscribe(batch_subscriber_actor subscriber) {
  fanout_->add(std::move(subscriber));
}

uint64_t master::watch(uint64_t from, store::journal_writer::subscriber sink) {
  return writer_->subscribe(from, std::move(sink));
}

void master::unwatch(uint64_t id) {
  if (writer_)
    writer_->unsubscribe(id);
}

command_reply master::create(any_object object, const std::string& cause, bool dry_run) {
  caf::scoped_actor self{system_};
  command_reply out = command_reply::failure(error_code::internal, "no reply");
  self->request(registry(messages::kind_of(object)), caf::infinite,
                create_command{std::move(object), cause, false, dry_run})
      .receive([&](command_reply& r) { out = std::move(r); },
               [&](caf::error& e) {
                 out = command_reply::failure(error_code::internal, caf::to_string(e));
               });
  return out;
}

command_reply master::command(object_command command) {
  caf::scoped_actor self{system_};
  command_reply out = command_reply::failure(error_code::internal, "no reply");
  self->request(registry(command.kind), caf::infinite, std::move(command))
      .receive([&](command_reply& r) { out = std::move(r); },
               [&](caf::error& e) {
                 out = command_reply::failure(error_code::internal, caf::to_string(e));
               });
  return out;
}

void master::ensure_namespace(const std::string& name) {
  if (model_->get(object_kind::namespace_, {"", name}))
    return;
  messages::namespace_object ns;
  ns.metadata.name = name;
  auto r = create(ns, "system:master");
  if (!r.ok() && r.error->code != error_code::already_exists)
    throw store::store_error("cannot create namespace " + name + ": " + r.error->message);
}

void master::ensure_rbac_defaults() {
  auto ensure = [&](messages::any_object object) {
    const auto kind = messages::kind_of(object);
    const auto& name = messages::meta_of(object).name;
    if (model_->get(kind, {"", name}))
      return;
    auto r = create(object, "system:master");
    if (!r.ok() && r.error->code != error_code::already_exists)
      throw store::store_error("cannot create " + messages::group_resource(kind) + " " + name +
                               ": " + r.error->message);
  };
  for (const auto& r : auth::default_cluster_roles()) {
    messages::cluster_role cluster_role;
    static_cast<messages::role&>(cluster_role) = r;
    ensure(std::move(cluster_role));
  }
  for (const auto& b : auth::default_cluster_role_bindings()) {
    messages::cluster_role_binding binding;
    static_cast<messages::role_binding&>(binding) = b;
    ensure(std::move(binding));
  }
}

std::string master::ensure_api_service(const std::string& ip, uint16_t port) {
  const std::string cause = "system:master";
  const object_key key{"default", "kubernetes"};
  auto range = common::ipv4_cidr::parse(config_.allocators.service_cidr);
  if (!range)
    return "the service range " + config_.allocators.service_cidr + " does not parse";
  messages::service_port https;
  https.name = "https";
  https.protocol = "TCP";
  https.port = 443;
  https.target_port = messages::int_or_string::of(static_cast<int32_t>(port));
  const std::vector<messages::service_port> ports = {https};
  auto same_ports = [&](const messages::service& s) {
    return messages::equal_fields(s.spec.ports, ports) && s.spec.selector.empty();
  };
  auto existing = model_->get(object_kind::service, key);
  if (!existing) {
    messages::service svc;
    svc.metadata.namespace_ = key.namespace_;
    svc.metadata.name = key.name;
    svc.metadata.labels = {{"component", "apiserver"}, {"provider", "kubernetes"}};
    svc.spec.ports = ports;
    svc.spec.cluster_ip = common::format_ipv4(range->network + 1);
    auto r = create(svc, cause);
    if (!r.ok() && r.error->code != error_code::already_exists)
      return "cannot create service default/kubernetes: " + r.error->message;
  } else if (auto svc = std::get<messages::service>(*existing); !same_ports(svc)) {
    svc.spec.ports = ports;
    svc.spec.selector.clear();
    auto r = command({object_kind::service, key, cause, update_op{svc}, true});
    if (!r.ok())
      return "cannot update service default/kubernetes: " + r.error->message;
  }
  auto current = model_->get(object_kind::endpoints, key);
  auto address = common::parse_ipv4(ip);
  // No address pods can reach (unspecified, or loopback: a pod's loopback is its own): the
  // Service has no endpoints, and connections to it are refused rather than sent astray.
  if (!address || *address == 0 || (*address >> 24) == 127) {
    if (!current)
      return "";
    auto r = command({object_kind::endpoints, key, cause,
                      delete_op{"the API has no address pods can reach", "", "", std::nullopt},
                      true});
    return r.ok() || r.error->code == error_code::not_found
               ? ""
               : "cannot delete endpoints default/kubernetes: " + r.error->message;
  }
  messages::endpoint_subset subset;
  subset.addresses.resize(1);
  subset.addresses[0].ip = ip;
  subset.ports.resize(1);
  subset.ports[0].name = "https";
  subset.ports[0].port = port;
  subset.ports[0].protocol = "TCP";
  const std::vector<messages::endpoint_subset> subsets = {subset};
  if (current) {
    if (messages::equal_fields(std::get<messages::endpoints>(*current).subsets, subsets))
      return "";
    auto r = command({object_kind::endpoints, key, cause, endpoints_op{subsets}, true});
    return r.ok() ? "" : "cannot update endpoints default/kubernetes: " + r.error->message;
  }
  messages::endpoints eps;
  eps.metadata.namespace_ = key.namespace_;
  eps.metadata.name = key.name;
  eps.metadata.labels = {{"endpointslice.kubernetes.io/skip-mirror", "true"}};
  eps.subsets = subsets;
  auto r = create(eps, cause);
  return r.ok() || r.error->code == error_code::already_exists
             ? ""
             : "cannot create endpoints default/kubernetes: " + r.error->message;
}

std::string master::ensure_dns_service() {
  if (config_.cluster_dns.empty())
    return "";
  const object_key key{"kube-system", "kube-dns"};
  if (auto existing = model_->get(object_kind::service, key)) {
    const auto& ip = std::get<messages::service>(*existing).spec.cluster_ip;
    return ip == config_.cluster_dns
               ? ""
               : "service kube-system/kube-dns has ClusterIP " + ip + ", not --cluster-dns " +
                     config_.cluster_dns + " (delete it to have it created again)";
  }
  messages::service svc;
  svc.metadata.namespace_ = key.namespace_;
  svc.metadata.name = key.name;
  svc.metadata.labels = {{"k8s-app", "kube-dns"},
                         {"kubernetes.io/cluster-service", "true"},
                         {"kubernetes.io/name", "capstan-dns"}};
  for (const auto& [name, protocol] : {std::pair<const char*, const char*>{"dns", "UDP"},
                                       {"dns-tcp", "TCP"}}) {
    messages::service_port p;
    p.name = name;
    p.protocol = protocol;
    p.port = 53;
    p.target_port = messages::int_or_string::of(static_cast<int32_t>(53));
    svc.spec.ports.push_back(std::move(p));
  }
  svc.spec.cluster_ip = config_.cluster_dns;
  auto r = create(svc, "system:master");
  if (!r.ok() && r.error->code != error_code::already_exists)
    return "cannot create service kube-system/kube-dns: " + r.error->message;
  return "";
}

void master::snapshot() {
  auto state = model_->copy_state();
  store::write_snapshot(*log_, state);
  last_snapshot_seq_ = state.seq;
}

std::vector<messages::journal_record> master::history(std::optional<object_kind> kind,
                                                      const std::string& ns,
                                                      const std::string& name, uint64_t from,
                                                      uint64_t to, std::size_t limit) const {
  std::deque<messages::journal_record> out;
  log_->read(from, std::min(to, model_->seq()), [&](messages::journal_record&& r) {
    if ((kind && r.kind != *kind) || (!name.empty() && (r.name != name || r.namespace_ != ns)))
      return true;
    out.push_back(std::move(r));
    if (out.size() > limit)
      out.pop_front();
    return true;
  });
  return {std::make_move_iterator(out.begin()), std::make_move_iterator(out.end())};
}

store::cluster_state master::state_at(uint64_t seq) const {
  return store::state_at(*log_, std::min(seq, model_->seq()));
}

void master::read_journal(uint64_t from, uint64_t to,
                          const std::function<bool(messages::journal_record&&)>& visit) const {
  log_->read(from, to, visit);
}

uint64_t master::seq_at_time(int64_t nanos) const {
  uint64_t found = 0;
  log_->read(1, model_->seq(), [&](messages::journal_record&& r) {
    if (r.time_nanos > nanos)
      return false;
    found = r.seq;
    return true;
  });
  return found;
}

void master::snapshot_loop() {
  std::unique_lock<std::mutex> lock(snapshot_mutex_);
  while (!stopping_) {
    snapshot_wake_.wait(lock, [this] {
      return stopping_ || (config_.snapshot_every &&
                           model_->seq() - last_snapshot_seq_ >= config_.snapshot_every);
    });
    if (stopping_)
      return;
    lock.unlock();
    std::string failed;
    try {
      snapshot();  // off the commit thread and off CAF's threads
    } catch (const std::exception& e) {
      failed = e.what();
    }
    lock.lock();
    // A snapshot only shortens restarts: one that cannot be written (a full disk) is tried
    // again a while later, not in a loop.
    if (!failed.empty()) {
      std::fprintf(stderr, "capstan master: snapshot skipped, tried again in 30 s: %s\n",
                   failed.c_str());
      snapshot_wake_.wait_for(lock, std::chrono::seconds(30), [this] { return stopping_; });
    }
  }
}

}  // namespace capstan::actors
