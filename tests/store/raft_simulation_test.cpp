// Deterministic simulation of the replicated journal (store/journal_state_machine.cpp through
// store/raft_fsm_adapter.cpp) on C-Raft's raft_fixture: three members, each with its own
// journal on disk, an in-memory network and clock driven step by step. Each seed plays a
// random schedule of proposals at whoever believes it leads and of links cut and restored
// (both ways or one way, so elections follow); throughout, every member's journal
// must be a prefix of every other's (same records at the same sequence numbers), and at the
// end, with the network healed, all journals are identical and hold every acknowledged
// proposal exactly once. The schedule is a function of the seed alone: a seed that fails
// fails again, and is kept in `regression_seeds`.
// CAPSTAN_RAFT_SEEDS=FIRST-LAST explores other seeds.
#include <boost/test/unit_test.hpp>

#include "store/c_raft.hpp"

#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <set>

#include "store/journal_entry.hpp"
#include "store/journal_state_machine.hpp"
#include "store/raft_fsm_adapter.hpp"
#include "tests/store/records.hpp"

using namespace capstan::store;
using namespace capstan::test;

namespace {

constexpr unsigned members = 3;

// What one member applied, in order: (sequence number, record name).
using applied_history = std::vector<std::pair<uint64_t, std::string>>;

struct member {
  temp_dir dir;
  std::unique_ptr<event_log> log;
  std::unique_ptr<journal_state_machine> machine;
  std::unique_ptr<raft_fsm_adapter> adapter;
  applied_history applied;
  std::string broken;  // a sequence number out of order, seen when applied

  member() {
    event_log_options options;
    options.sync = false;
    log = event_log::open(dir.str() + "/journal", options);
    machine = std::make_unique<journal_state_machine>(
        *log, [this](uint64_t, std::vector<journal_record>&& records) {
          for (const auto& r : records) {
            uint64_t expected = applied.empty() ? 1 : applied.back().first + 1;
            if (r.seq != expected && broken.empty())
              broken = "seq " + std::to_string(r.seq) + " after " + std::to_string(expected - 1);
            applied.emplace_back(r.seq, r.name);
          }
        });
    adapter = std::make_unique<raft_fsm_adapter>(*machine);
  }
};

struct proposal_request {
  struct raft_apply request;
  std::set<std::string>* acknowledged;
  std::string first_name;
};

// The first place where two histories differ within their common length, or "".
std::string prefix_violation(const applied_history& a, const applied_history& b) {
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i])
      return "seq " + std::to_string(a[i].first) + ": " + a[i].second + " vs " + b[i].second;
  return "";
}

// Drops C-Raft's diagnostics (the fixture traces every step to stderr: tens of thousands of
// lines a seed).
raft_tracer silent_tracer{nullptr, 2, [](raft_tracer*, int, const void*) {}};

class simulation {
public:
  // `pauses`: members are also paused (raft_fixture_kill: cut off, clock stopped, disk
  // writes still completing) and resumed, as a process stopped and continued.
  simulation(uint64_t seed, bool pauses) : random_(seed), seed_(seed), pauses_(pauses) {
    std::memset(&fixture_, 0, sizeof fixture_);  // initialize leaves some of it as it finds it
    raft_fixture_initialize(&fixture_);
    for (unsigned i = 0; i < members; ++i) {
      group_.push_back(std::make_unique<member>());
      BOOST_REQUIRE(raft_fixture_grow(&fixture_, group_[i]->adapter->fsm()) == 0);
      group_[i]->adapter->bind(raft_fixture_get(&fixture_, i));
      raft_fixture_get(&fixture_, i)->tracer = &silent_tracer;  // the fixture's writes stderr
    }
    raft_fixture_set_randomized_election_timeout(&fixture_, 0, 1000 + random_() % 500);
    struct raft_configuration configuration;
    BOOST_REQUIRE(raft_fixture_configuration(&fixture_, members, &configuration) == 0);
    int bootstrapped = raft_fixture_bootstrap(&fixture_, &configuration);
    BOOST_REQUIRE_MESSAGE(bootstrapped == 0, "bootstrap: " << raft_strerror(bootstrapped));
    raft_configuration_close(&configuration);
    BOOST_REQUIRE(raft_fixture_start(&fixture_) == 0);
  }
  ~simulation() { raft_fixture_close(&fixture_); }

  // Plays `rounds` random actions; returns the first violation found, or "".
  std::string play(int rounds) {
    for (int round = 0; round < rounds; ++round) {
      unsigned roll = random_() % 100;
      if (roll < 45) {
        raft_fixture_step_n(&fixture_, 1 + random_() % 20);
      } else if (roll < 70) {
        propose_at(random_() % members);
      } else if (roll < 78) {
        auto [a, b] = pair();
        raft_fixture_disconnect(&fixture_, a, b);
        raft_fixture_disconnect(&fixture_, b, a);
      } else if (roll < 86) {
        auto [a, b] = pair();
        raft_fixture_reconnect(&fixture_, a, b);
        raft_fixture_reconnect(&fixture_, b, a);
      } else if (roll < 89) {
        auto [a, b] = pair();
        raft_fixture_saturate(&fixture_, a, b);  // one way only
      } else if (roll < 92) {
        auto [a, b] = pair();
        raft_fixture_desaturate(&fixture_, a, b);
      } else if (roll < 95 && pauses_) {
        unsigned i = random_() % members;
        if (raft_fixture_alive(&fixture_, i))
          raft_fixture_kill(&fixture_, i);
      } else if (pauses_) {
        unsigned i = random_() % members;
        if (!raft_fixture_alive(&fixture_, i))
          raft_fixture_revive(&fixture_, i);
      }
      if (auto problem = check(); !problem.empty())
        return "round " + std::to_string(round) + ": " + problem;
    }
    return "";
  }

  // Heals everything, lets a leader commit one more entry everywhere; returns the first
  // violation of convergence, or "".
  std::string settle() {
    for (unsigned a = 0; a < members; ++a) {
      if (!raft_fixture_alive(&fixture_, a))
        raft_fixture_revive(&fixture_, a);
      for (unsigned b = 0; b < members; ++b)
        if (a != b) {
          raft_fixture_reconnect(&fixture_, a, b);
          raft_fixture_desaturate(&fixture_, a, b);
        }
    }
    for (int attempt = 0; attempt < 20; ++attempt) {
      if (!raft_fixture_step_until_has_leader(&fixture_, 30000))
        continue;
      unsigned leader = raft_fixture_leader_index(&fixture_);
      std::string name = propose_at(leader);
      raft_index last = raft_last_index(raft_fixture_get(&fixture_, leader));
      if (raft_fixture_step_until_applied(&fixture_, members, last, 30000) &&
          acknowledged_.count(name))
        break;
    }
    if (auto problem = check(); !problem.empty())
      return problem;
    for (unsigned i = 1; i < members; ++i)
      if (group_[i]->applied != group_[0]->applied)
        return "member " + std::to_string(i) + " applied " +
               std::to_string(group_[i]->applied.size()) + " records, member 0 " +
               std::to_string(group_[0]->applied.size());
    if (acknowledged_.empty())
      return "nothing was acknowledged: the schedule tested nothing";
    std::map<std::string, int> present;
    for (const auto& [seq, name] : group_[0]->applied)
      ++present[name];
    for (const auto& name : acknowledged_)
      if (present[name] != 1)
        return "acknowledged " + name + " is present " + std::to_string(present[name]) + " times";
    // The journals on disk say the same as what was handed on.
    for (auto& m : group_) {
      auto records = m->log->read(1, m->log->last_seq());
      if (records.size() != m->applied.size())
        return "a journal holds " + std::to_string(records.size()) + " records, " +
               std::to_string(m->applied.size()) + " were applied";
      for (std::size_t i = 0; i < records.size(); ++i)
        if (records[i].name != m->applied[i].second)
          return "a journal differs at seq " + std::to_string(i + 1);
    }
    return "";
  }

  std::size_t acknowledged() const { return acknowledged_.size(); }
  std::size_t applied() const { return group_[0]->applied.size(); }

private:
  std::pair<unsigned, unsigned> pair() {
    unsigned a = random_() % members;
    unsigned b = (a + 1 + random_() % (members - 1)) % members;
    return {a, b};
  }

  // Proposes an entry of 1-3 records at member `i` if it believes it leads; returns the name
  // of its first record ("" when nothing was proposed).
  std::string propose_at(unsigned i) {
    struct raft* r = raft_fixture_get(&fixture_, i);
    if (!raft_fixture_alive(&fixture_, i) || raft_state(r) != RAFT_LEADER)
      return "";
    journal_entry entry;
    entry.proposal = random_();
    unsigned count = 1 + random_() % 3;
    for (unsigned k = 0; k < count; ++k) {
      entry.records.push_back(created(small_pod("s" + std::to_string(seed_) + "-" +
                                                std::to_string(next_++) + "-" + std::to_string(k))));
      entry.records.back().time_nanos = 1;
    }
    std::string bytes = encode_journal_entry(entry, nullptr);
    struct raft_buffer buffer;
    buffer.len = (bytes.size() + 7) / 8 * 8;
    buffer.base = raft_malloc(buffer.len);
    std::memset(buffer.base, 0, buffer.len);
    std::memcpy(buffer.base, bytes.data(), bytes.size());
    auto* p = new proposal_request{};
    p->request.data = p;
    p->acknowledged = &acknowledged_;
    p->first_name = entry.records.front().name;
    int rv = raft_apply(r, &p->request, &buffer, 1, [](struct raft_apply* req, int status, void*) {
      auto* p = static_cast<proposal_request*>(req->data);
      if (status == 0)
        p->acknowledged->insert(p->first_name);
      delete p;
    });
    if (rv != 0) {
      raft_free(buffer.base);
      delete p;
      return "";
    }
    return entry.records.front().name;
  }

  std::string check() {
    for (unsigned a = 0; a < members; ++a) {
      if (!group_[a]->broken.empty())
        return "member " + std::to_string(a) + ": " + group_[a]->broken;
      for (unsigned b = a + 1; b < members; ++b)
        if (auto v = prefix_violation(group_[a]->applied, group_[b]->applied); !v.empty())
          return "members " + std::to_string(a) + " and " + std::to_string(b) + " differ at " + v;
    }
    return "";
  }

  std::mt19937_64 random_;
  uint64_t seed_;
  bool pauses_;
  uint64_t next_ = 0;
  struct raft_fixture fixture_;
  std::vector<std::unique_ptr<member>> group_;
  std::set<std::string> acknowledged_;
};

// Seeds that once failed stay here, whatever the range explored.
const std::vector<uint64_t> regression_seeds = {};

std::vector<uint64_t> seeds() {
  std::vector<uint64_t> out = regression_seeds;
  uint64_t first = 1, last = 24;
  if (const char* range = std::getenv("CAPSTAN_RAFT_SEEDS")) {
    char* end = nullptr;
    first = std::strtoull(range, &end, 10);
    last = (end && *end == '-') ? std::strtoull(end + 1, nullptr, 10) : first;
  }
  for (uint64_t s = first; s <= last; ++s)
    out.push_back(s);
  return out;
}

}  // namespace

namespace {

// Runs each seed; returns how many proposals were acknowledged in all.
std::size_t run_seeds(const std::vector<uint64_t>& list, bool pauses) {
  std::size_t total_acknowledged = 0;
  for (uint64_t seed : list) {
    simulation run(seed, pauses);
    std::string problem = run.play(2000);
    if (problem.empty())
      problem = run.settle();
    BOOST_CHECK_MESSAGE(problem.empty(), "seed " << seed << ": " << problem);
    BOOST_TEST_MESSAGE("seed " << seed << ": " << run.acknowledged() << " acknowledged, "
                               << run.applied() << " records applied on every member");
    total_acknowledged += run.acknowledged();
  }
  return total_acknowledged;
}

}  // namespace

BOOST_AUTO_TEST_CASE(members_apply_one_history_through_elections_and_cut_links) {
  BOOST_TEST(run_seeds(seeds(), false) > 0u);
}

// With Debian 12's libraft 0.15 these seeds ended with two members that had applied different
// entries at the same index (seed 193: index 30): a follower set its commit index to
// min(leaderCommit, its last stored index) even when the AppendEntries it accepted carried no
// entries, so a stale suffix left by an old leader was applied (src/replication.c; Raft's rule
// is min(leaderCommit, index of the last new entry)). C-Raft 0.22 follows the rule.
const std::vector<uint64_t> pause_regression_seeds = {93, 130, 183, 193, 197};

BOOST_AUTO_TEST_CASE(members_stay_one_history_when_paused_and_resumed) {
  std::vector<uint64_t> list = pause_regression_seeds;
  for (uint64_t seed : seeds())
    list.push_back(seed);
  BOOST_TEST(run_seeds(list, true) > 0u);
}
