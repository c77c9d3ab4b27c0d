// Tests actors/journal/journal_actor.cpp over a real journal_writer and RocksDB event log in a
// temp dir: appends answered once durable with their sequence numbers, append_each answering
// once with each record accepted or refused alone, refusals passed on, subscriptions from any
// sequence (the log first, then live, with no gap or repeat at the hand-over), and an append
// in flight when the journal stops answered with an error instead of never.
//
// The writer commits on its own thread and answers the actor with messages, so these tests run
// on CAF's threaded scheduler and await each answer (a timeout only turns a hang into a
// failure); nothing depends on timing.
#include <boost/test/unit_test.hpp>

#include <future>
#include <thread>

#include "actors/journal/journal_actor.hpp"
#include "store/journal_writer.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;
using namespace std::chrono_literals;

namespace {

constexpr auto answer_within = 30s;  // a missing answer fails the test instead of hanging it

// A journal in a temp dir with its writer, and an actor system to run the journal actor on.
struct journal_fixture {
  temp_dir dir;
  std::unique_ptr<store::event_log> log = store::event_log::open(dir.str());
  std::unique_ptr<store::journal_writer> writer = std::make_unique<store::journal_writer>(*log);
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  journal_actor journal;

  journal_fixture() {
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    cfg.set("logger.console-verbosity", caf::atom("quiet"));
    system = std::make_unique<caf::actor_system>(cfg);
    journal = spawn_journal_actor(*system, *writer);
  }
  // The actor stops before the writer it uses; the writer (whose subscriptions hold actor
  // handles) goes before the actor system.
  ~journal_fixture() {
    {
      caf::scoped_actor self{*system};
      caf::anon_send_exit(journal, caf::exit_reason::user_shutdown);
      self->wait_for(journal);
    }
    journal = nullptr;
    writer.reset();
    system.reset();
  }

  store::append_result append(std::vector<messages::journal_record> records) {
    caf::scoped_actor self{*system};
    store::append_result out;
    self->request(journal, answer_within, append_atom::value, std::move(records))
        .receive([&](store::append_result& r) { out = std::move(r); },
                 [&](caf::error& e) { BOOST_FAIL("no append result: " << caf::to_string(e)); });
    return out;
  }
  std::vector<store::append_result> append_each(std::vector<messages::journal_record> records) {
    caf::scoped_actor self{*system};
    std::vector<store::append_result> out;
    self->request(journal, answer_within, append_each_atom::value, std::move(records))
        .receive([&](std::vector<store::append_result>& r) { out = std::move(r); },
                 [&](caf::error& e) { BOOST_FAIL("no append results: " << caf::to_string(e)); });
    return out;
  }
  // The names of the records in the log, in sequence order.
  std::vector<std::string> logged_names() {
    std::vector<std::string> out;
    if (log->last_seq() == 0)
      return out;
    for (const auto& r : log->read(1, log->last_seq()))
      out.push_back(r.name);
    return out;
  }
};

std::vector<messages::journal_record> pods(const std::string& prefix, int n) {
  std::vector<messages::journal_record> out;
  for (int i = 0; i < n; ++i)
    out.push_back(created(small_pod(prefix + std::to_string(i))));
  return out;
}

// A pre-write check that refuses every append whose first record is named "refused".
std::vector<std::string> refuse_named_refused(
    const std::vector<const std::vector<messages::journal_record>*>& appends) {
  std::vector<std::string> out;
  for (const auto* records : appends)
    out.push_back(records->front().name == "refused" ? "pods \"refused\" already exists" : "");
  return out;
}

// Receives committed batches on `self` until the record `last` arrived; returns the sequence
// numbers and names in delivery order.
std::vector<uint64_t> receive_until(caf::scoped_actor& self, uint64_t last,
                                    std::vector<std::string>* names = nullptr) {
  std::vector<uint64_t> seqs;
  while (seqs.empty() || seqs.back() < last) {
    bool got = false;
    self->receive(
        [&](committed_atom, const committed_batch& batch) {
          got = true;
          for (const auto& r : *batch) {
            seqs.push_back(r.seq);
            if (names)
              names->push_back(r.name);
          }
        },
        caf::after(answer_within) >> [] {});
    BOOST_REQUIRE_MESSAGE(got, "no committed batch after seq " << (seqs.empty() ? 0 : seqs.back())
                                                               << ", waiting for " << last);
  }
  return seqs;
}

std::vector<uint64_t> range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> out;
  for (auto s = first; s <= last; ++s)
    out.push_back(s);
  return out;
}

}  // namespace

// Guards the contract every writer of the master relies on: the answer names the sequence
// numbers the records got, consecutive and following the previous append, and by then the
// records are in the log.
BOOST_AUTO_TEST_CASE(an_append_is_answered_with_its_sequence_numbers_once_in_the_log) {
  journal_fixture f;
  auto first = f.append(pods("a", 3));
  BOOST_REQUIRE(first.ok());
  BOOST_TEST(first.first_seq == 1u);
  BOOST_TEST(first.last_seq == 3u);
  BOOST_TEST(f.logged_names() == (std::vector<std::string>{"a0", "a1", "a2"}));
  auto second = f.append(pods("b", 2));
  BOOST_REQUIRE(second.ok());
  BOOST_TEST(second.first_seq == 4u);
  BOOST_TEST(second.last_seq == 5u);
  BOOST_TEST(f.log->last_seq() == 5u);
}

// Guards against an append the writer refuses being reported as written, or written anyway:
// the refusal's reason reaches the caller verbatim and the log is unchanged.
BOOST_AUTO_TEST_CASE(an_append_the_writer_refuses_is_answered_with_its_reason_and_not_logged) {
  journal_fixture f;
  f.writer->set_checker(refuse_named_refused);
  BOOST_REQUIRE(f.append(pods("kept", 1)).ok());
  auto refused = f.append({created(small_pod("refused")), created(small_pod("companion"))});
  BOOST_TEST(!refused.ok());
  BOOST_TEST(refused.error == "pods \"refused\" already exists");
  BOOST_TEST(f.logged_names() == (std::vector<std::string>{"kept0"}));  // not even its companion
  auto after = f.append(pods("next", 1));
  BOOST_REQUIRE(after.ok());
  BOOST_TEST(after.first_seq == 2u);  // the refused append took no number
}

// Guards append_each's contract (the scheduler's binds, the nodes' statuses): one answer
// holding one result per record, in order, each record accepted or refused on its own, and
// the refused ones taking no sequence number.
BOOST_AUTO_TEST_CASE(append_each_accepts_or_refuses_each_record_alone_in_one_answer) {
  journal_fixture f;
  f.writer->set_checker(refuse_named_refused);
  auto results = f.append_each(
      {created(small_pod("first")), created(small_pod("refused")), created(small_pod("third"))});
  BOOST_REQUIRE(results.size() == 3u);
  BOOST_TEST(results[0].ok());
  BOOST_TEST(results[0].first_seq == 1u);
  BOOST_TEST(results[0].last_seq == 1u);
  BOOST_TEST(!results[1].ok());
  BOOST_TEST(results[1].error == "pods \"refused\" already exists");
  BOOST_TEST(results[2].ok());
  BOOST_TEST(results[2].first_seq == 2u);
  BOOST_TEST(f.logged_names() == (std::vector<std::string>{"first", "third"}));
  // Nothing to append: answered at once, with no results (not left waiting).
  BOOST_TEST(f.append_each({}).empty());
}

// Guards the hand-over a watch is built on: a subscriber from sequence 4 gets the records
// already in the log from 4 on, then the ones committed while and after it subscribed, each
// exactly once and in order -- no gap and no duplicate where catch-up meets live delivery.
BOOST_AUTO_TEST_CASE(a_subscription_replays_the_log_from_its_sequence_then_follows_live) {
  journal_fixture f;
  BOOST_REQUIRE(f.append(pods("old", 10)).ok());
  caf::scoped_actor subscriber{*f.system};
  caf::scoped_actor appender{*f.system};
  caf::anon_send(f.journal, subscribe_atom::value, sequence_number{4},
                 caf::actor_cast<batch_subscriber_actor>(subscriber));
  // Appends race with the subscription's catch-up and attachment on the commit thread.
  constexpr int live = 40;
  for (int i = 0; i < live; ++i)
    appender->send(f.journal, append_atom::value, pods("new" + std::to_string(i) + "-", 1));
  std::vector<std::string> names;
  auto seqs = receive_until(subscriber, 10 + live, &names);
  BOOST_TEST(seqs == range(4, 10 + live));
  BOOST_TEST(names.front() == "old3");
  BOOST_TEST(names.back() == "new" + std::to_string(live - 1) + "-0");
}

// Guards a subscription from a sequence not written yet (a watch from the current
// resourceVersion + 1): nothing before it is delivered, and it starts exactly there.
BOOST_AUTO_TEST_CASE(a_subscription_from_a_future_sequence_starts_exactly_there) {
  journal_fixture f;
  BOOST_REQUIRE(f.append(pods("old", 3)).ok());
  caf::scoped_actor subscriber{*f.system};
  caf::anon_send(f.journal, subscribe_atom::value, sequence_number{6},
                 caf::actor_cast<batch_subscriber_actor>(subscriber));
  BOOST_REQUIRE(f.append(pods("x", 2)).ok());  // 4 and 5: before the subscription's start
  BOOST_REQUIRE(f.append(pods("y", 2)).ok());  // 6 and 7
  auto seqs = receive_until(subscriber, 7);
  BOOST_TEST(seqs == range(6, 7));
}

// Guards against a caller waiting forever: an append whose records are still being committed
// when the journal actor stops is answered with request_receiver_down.
BOOST_AUTO_TEST_CASE(an_append_in_flight_when_the_journal_stops_is_answered_with_an_error) {
  journal_fixture f;
  std::promise<void> entered, release;
  auto released = release.get_future().share();
  // The commit thread stops in the pre-write check until the test lets it go.
  f.writer->set_checker([&, released](const auto& appends) {
    entered.set_value();
    released.wait();
    return std::vector<std::string>(appends.size());
  });
  caf::scoped_actor self{*f.system};
  auto pending = self->request(f.journal, answer_within, append_atom::value, pods("held", 1));
  BOOST_REQUIRE(entered.get_future().wait_for(answer_within) == std::future_status::ready);
  caf::anon_send_exit(f.journal, caf::exit_reason::user_shutdown);
  bool errored = false;
  pending.receive([](store::append_result&) { BOOST_FAIL("answered as if written"); },
                  [&](caf::error& e) {
                    errored = true;
                    BOOST_CHECK_MESSAGE(e == caf::sec::request_receiver_down, caf::to_string(e));
                  });
  BOOST_TEST(errored);
  release.set_value();  // the writer finishes the append; its answer goes nowhere
}
