// Tests what a follower forwards to the leader (actors/master/forwarded_commands.cpp) and the
// leader's pool that carries it out (actors/master/write_forwarding.cpp): every command a
// client can cause survives the trip whole, replies keep their errors and field causes, bad
// bytes are refused with a reason, and the pool's queue is bounded and answers what it drops.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <future>
#include <thread>

#include "actors/master/write_forwarding.hpp"
#include "messages/capnp_codec.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace std::chrono_literals;

namespace {

object_command command_on(const std::string& name, decltype(object_command::op) op) {
  object_command c;
  c.kind = object_kind::pod;
  c.target = {"default", name};
  c.cause = "alice";
  c.op = std::move(op);
  c.outcome_only = true;
  c.dry_run = true;
  return c;
}

// Polls `condition` (the pool works on its own thread) until it holds or `timeout` passes.
template <typename Condition>
bool within(std::chrono::milliseconds timeout, Condition condition) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > until)
      return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

object_command round_trip(const object_command& c) {
  auto decoded = decode_forwarded_command(encode_forwarded_command(c));
  BOOST_REQUIRE(std::holds_alternative<object_command>(decoded));
  return std::get<object_command>(decoded);
}

}  // namespace

BOOST_AUTO_TEST_CASE(creates_and_every_client_command_survive_the_trip) {
  auto pod = capstan::test::small_pod("web");
  pod.metadata.labels = {{"app", "web"}};
  create_command create{pod, "alice", true, true};
  auto decoded = decode_forwarded_command(encode_forwarded_command(create));
  BOOST_REQUIRE(std::holds_alternative<create_command>(decoded));
  const auto& back = std::get<create_command>(decoded);
  BOOST_TEST(messages::encode_object(back.object) == messages::encode_object(pod));
  BOOST_TEST(back.cause == "alice");
  BOOST_TEST(back.outcome_only);
  BOOST_TEST(back.dry_run);

  auto update = round_trip(command_on("web", update_op{pod}));
  BOOST_TEST(messages::encode_object(std::get<update_op>(update.op).object) ==
             messages::encode_object(pod));
  BOOST_TEST(update.target.namespace_ == "default");
  BOOST_TEST(update.target.name == "web");
  BOOST_TEST(update.cause == "alice");
  BOOST_TEST(update.outcome_only);
  BOOST_TEST(update.dry_run);
  BOOST_TEST((update.kind == object_kind::pod));

  auto del = std::get<delete_op>(round_trip(command_on("web", delete_op{"r", "u1", "7", 0})).op);
  BOOST_TEST(del.reason == "r");
  BOOST_TEST(del.uid_precondition == "u1");
  BOOST_TEST(del.resource_version_precondition == "7");
  BOOST_REQUIRE(del.grace_period_seconds.has_value());
  BOOST_TEST(*del.grace_period_seconds == 0);
  auto no_grace = std::get<delete_op>(round_trip(command_on("web", delete_op{})).op);
  BOOST_TEST(!no_grace.grace_period_seconds.has_value());

  BOOST_TEST(std::get<bind_op>(round_trip(command_on("web", bind_op{"n1"})).op).node_name == "n1");
  auto status = std::get<status_op>(round_trip(command_on("web", status_op{pod})).op);
  BOOST_TEST(messages::encode_object(status.object) == messages::encode_object(pod));
  auto scale = std::get<scale_op>(round_trip(command_on("rc", scale_op{3, 2, "9"})).op);
  BOOST_TEST(scale.replicas == 3);
  BOOST_REQUIRE(scale.current_replicas_precondition.has_value());
  BOOST_TEST(*scale.current_replicas_precondition == 2);
  BOOST_TEST(scale.resource_version_precondition == "9");
  auto ready = std::get<ready_op>(round_trip(command_on("n1", ready_op{true, "Up", "fine"})).op);
  BOOST_TEST(ready.ready);
  BOOST_TEST(ready.reason == "Up");
  BOOST_TEST(ready.message == "fine");
  // The leader's own endpoint changes never leave it.
  BOOST_CHECK_THROW(encode_forwarded_command(command_on("web", endpoints_op{})), forwarding_error);
}

BOOST_AUTO_TEST_CASE(membership_changes_travel_whole_and_malformed_ones_are_refused) {
  membership_command add{membership_command::change::add, 4001, "10.0.0.4:6445"};
  auto back = std::get<membership_command>(decode_forwarded_command(encode_forwarded_command(add)));
  BOOST_TEST((back.op == membership_command::change::add));
  BOOST_TEST(back.id == 4001u);
  BOOST_TEST(back.address == "10.0.0.4:6445");
  membership_command remove{membership_command::change::remove, 2, ""};
  auto gone =
      std::get<membership_command>(decode_forwarded_command(encode_forwarded_command(remove)));
  BOOST_TEST((gone.op == membership_command::change::remove));
  BOOST_TEST(gone.id == 2u);
  for (std::string bad :
       {std::string(R"({"members":{"op":"promote","id":2,"address":""}})"),
        std::string(R"({"members":{"op":"add","id":0,"address":"10.0.0.4:6445"}})"),
        std::string(R"({"members":{"op":"add","id":-3,"address":"10.0.0.4:6445"}})"),
        std::string(R"({"members":{"op":"add","id":"2","address":"10.0.0.4:6445"}})"),
        std::string(R"({"members":{"op":"add","id":2}})"),
        std::string(R"({"members":{"op":"add","id":2,"address":")") + std::string(300, 'a') +
            R"("}})"})
    BOOST_CHECK_THROW(decode_forwarded_command(bad), forwarding_error);
}

BOOST_AUTO_TEST_CASE(replies_keep_object_error_and_causes) {
  command_reply ok;
  ok.object = capstan::test::small_pod("web");
  ok.seq = 42;
  ok.deleted = true;
  auto back = decode_forwarded_reply(encode_forwarded_reply(ok));
  BOOST_TEST(back.ok());
  BOOST_TEST(back.seq == 42u);
  BOOST_TEST(back.deleted);
  BOOST_REQUIRE(back.object.has_value());
  BOOST_TEST(messages::encode_object(*back.object) == messages::encode_object(*ok.object));

  auto refused = command_reply::failure(
      error_code::invalid, "RC is invalid",
      {messages::invalid("spec.replicas", "-1", "must be greater than or equal to 0")});
  auto failed = decode_forwarded_reply(encode_forwarded_reply(refused));
  BOOST_REQUIRE(!failed.ok());
  BOOST_TEST((failed.error->code == error_code::invalid));
  BOOST_TEST(failed.error->message == "RC is invalid");
  BOOST_REQUIRE(failed.error->causes.size() == 1u);
  BOOST_TEST(failed.error->causes[0].to_string() == refused.error->causes[0].to_string());
  BOOST_TEST(!failed.object.has_value());
}

BOOST_AUTO_TEST_CASE(bytes_that_are_no_command_are_refused_with_a_reason) {
  for (std::string bad : {std::string(""), std::string("{"), std::string("[]"),
                          std::string("{\"command\":{}}"), std::string("{\"create\":{\"object\":\"!!\"}}"),
                          std::string("{\"create\":{\"object\":\"AAAA\",\"cause\":\"a\","
                                      "\"outcomeOnly\":false,\"dryRun\":false}}")}) {
    BOOST_CHECK_THROW(decode_forwarded_command(bad), forwarding_error);
  }
  auto c = encode_forwarded_command(command_on("web", bind_op{"n1"}));
  auto kind_out_of_range = c;
  kind_out_of_range.replace(kind_out_of_range.find("\"kind\":1"), 8, "\"kind\":99");
  BOOST_CHECK_THROW(decode_forwarded_command(kind_out_of_range), forwarding_error);
  BOOST_CHECK_THROW(decode_forwarded_reply("{\"seq\":1,\"deleted\":false,\"error\":{\"code\":77,"
                                           "\"message\":\"\",\"causes\":[]}}"),
                    forwarding_error);
  BOOST_CHECK_THROW(decode_forwarded_reply("not json"), forwarding_error);
  // Integers of the wrong type or out of range.
  auto scale = encode_forwarded_command(command_on("rc", scale_op{3, std::nullopt, ""}));
  for (const char* replicas : {"3.5", "1e300", "4294967296", "\"3\""}) {
    auto bad_replicas = scale;
    bad_replicas.replace(bad_replicas.find("\"replicas\":3"), 12,
                         std::string("\"replicas\":") + replicas);
    BOOST_CHECK_THROW(decode_forwarded_command(bad_replicas), forwarding_error);
  }
  BOOST_CHECK_THROW(decode_forwarded_reply("{\"seq\":-1,\"deleted\":false}"), forwarding_error);
  // A name that is not UTF-8 travels (replaced), never throws.
  auto odd = command_on("web", bind_op{"n1"});
  odd.cause = std::string("user\xff\xfe");
  BOOST_CHECK_NO_THROW(decode_forwarded_command(encode_forwarded_command(odd)));
}

BOOST_AUTO_TEST_CASE(a_command_that_waited_past_its_budget_is_refused_not_carried_out) {
  std::atomic<int> executed{0};
  forwarded_write_pool pool(
      [&](forwarded_command, std::chrono::milliseconds) {
        ++executed;
        return command_reply{};
      },
      nullptr, 1, 4, 500ms);  // under the 1 s a command needs: every one has waited too long
  std::promise<std::string> answered;
  pool.serve(2, encode_forwarded_command(command_on("abc", bind_op{"n1"})),
             [&](std::string text) { answered.set_value(std::move(text)); });
  auto future = answered.get_future();
  BOOST_REQUIRE(future.wait_for(10s) == std::future_status::ready);
  auto reply = decode_forwarded_reply(future.get());
  BOOST_REQUIRE(!reply.ok());
  BOOST_TEST((reply.error->code == error_code::unavailable));
  BOOST_TEST(executed.load() == 0);
}

BOOST_AUTO_TEST_CASE(the_pool_carries_out_commands_bounds_its_queue_and_answers_what_it_drops) {
  std::promise<void> release, first_started;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> executed{0};
  forwarded_write_pool pool(
      [&](forwarded_command c, std::chrono::milliseconds) {
        if (executed.fetch_add(1) == 0)
          first_started.set_value();
        released.wait();
        command_reply r;
        r.seq = std::get<object_command>(c).target.name.size();
        return r;
      },
      [] { return uint64_t{77}; }, 1, 2);
  std::mutex mutex;
  std::vector<command_reply> answers;
  std::vector<uint64_t> leader_seqs;
  auto answer = [&](std::string text) {
    std::lock_guard<std::mutex> lock(mutex);
    uint64_t seen = 0;
    answers.push_back(decode_forwarded_reply(text, &seen));
    leader_seqs.push_back(seen);
  };
  auto request = encode_forwarded_command(command_on("abc", bind_op{"n1"}));
  // The one worker holds the first; one command and one request that is no command wait; the
  // fourth finds the queue full.
  pool.serve(2, request, answer);
  BOOST_REQUIRE(first_started.get_future().wait_for(10s) == std::future_status::ready);
  pool.serve(2, request, answer);
  pool.serve(2, "garbage", answer);
  pool.serve(2, request, answer);
  {
    std::lock_guard<std::mutex> lock(mutex);
    BOOST_REQUIRE(answers.size() == 1u);
    BOOST_TEST((answers[0].error->code == error_code::unavailable));
  }
  release.set_value();
  // The worker carries out the waiting command and refuses the garbage (bad_request).
  BOOST_REQUIRE(within(10s, [&] {
    std::lock_guard<std::mutex> lock(mutex);
    return answers.size() == 4u;
  }));
  pool.close();
  {
    std::lock_guard<std::mutex> lock(mutex);
    int carried_out = 0, bad = 0;
    for (const auto& a : answers) {
      carried_out += a.ok() && a.seq == 3u;
      bad += !a.ok() && a.error->code == error_code::bad_request;
    }
    BOOST_TEST(carried_out == 2);
    for (uint64_t seen : leader_seqs)
      BOOST_TEST(seen == 77u);  // every answer says how far the leader was
    BOOST_TEST(executed.load() == 2);
    BOOST_TEST(bad == 1);
  }
  // After close, a request is answered at once.
  pool.serve(2, request, answer);
  std::lock_guard<std::mutex> lock(mutex);
  BOOST_TEST(answers.size() == 5u);
  BOOST_TEST((answers.back().error->code == error_code::unavailable));
}
