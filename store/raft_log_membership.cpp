// Membership changes of store/raft_log (adding, promoting and removing members), carried out
// one at a time on the loop's thread.
#include "store/raft_log.hpp"

#include "store/c_raft.hpp"
#include "store/detail/raft_log_engine.hpp"

namespace capstan::store {

namespace {

std::string membership_error(int status) {
  switch (status) {
    case RAFT_NOTLEADER:
      return "this master is not the leader";
    case RAFT_CANTCHANGE:
      return "a membership change is in progress already";
    case RAFT_DUPLICATEID:
      return "a member with this id exists already, at another address";
    case RAFT_DUPLICATEADDRESS:
      return "another member has this address already";
    case RAFT_NOTFOUND:
    case RAFT_BADID:
      return "no member has this id";
    case -2:  // membership_change::last_voter
      return "it is the last voter: a cluster keeps at least one";
    case RAFT_LEADERSHIPLOST:
      return "this master lost its leadership before the change was committed: its outcome is "
             "unknown";
    default:
      return raft_strerror(status);
  }
}

}  // namespace

struct raft_log::membership_change {
  struct raft_change request;  // request.data points back here
  membership_done done;
  uint64_t id = 0;
  raft_log* log = nullptr;  // its membership() is refreshed before `done` is called
  struct raft* raft = nullptr;
  bool* pending = nullptr;  // the engine's membership_change_pending

  // What a start function returns when the change asked for is in force already, and when it
  // would remove the last voter.
  static constexpr int already_done = -1;
  static constexpr int last_voter = -2;

  // raft_assign(VOTER): C-Raft 0.22 records the request as its pending change before steps
  // that may still fail, and leaves it recorded when they do; this one is then finished (and
  // freed) by the caller, so the record is cleared.
  int assign_voter() {
    int rv = raft_assign(raft, &request, id, RAFT_VOTER, finish);
    if (rv != 0 && raft->legacy.change == &request)
      raft->legacy.change = nullptr;
    return rv;
  }

  static void finish(raft_change* req, int status) {
    auto* change = static_cast<membership_change*>(req->data);
    *change->pending = false;
    change->log->publish_membership();  // the caller reads the membership it changed
    change->done(status == 0 ? "" : membership_error(status));
    delete change;
  }
};

void raft_log::change_membership(uint64_t id, membership_done done,
                                 std::function<int(membership_change&)> start) {
  auto shared_done = std::make_shared<membership_done>(std::move(done));
  bool posted = post([this, id, shared_done, start = std::move(start)] {
    engine& e = *engine_;
    if (e.close_started || raft_state(&e.raft) != RAFT_LEADER || e.membership_change_pending) {
      (*shared_done)(membership_error(e.close_started                      ? RAFT_SHUTDOWN
                                      : raft_state(&e.raft) != RAFT_LEADER ? RAFT_NOTLEADER
                                                                           : RAFT_CANTCHANGE));
      return;
    }
    e.membership_change_pending = true;
    auto* change = new membership_change{};
    change->request.data = change;
    change->done = std::move(*shared_done);
    change->id = id;
    change->log = this;
    change->raft = &e.raft;
    change->pending = &e.membership_change_pending;
    if (int rv = start(*change); rv == membership_change::already_done)
      membership_change::finish(&change->request, 0);
    else if (rv != 0)
      membership_change::finish(&change->request, rv);
  });
  if (!posted)
    (*shared_done)(membership_error(RAFT_SHUTDOWN));
}

void raft_log::add_member(uint64_t id, std::string address, membership_done done) {
  if (!is_raft_address(address)) {
    done("\"" + address.substr(0, 100) + "\" is no IP:PORT address");
    return;
  }
  // Added as a spare (no vote), then promoted: C-Raft catches a promoted member up before the
  // configuration that makes it a voter is committed. Asked again (a new member retrying after
  // a promotion that failed, or after its answer was lost), only what is left is done.
  change_membership(id, std::move(done), [address](membership_change& change) -> int {
    const raft_configuration& now = change.raft->configuration;
    for (unsigned i = 0; i < now.n; ++i) {
      const raft_server& server = now.servers[i];
      if (server.id == change.id) {
        if (address != server.address)
          return RAFT_DUPLICATEID;
        if (server.role == RAFT_VOTER)
          return membership_change::already_done;
        return change.assign_voter();
      }
      if (address == server.address)
        return RAFT_DUPLICATEADDRESS;
    }
    return raft_add(change.raft, &change.request, change.id, address.c_str(),
                    [](raft_change* req, int status) {
                      auto* change = static_cast<membership_change*>(req->data);
                      if (status == 0)
                        status = change->assign_voter();
                      if (status != 0)
                        membership_change::finish(req, status);
                    });
  });
}

void raft_log::remove_member(uint64_t id, membership_done done) {
  change_membership(id, std::move(done), [](membership_change& change) -> int {
    // The configuration as it stands, not as a caller last saw it: C-Raft would commit one
    // without a voter, and the cluster could never commit again.
    const raft_configuration& now = change.raft->configuration;
    unsigned voters = 0;
    bool voter = false;
    for (unsigned i = 0; i < now.n; ++i) {
      voters += now.servers[i].role == RAFT_VOTER ? 1 : 0;
      voter = voter || (now.servers[i].id == change.id && now.servers[i].role == RAFT_VOTER);
    }
    if (voter && voters <= 1)
      return membership_change::last_voter;
    return raft_remove(change.raft, &change.request, change.id, membership_change::finish);
  });
}

}  // namespace capstan::store
