#include "store/raft_log.hpp"

#include "store/c_raft.hpp"
#include "store/detail/raft_log_engine.hpp"

#include <csignal>
#include <cstring>
#include <algorithm>
#include <filesystem>

#include "store/event_log.hpp"
#include "store/raft_fsm_adapter.hpp"
#include "store/raft_members_file.hpp"
#include "store/raft_peer_fetch.hpp"

namespace capstan::store {

namespace {

// A member that talks to no other (a cluster of one): it listens nowhere, and a connection it
// is asked for fails (C-Raft retries it later).
int alone_init(raft_uv_transport*, raft_id, const char*) { return 0; }
int alone_listen(raft_uv_transport*, raft_uv_accept_cb) { return 0; }
int alone_connect(raft_uv_transport*, raft_uv_connect*, raft_id, const char*, raft_uv_connect_cb) {
  return RAFT_NOCONNECTION;
}
void alone_close(raft_uv_transport* t, raft_uv_transport_close_cb cb) {
  if (cb)
    cb(t);
}

std::string proposal_error(int status) {
  switch (status) {
    case RAFT_LEADERSHIPLOST:
      // Also what C-Raft answers pending proposals when it closes.
      return "this master lost its leadership or stopped before the write was committed: its "
             "outcome is unknown (the next leader, or this master's next start, may commit it)";
    case RAFT_NOTLEADER:
      return "this master is not the leader";
    case RAFT_SHUTDOWN:
    case RAFT_CANCELED:
      return "the replicated journal is shutting down";
    default:
      return std::string("the replicated journal failed (the write's outcome is unknown): ") +
             raft_strerror(status);
  }
}

using barrier_request = struct raft_barrier;

struct pending_proposal {
  struct raft_apply request;
  replicated_log::proposal_done done;
};

void on_proposal_applied(struct raft_apply* request, int status, void*) {
  auto* p = static_cast<pending_proposal*>(request->data);
  p->done(status == 0 ? std::string() : proposal_error(status), request->index);
  delete p;
}

// C-Raft 0.22's legacy layer crashes when a leader's snapshot arrives while a follower takes
// its own (legacy.c, takeSnapshotCb: the install put on hold is read after its pointer was
// cleared). A follower receives one when it lags behind the leader's log, which is when it
// applies many entries at once: at 4 times the leader's threshold, a follower catching up
// within the leader's trailing entries (as many as its threshold) does not reach its own.
unsigned follower_snapshot_threshold(const raft_log_config& config) {
  return config.snapshot_threshold * 4;
}

}  // namespace

raft_log::raft_log(raft_log_config config)
    : config_(std::move(config)), engine_(std::make_unique<engine>()) {
}

raft_log::~raft_log() {
  if (!thread_.joinable())
    return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
    uv_async_send(&engine_->wake);
  }
  thread_.join();
}

void raft_log::start(replicated_state_machine& machine) {
  namespace fs = std::filesystem;
  // C-Raft syncs its files and its directory, never the directory holding it (found by the
  // power-loss test: without this, a cut lost the whole Raft log).
  create_directory_durably(config_.directory);
  std::error_code ec;
  fs::permissions(config_.directory, fs::perms::owner_all, ec);
  machine_ = &machine;
  engine_->adapter = std::make_unique<raft_fsm_adapter>(machine);
  engine_->adapter->count_held_entries(&held_entry_bytes_, config_.snapshot_trailing);
  // Shared: the loop's thread may still be inside set_value when this one wakes and returns.
  auto started = std::make_shared<std::promise<std::string>>();
  auto result = started->get_future();
  thread_ = std::thread([this, started] { run_loop(started.get()); });
  std::string error = result.get();
  if (!error.empty()) {
    thread_.join();
    throw store_error("cannot start the replicated journal in " + config_.directory + ": " +
                      error);
  }
}

void raft_log::run_loop(std::promise<std::string>* started) {
  engine& e = *engine_;
  // libuv writes streams with write(2): a member's connection closed under it must fail the
  // write (EPIPE), not kill the process, whatever the process does with SIGPIPE elsewhere.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
  uv_loop_init(&e.loop);
  e.wake.data = this;
  uv_async_init(&e.loop, &e.wake, [](uv_async_t* h) {
    static_cast<raft_log*>(h->data)->run_posted();
  });
  e.leadership.data = this;
  uv_timer_init(&e.loop, &e.leadership);
  e.alone.version = 1;
  e.alone.init = alone_init;
  e.alone.listen = alone_listen;
  e.alone.connect = alone_connect;
  e.alone.close = alone_close;

  std::string error;
  int rv = 0;
  if (config_.tls) {
    raft_tls_config tls = *config_.tls;
    if (!tls.serve_fetch)
      tls.serve_fetch = [machine = machine_](uint64_t& next, uint64_t to, std::size_t budget) {
        return machine->read_for_peer(next, to, budget);
      };
    e.adapter->set_peer_fetch(
        [this](uint64_t from, uint64_t to, const std::function<std::string(std::string_view)>& take) {
          return fetch_from_members(from, to, take);
        },
        std::chrono::seconds(30));
    try {
      e.tls = std::make_unique<raft_tls_transport>(std::move(tls), &e.loop);
      e.transport = e.tls->transport();
    } catch (const std::exception& x) {
      error = x.what();
    }
  }
  if (!error.empty()) {
    // nothing more to open
  } else if ((rv = raft_uv_init(&e.io, &e.loop, config_.directory.c_str(), e.transport)) != 0) {
    error = e.io.errmsg;
  } else {
    e.io_ready = true;
    rv = raft_init(&e.raft, &e.io, e.adapter->fsm(), config_.member_id, config_.address.c_str());
    if (rv != 0) {
      error = raft_errmsg(&e.raft);
    } else {
      e.raft_ready = true;
      e.adapter->bind(&e.raft);
      raft_set_heartbeat_timeout(&e.raft, static_cast<unsigned>(config_.heartbeat.count()));
      raft_set_election_timeout(&e.raft, static_cast<unsigned>(config_.election_timeout.count()));
      raft_set_snapshot_threshold(&e.raft, follower_snapshot_threshold(config_));
      raft_set_snapshot_trailing(&e.raft, config_.snapshot_trailing);
      // A member cut off or restarted asks whether it could win before it starts an election,
      // so its higher term does not depose a leader the others still follow.
      raft_set_pre_vote(&e.raft, true);
      // A directory without metadata holds no log yet: the machine starts counting anew
      // before the log exists (durably: a crash in between repeats it, never skips it).
      namespace fs = std::filesystem;
      std::error_code ec;
      bool fresh = !fs::exists(config_.directory + "/metadata1", ec) &&
                   !fs::exists(config_.directory + "/metadata2", ec);
      if (fresh)
        machine_->begin_new_log();
      rv = 0;
      if (config_.bootstrap) {
        raft_configuration members;
        raft_configuration_init(&members);
        if (config_.initial_members.empty())
          raft_configuration_add(&members, config_.member_id, config_.address.c_str(),
                                 RAFT_VOTER);
        for (const auto& m : config_.initial_members)
          raft_configuration_add(&members, m.id, m.address.c_str(),
                                 m.voter ? RAFT_VOTER : RAFT_SPARE);
        rv = raft_bootstrap(&e.raft, &members);
        raft_configuration_close(&members);
      }
      if (rv != 0 && rv != RAFT_CANTBOOTSTRAP) {
        error = std::string("bootstrap: ") + raft_errmsg(&e.raft);
      } else if ((rv = raft_start(&e.raft)) != 0) {
        // The state machine's own words, when it was the one that refused (a snapshot).
        error = e.adapter->last_error().empty() ? raft_errmsg(&e.raft) : e.adapter->last_error();
      } else if (raft_last_index(&e.raft) < machine_->applied_index()) {
        error = "the journal has applied entries up to " +
                std::to_string(machine_->applied_index()) + " but the Raft log ends at " +
                std::to_string(raft_last_index(&e.raft)) +
                ": it is not the log that fed this journal";
      }
    }
  }
  if (error.empty()) {
    e.adapter->set_running();
    uv_timer_start(
        &e.leadership, [](uv_timer_t* t) { static_cast<raft_log*>(t->data)->watch_leadership(); },
        0, 10);
  } else {
    std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
    uv_async_send(&e.wake);  // the loop below closes what was opened, then ends
  }
  started->set_value(error);
  uv_run(&e.loop, UV_RUN_DEFAULT);
  uv_loop_close(&e.loop);
}

bool raft_log::post(std::function<void()> task) {
  // The wake-up is sent under the lock: once closing_ is set, nobody touches the handle the
  // loop then closes.
  std::lock_guard<std::mutex> lock(mutex_);
  if (closing_)
    return false;
  posted_.push_back(std::move(task));
  uv_async_send(&engine_->wake);
  return true;
}

void raft_log::run_posted() {
  std::deque<std::function<void()>> tasks;
  bool closing;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks.swap(posted_);
    closing = closing_;
  }
  for (auto& t : tasks)
    t();
  if (closing && !engine_->close_started)
    close_engine();
}

void raft_log::close_engine() {
  engine& e = *engine_;
  e.close_started = true;
  leading_ = false;
  leading_changed_.notify_all();
  uv_timer_stop(&e.leadership);
  uv_close(reinterpret_cast<uv_handle_t*>(&e.leadership), nullptr);
  if (!e.raft_ready) {
    e.close_io_and_wake();
    return;
  }
  // Proposals not yet applied fail (RAFT_SHUTDOWN) before raft's close callback runs.
  e.raft.data = &e;
  raft_close(&e.raft, [](struct raft* r) {
    static_cast<engine*>(r->data)->close_io_and_wake();
  });
}

std::string raft_log::fetch_from_members(uint64_t from, uint64_t to,
                                         const std::function<std::string(std::string_view)>& take) {
  engine& e = *engine_;
  // The leader first (it has everything committed), then every other member known.
  std::vector<replicated_member> sources;
  auto known = [&](uint64_t id) {
    if (id == config_.member_id)
      return true;
    for (const auto& m : sources)
      if (m.id == id)
        return true;
    return false;
  };
  raft_id leader_id = 0;
  const char* leader_address = nullptr;
  raft_leader(&e.raft, &leader_id, &leader_address);
  if (leader_id != 0 && leader_address && !known(leader_id))
    sources.push_back({leader_id, leader_address, true});
  // At start C-Raft restores its snapshot before it reads its configuration: the members
  // this one knew last, as it wrote them down.
  std::vector<replicated_member> others;
  for (unsigned i = 0; i < e.raft.configuration.n; ++i) {
    const raft_server& server = e.raft.configuration.servers[i];
    if (server.address)
      others.push_back({server.id, server.address, server.role == RAFT_VOTER});
  }
  for (const auto& m : read_members_file(members_file()))
    others.push_back(m);
  for (const auto& m : config_.initial_members)
    others.push_back(m);
  for (const auto& m : others)
    if (!known(m.id))
      sources.push_back(m);
  if (sources.empty())
    return "no other member is known to fetch from";
  // Each attempt after a failed one asks another member first.
  std::rotate(sources.begin(), sources.begin() + (e.fetch_rotation++ % sources.size()),
              sources.end());
  std::string errors;
  for (const auto& source : sources) {
    bool took = false;
    std::string error = fetch_from_member(
        *config_.tls, {config_.member_id, source.id, source.address, from, to},
        [&](std::string_view chunk) {
          took = true;
          return take(chunk);
        },
        std::chrono::seconds(10));
    if (error.empty())
      return "";
    if (took)
      return error;  // the next attempt starts from what came
    errors += (errors.empty() ? "" : "; ") + error;
  }
  return errors;
}

void raft_log::publish_membership() {
  engine& e = *engine_;
  replicated_membership now;
  for (unsigned i = 0; i < e.raft.configuration.n; ++i) {
    const raft_server& server = e.raft.configuration.servers[i];
    now.members.push_back({server.id, server.address ? server.address : "",
                           server.role == RAFT_VOTER});
  }
  if (e.tls)
    now.reachable = e.tls->connected_members();
  now.reachable.insert(e.raft.id);
  raft_id leader_id = 0;
  const char* leader_address = nullptr;
  raft_leader(&e.raft, &leader_id, &leader_address);
  now.leader_id = leader_id;
  now.leader_address = leader_address ? leader_address : "";
  if (config_.tls && !now.members.empty() && !same_members(now.members, e.members_written)) {
    write_members_file(members_file(), now.members);
    e.members_written = now.members;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  membership_ = std::move(now);
}

void raft_log::watch_leadership() {
  engine& e = *engine_;
  publish_membership();
  // Followers take their own snapshots less often than a leader (see
  // follower_snapshot_threshold).
  const bool leader_now = raft_state(&e.raft) == RAFT_LEADER;
  if (leader_now != e.snapshotting_as_leader) {
    e.snapshotting_as_leader = leader_now;
    raft_set_snapshot_threshold(&e.raft, leader_now ? config_.snapshot_threshold
                                                    : follower_snapshot_threshold(config_));
  }
  auto lose = [&] {
    if (leading_.exchange(false))
      leading_changed_.notify_all();
  };
  if (raft_state(&e.raft) != RAFT_LEADER) {
    e.barrier_term = 0;
    lose();
    return;
  }
  if (e.raft.current_term == e.barrier_term || e.barrier_pending)
    return;
  // A new term: this member leads once everything committed before it is applied here.
  lose();
  e.barrier_pending = true;
  e.barrier_term = e.raft.current_term;
  auto* request = new barrier_request{};
  request->data = this;
  int rv = raft_barrier(&e.raft, request, [](barrier_request* req, int status) {
    auto* self = static_cast<raft_log*>(req->data);
    delete req;
    engine& e = *self->engine_;
    e.barrier_pending = false;
    if (status != 0 || raft_state(&e.raft) != RAFT_LEADER ||
        e.raft.current_term != e.barrier_term) {
      e.barrier_term = 0;  // tried again at the next tick
      return;
    }
    {
      std::lock_guard<std::mutex> lock(self->mutex_);
      self->leading_term_ = e.raft.current_term;
      self->leading_ = true;
    }
    self->leading_changed_.notify_all();
  });
  if (rv != 0) {
    delete request;
    e.barrier_pending = false;
    e.barrier_term = 0;
  }
}

uint64_t raft_log::held_entry_bytes() const {
  return held_entry_bytes_.load(std::memory_order_relaxed);
}

bool raft_log::wait_until_leading(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return leading_changed_.wait_for(lock, timeout, [this] { return leading_.load() || closing_; }) &&
         leading_.load();
}

void raft_log::propose(std::string entry, proposal_done done) {
  auto shared_done = std::make_shared<proposal_done>(std::move(done));
  bool posted = post([this, entry = std::move(entry), shared_done]() mutable {
    engine& e = *engine_;
    if (e.close_started || !leading_ || raft_state(&e.raft) != RAFT_LEADER ||
        e.raft.current_term != e.barrier_term) {
      (*shared_done)(proposal_error(RAFT_NOTLEADER), 0);
      return;
    }
    // C-Raft stores entries in 8-byte words: a length that is no multiple of 8 corrupts its
    // segments (found here: a clean restart could not load them). pack_raft_entry pads.
    std::string packed;
    try {
      packed = pack_raft_entry(entry);
    } catch (const std::length_error& e) {
      (*shared_done)(e.what(), 0);
      return;
    }
    raft_buffer buffer;
    buffer.len = packed.size();
    buffer.base = raft_malloc(buffer.len);
    if (!buffer.base) {
      (*shared_done)(proposal_error(RAFT_NOMEM), 0);
      return;
    }
    std::memcpy(buffer.base, packed.data(), packed.size());
    auto* p = new pending_proposal{};
    p->request.data = p;
    p->done = std::move(*shared_done);
    int rv = raft_apply(&e.raft, &p->request, &buffer, 1, on_proposal_applied);
    if (rv != 0) {
      raft_free(buffer.base);
      p->done(proposal_error(rv), 0);
      delete p;
    }
  });
  if (!posted)
    (*shared_done)(proposal_error(RAFT_SHUTDOWN), 0);
}

void raft_log::retry_apply() {
  post([this] {
    engine& e = *engine_;
    if (e.close_started || raft_state(&e.raft) != RAFT_LEADER)
      return;  // a follower applies again at the next entry its leader sends
    auto* request = new barrier_request{};
    if (raft_barrier(&e.raft, request, [](barrier_request* req, int) { delete req; }) != 0)
      delete request;
  });
}

replicated_membership raft_log::membership() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return membership_;
}

}  // namespace capstan::store
