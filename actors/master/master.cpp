#include "actors/master/master.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <deque>
#include <exception>
#include <filesystem>

#include "actors/master/write_forwarding.hpp"
#include "actors/nodes/node_gateway.hpp"
#include "common/join_proof.hpp"
#include "common/pki.hpp"
#include "store/disk_reserve.hpp"
#include "store/raft_log.hpp"
#include "store/secret_sealing.hpp"
#include "store/snapshot_process.hpp"

namespace capstan::actors {

namespace {

// Forwarded writes the leader carries out at once, and how many may wait: each thread waits
// for its write's commit (a few ms), so these bound how much of a group commit writes that
// came through followers can fill.
constexpr std::size_t forwarded_write_threads = 32;
constexpr std::size_t forwarded_write_queue = 64;

// A past moment rebuilt this slowly or slower is reported on stdout (the console's budget for
// one is 2 s).
constexpr double slow_moment_seconds = 1.0;

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
  moments_ = std::make_unique<store::moment_cache>(*log_, std::chrono::minutes(1));
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
        [this] { return model_ ? model_->seq() : 0; }, forwarded_write_threads,
        forwarded_write_queue);
    // Room on the members' port for every forward the pool may hold, and some to refuse with.
    raft.tls->max_forwards = forwarded_write_threads + forwarded_write_queue + 16;
    raft.tls->serve_forward = [pool = forwarded_writes_.get()](
                                  uint64_t member, std::string request,
                                  store::raft_tls_config::forward_answer answer) {
      pool->serve(member, std::move(request), std::move(answer));
    };
    // Followers learn that an entry committed from the leader's next message: under a write
    // load that waits for each answer (a follower answers a forwarded write once its own read
    // model has it), an idle leader's heartbeat is that message. 20 ms (C-Raft's default 100)
    // keeps that wait short; it costs 50 small messages a second per follower.
    raft.heartbeat = std::chrono::milliseconds(10);
    forward_channel_ =
        std::make_unique<store::peer_forward_channel>(*membership.tls, membership.member_id);
    raft.bootstrap = membership.bootstrap;
    raft.initial_members = membership.initial_members;
  }
  auto engine = std::make_unique<store::raft_log>(raft);
  if (!alone)
    replicated_ = engine.get();
  writer_ = std::make_unique<store::journal_writer>(*log_, std::move(engine));
  if (alone && !writer_->wait_until_leading(std::chrono::seconds(30)))
    throw store::store_error("the replicated journal in " + raft.directory +
                             " elected no leader within 30 s");
  if (auto problem = reserve.keep(); !problem.empty())
    std::fprintf(stderr, "capstan master: running without a disk reserve: %s\n", problem.c_str());
  model_ = std::make_unique<read_model>(store::restore(*log_, &restored_));
  last_snapshot_seq_ = restored_.snapshot_seq;
  snapshot_interval_ = std::max<uint64_t>(config_.snapshot_every, restored_.snapshot_objects);
  // Nothing that could not apply is ever made durable: two writers racing on one object (a
  // controller and a user deleting it, say) get the second refused instead of journaled.
  writer_->set_checker(
      [this](const std::vector<const std::vector<messages::journal_record>*>& appends) {
        return model_->check_appends(appends);
      });
  const uint64_t next = model_->seq() + 1;
  history_ = std::make_unique<store::history_index>();
  // The read model subscribes first: it has every batch before any actor hears of it and
  // before the batch's appends are acknowledged.
  writer_->subscribe(next, [this](const std::vector<messages::journal_record>& records) {
    model_->apply(records);
    history_->add(records);
    if (snapshot_due(records.back().seq))
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
  history_thread_ = std::thread([this, to = next - 1] {
    try {
      auto started = std::chrono::steady_clock::now();
      history_->build(*log_, to);
      std::printf("capstan master: history index ready (%llu records in %.2f s)\n",
                  static_cast<unsigned long long>(to),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      std::fflush(stdout);
    } catch (const std::exception& e) {
      // The history pages then read the journal through, as they did before the index.
      std::fprintf(stderr, "capstan master: the history index was not built: %s\n", e.what());
    }
  });
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
  // Writes this master forwards are answered, as are forwarded writes still waiting here;
  // those running finish (the actors still run).
  if (forward_channel_)
    forward_channel_->close();
  if (forwarded_writes_)
    forwarded_writes_->close();
  {
    std::lock_guard<std::mutex> lock(snapshot_mutex_);
    stopping_ = true;
  }
  snapshot_wake_.notify_all();
  snapshot_thread_.join();
  history_->stop();
  history_thread_.join();
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
  const uint64_t since_snapshot = model_->seq() - last_snapshot_seq_;
  if (last_snapshot_seq_ != 0 && since_snapshot < snapshot_interval_ / 10) {
    // A restart replays these records quickly (fewer than a tenth of the interval: milliseconds
    // for a small cluster, under half a second at a million objects). A snapshot of them would
    // only push the oldest kept snapshot out, and past moments are rebuilt from those: a master
    // restarted a dozen times would have lost the whole reach of its time travel.
    skipped = since_snapshot == 0
                  ? "the snapshot at " + std::to_string(last_snapshot_seq_) + " holds this state"
                  : std::to_string(since_snapshot) + " records after the snapshot at " +
                        std::to_string(last_snapshot_seq_) + " replay at start";
  } else if (since_snapshot == 0) {
    skipped = "an empty journal";
  } else {
    try {
      // Nothing applies any more: written from the read model in place, without a copy.
      model_->read([this](const store::cluster_state& state) {
        store::write_snapshot(*log_, state, config_.snapshots_kept);
      });
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

command_reply master::change_members(membership_command change) {
  if (!replicated_)
    return command_reply::failure(error_code::unavailable,
                                  "this master runs alone (no --peer-address): it has no other "
                                  "members to change");
  // The replicated log's lead, not the control plane's: a leader whose actors are still
  // starting changes members all the same.
  forwarded_command c = std::move(change);
  return writer_->leading() ? run_here(std::move(c)) : run_on_leader(c);
}

command_reply master::run_here(forwarded_command command, std::chrono::milliseconds timeout) {
  if (auto* change = std::get_if<membership_command>(&command))
    return change_members_here(*change, timeout);
  const object_kind kind = std::holds_alternative<create_command>(command)
                               ? messages::kind_of(std::get<create_command>(command).object)
                               : std::get<object_command>(command).kind;
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
  if (!forward_channel_ || !writer_)
    return not_leading();
  uint64_t leader_seq = 0;
  command_reply reply = forward_to_leader(*forward_channel_, config_.membership.member_id,
                                          writer_->membership(), command, leader_seq);
  // The client reads its own write from this master next, or retries a conflict against what
  // the leader saw: this master's read model gets there first.
  const uint64_t wanted = std::max(reply.seq, leader_seq);
  if (wanted != 0)
    model_->wait_until([&](const store::cluster_state& s) { return s.seq >= wanted; },
                       std::chrono::seconds(10));
  return reply;
}

void master::snapshot() {
  // The read model's lock is held only while the snapshot process starts (fork): applying
  // goes on while the child encodes and this thread writes.
  store::snapshot_process_stats stats;
  last_snapshot_seq_ = store::write_snapshot_in_child(
      *log_, [this](const auto& visit) { model_->read(visit); }, config_.snapshots_kept, &stats);
  snapshot_interval_ = std::max<uint64_t>(config_.snapshot_every, stats.objects);
  std::lock_guard<std::mutex> lock(snapshot_mutex_);
  snapshot_costs_.written += 1;
  snapshot_costs_.longest_pause_seconds =
      std::max(snapshot_costs_.longest_pause_seconds, stats.pause_seconds);
  snapshot_costs_.longest_seconds = std::max(snapshot_costs_.longest_seconds, stats.seconds);
  snapshot_costs_.most_private_bytes =
      std::max(snapshot_costs_.most_private_bytes, stats.private_bytes);
}

bool master::snapshot_due(uint64_t seq) const {
  return config_.snapshot_every != 0 && seq - last_snapshot_seq_ >= snapshot_interval_;
}

master::snapshot_costs master::snapshots_written() const {
  std::lock_guard<std::mutex> lock(snapshot_mutex_);
  return snapshot_costs_;
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

void master::with_state_at(uint64_t seq,
                           const std::function<void(const store::cluster_state&)>& use) const {
  const uint64_t at = std::min(seq, model_->seq());
  // The time to the rebuilt state (its wait for another rebuild included), without the caller's
  // use of it.
  const auto started = std::chrono::steady_clock::now();
  double rebuild_seconds = 0;
  store::moment_stats stats;
  moments_->with_state_at(
      at,
      [&](const store::cluster_state& state) {
        rebuild_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        use(state);
      },
      &stats);
  if (rebuild_seconds >= slow_moment_seconds) {
    // Who operates the master sees what a slow past moment cost.
    const std::string start =
        stats.from_kept        ? "the moment kept at " + std::to_string(stats.start_seq)
        : stats.start_seq != 0 ? "the snapshot at " + std::to_string(stats.start_seq)
                               : std::string("the first record");
    std::printf("capstan master: the moment at %llu took %.2f s to rebuild (%llu records replayed "
                "from %s; any wait for another rebuild included)\n",
                static_cast<unsigned long long>(at), rebuild_seconds,
                static_cast<unsigned long long>(stats.replayed_records), start.c_str());
    std::fflush(stdout);
  }
}

void master::read_journal(uint64_t from, uint64_t to,
                          const std::function<bool(messages::journal_record&&)>& visit) const {
  log_->read(from, to, visit);
}

void master::read_journal_records(
    const std::vector<uint64_t>& seqs,
    const std::function<bool(messages::journal_record&&)>& visit) const {
  log_->read_each(seqs, visit);
}

uint64_t master::seq_at_time(int64_t nanos) const {
  if (history_->ready())
    return std::min(history_->seq_at_time(nanos), model_->seq());
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
      return stopping_ || snapshot_due(model_->seq());
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
