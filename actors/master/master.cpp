#include "actors/master/master.hpp"

#include "auth/default_policy.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <exception>
#include <filesystem>

#include <deque>

#include "actors/master/write_forwarding.hpp"
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
  // A constructor that throws destroys the members without stop(): the forwarded writes'
  // threads must not outlive what they use.
  struct close_forwards_on_throw {
    std::unique_ptr<forwarded_write_pool>& pool;
    int exceptions = std::uncaught_exceptions();
    ~close_forwards_on_throw() {
      if (pool && std::uncaught_exceptions() > exceptions)
        pool->close();
    }
  } forwards_guard{forwarded_writes_};
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
  const auto& membership = config_.membership;
  const bool alone = !membership.tls;
  if (!alone) {
    raft.member_id = membership.member_id;
    raft.address = membership.peer_address;
    raft.tls = membership.tls;
    forwarded_writes_ = std::make_unique<forwarded_write_pool>(
        [this](forwarded_command command, std::chrono::milliseconds budget) {
          return run_here(std::move(command), budget);
        },
        [this] { return model_ ? model_->seq() : 0; });
    raft.tls->serve_forward = [pool = forwarded_writes_.get()](
                                  uint64_t member, std::string request,
                                  store::raft_tls_config::forward_answer answer) {
      pool->serve(member, std::move(request), std::move(answer));
    };
    raft.bootstrap = membership.bootstrap;
    raft.initial_members = membership.initial_members;
  }
  writer_ = std::make_unique<store::journal_writer>(*log_,
                                                    std::make_unique<store::raft_log>(raft));
  if (alone && !writer_->wait_until_leading(std::chrono::seconds(30)))
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
  service_account_key_ = load_or_create_service_account_key(config_.data_dir +
                                                            "/service-account.key");
  // Nodes prove themselves with certificates of the node CA (DATA/tls/client-ca.*, created on
  // first start); they obtain them with the join token (DATA/node-token) at bootstrap.
  node_authority_ =
      std::make_unique<common::certificate_authority>(common::certificate_authority::load_or_create(
          config_.data_dir + "/tls", "client-ca", "capstan-client-ca"));
  keep_metrics(actors_.metrics);
  if (alone) {
    if (!take_leader_roles(writer_->leading_term()))
      throw store::store_error("the read model did not catch up with the journal");
    ensure_namespace("default");
    ensure_namespace("kube-system");
    ensure_rbac_defaults();
  }
  snapshot_thread_ = std::thread([this] { snapshot_loop(); });
  roles_thread_ = std::thread([this] { watch_leadership(); });
}

bool master::take_leader_roles(uint64_t term) {
  control_plane_config plane{config_.allocators, config_.lifecycle, config_.scheduler, {}, {}};
  plane.service_accounts.api_ca_pem = config_.api_ca_pem;
  plane.service_accounts.signing_key = service_account_key_;
  // The lead is taken once the journal applied everything committed before: the read model
  // (fed by the writer's commit thread, a moment later) must hold it too, or a controller
  // would miss the last pods the previous leader made, and make them again.
  const uint64_t applied = log_->last_seq();
  if (!model_->wait_until([&](const store::cluster_state& s) { return s.seq >= applied; },
                          std::chrono::seconds(10))) {
    std::fprintf(stderr,
                 "capstan master: the read model did not reach seq %llu within 10 s: the "
                 "control plane starts at the next try\n",
                 static_cast<unsigned long long>(applied));
    return false;
  }
  // Nothing is appended meanwhile (only the leader's actors append, and these are the
  // leader's): the actors start from the read model as it stands and see every batch after.
  control_plane actors = spawn_control_plane(system_, *model_, journal_, plane);
  for (const auto& subscriber : actors.batch_subscribers())
    fanout_->add(subscriber);
  auto gateway =
      spawn_node_gateway(system_, *model_,
                         {actors.registry(object_kind::node), actors.registry(object_kind::pod),
                          actors.lifecycle, config_.join_guard},
                         node_authority_->certificate_pem(),
                         {config_.allocators.service_cidr, config_.cluster_dns,
                          config_.cluster_domain, config_.pod_network});
  fanout_->add(gateway);
  std::lock_guard<std::mutex> lock(roles_mutex_);
  keep_metrics(actors_.metrics);
  actors_ = std::move(actors);
  gateway_ = std::move(gateway);
  roles_term_ = term;
  leading_roles_ = true;
  return true;
}

void master::keep_metrics(std::shared_ptr<controller_metrics> metrics) {
  // /metrics reads the figures without a lock after controller_queues() returned: the last
  // generations are kept (a lead changes seldom; 8 of them outlive any request).
  all_metrics_.push_back(std::move(metrics));
  if (all_metrics_.size() > 8)
    all_metrics_.erase(all_metrics_.begin());
}

void master::drop_leader_roles() {
  {
    std::vector<caf::actor_addr> leaving;
    std::lock_guard<std::mutex> lock(roles_mutex_);
    for (const auto& s : actors_.batch_subscribers())
      leaving.push_back(s.address());
    leaving.push_back(gateway_.address());
    fanout_->remove(leaving);
  }
  stop_actors();
  std::lock_guard<std::mutex> lock(roles_mutex_);
  keep_metrics(actors_.metrics);
  actors_ = control_plane{};
  gateway_ = master_gateway_actor{};
  roles_term_ = 0;
  leading_roles_ = false;
}

void master::watch_leadership() {
  std::unique_lock<std::mutex> lock(roles_mutex_);
  while (!roles_stopping_) {
    roles_wake_.wait_for(lock, std::chrono::milliseconds(50));
    if (roles_stopping_)
      return;
    // The term, not only whether: a lead lost and taken again while this thread was busy must
    // restart the actors (another leader's may have acted meanwhile).
    const uint64_t term_now = writer_->leading_term();
    if (term_now == roles_term_)
      continue;
    const bool was_leading = leading_roles_;
    lock.unlock();
    if (was_leading) {
      std::fprintf(stderr, "capstan master: this master no longer leads (term %llu): stopping "
                           "the control plane\n",
                   static_cast<unsigned long long>(roles_term_));
      if (config_.on_leadership)
        config_.on_leadership(false);
      drop_leader_roles();
    }
    if (term_now != 0 && take_leader_roles(term_now)) {
      std::fprintf(stderr, "capstan master: this master leads (term %llu): the control plane "
                           "runs here\n",
                   static_cast<unsigned long long>(term_now));
      try {
        ensure_namespace("default");
        ensure_namespace("kube-system");
        ensure_rbac_defaults();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "capstan master: %s\n", e.what());
      }
      if (config_.on_leadership)
        config_.on_leadership(true);
    }
    lock.lock();
  }
}

bool master::leading() const {
  std::lock_guard<std::mutex> lock(roles_mutex_);
  return leading_roles_;
}

node_lifecycle_actor master::lifecycle() const {
  std::lock_guard<std::mutex> lock(roles_mutex_);
  return actors_.lifecycle;
}

messages::node_gateway_actor master::node_gateway() const {
  std::lock_guard<std::mutex> lock(roles_mutex_);
  return gateway_;
}

const controller_metrics& master::controller_queues() const {
  std::lock_guard<std::mutex> lock(roles_mutex_);
  return *actors_.metrics;
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
  // Forwarded writes still waiting are refused; those running finish (the actors still run).
  if (forwarded_writes_)
    forwarded_writes_->close();
  {
    std::lock_guard<std::mutex> lock(snapshot_mutex_);
    stopping_ = true;
  }
  snapshot_wake_.notify_all();
  snapshot_thread_.join();
  {
    std::lock_guard<std::mutex> lock(roles_mutex_);
    roles_stopping_ = true;
  }
  roles_wake_.notify_all();
  roles_thread_.join();
  if (leading())
    stop_actors();
  {
    caf::scoped_actor self{system_};
    self->monitor(journal_);
    self->send_exit(journal_, caf::exit_reason::user_shutdown);
    self->receive([](const caf::down_msg&) {});
  }
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
  control_plane actors;
  master_gateway_actor gateway;
  {
    std::lock_guard<std::mutex> lock(roles_mutex_);
    actors = actors_;
    gateway = gateway_;
  }
  std::vector<caf::actor_addr> clients = actors.clients();
  clients.push_back(gateway.address());
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
  stop({actors.allocator.address()});
}

registry_actor master::registry(object_kind kind) const {
  std::lock_guard<std::mutex> lock(roles_mutex_);
  if (!leading_roles_)
    return registry_actor{};
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

namespace {

command_reply not_leading() {
  return command_reply::failure(error_code::unavailable,
                                "this master does not lead the cluster now: writes go to the "
                                "leader (capstan master members names it)");
}


}  // namespace

// Why a command got no reply: the lead lost meanwhile (its outcome unknown: the next leader may
// still commit it), or no answer in time.
command_reply master::unanswered(const caf::error& e) const {
  if (!leading())
    return command_reply::failure(error_code::unavailable,
                                  "this master lost the lead while the write was in flight: it "
                                  "may or may not have been applied (" +
                                      system_.render(e) + ")");
  return command_reply::failure(error_code::internal,
                                "the write got no answer: " + system_.render(e));
}

command_reply master::create(any_object object, const std::string& cause, bool dry_run) {
  forwarded_command command = create_command{std::move(object), cause, false, dry_run};
  return leading() ? run_here(std::move(command)) : run_on_leader(command);
}

command_reply master::command(object_command command) {
  forwarded_command c = std::move(command);
  return leading() ? run_here(std::move(c)) : run_on_leader(c);
}

command_reply master::run_here(forwarded_command command, std::chrono::milliseconds timeout) {
  const object_kind kind = std::visit(
      [](const auto& c) {
        if constexpr (std::is_same_v<std::decay_t<decltype(c)>, create_command>)
          return messages::kind_of(c.object);
        else
          return c.kind;
      },
      command);
  auto registry_now = registry(kind);
  if (!registry_now)
    return not_leading();
  caf::scoped_actor self{system_};
  command_reply out = command_reply::failure(error_code::internal, "no reply");
  auto take = [&](command_reply& r) { out = std::move(r); };
  auto fail = [&](caf::error& e) { out = unanswered(e); };
  if (auto* create = std::get_if<create_command>(&command))
    self->request(registry_now, timeout, std::move(*create)).receive(take, fail);
  else
    self->request(registry_now, timeout, std::move(std::get<object_command>(command)))
        .receive(take, fail);
  return out;
}

command_reply master::run_on_leader(const forwarded_command& command) {
  if (!config_.membership.tls || !writer_)
    return not_leading();
  uint64_t leader_seq = 0;
  command_reply reply = forward_to_leader(*config_.membership.tls, config_.membership.member_id,
                                          writer_->membership(), command, leader_seq);
  // The client reads its own write from this master next, or retries a conflict against what
  // the leader saw: this master's read model gets there first.
  const uint64_t wanted = std::max(reply.seq, leader_seq);
  if (wanted != 0)
    model_->wait_until([&](const store::cluster_state& s) { return s.seq >= wanted; },
                       std::chrono::seconds(10));
  return reply;
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
