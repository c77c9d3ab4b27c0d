// Tests forwarding over the members' port (store/raft_peer_forward.cpp, the transport's side in
// store/raft_tls_transport.cpp): a member's request reaches serve_forward with the member's id
// and its answer comes back; the port refuses a member claiming another id and another CA's
// certificate; the asker refuses a listener that is not the member it meant; an answer that
// never comes closes the connection after forward_timeout (the late answer is dropped); beyond
// max_forwards waiting, and on a port without serve_forward, a request is refused unread with
// an empty answer (the asker knows nothing was done).
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <future>

#include "store/raft_peer_forward.hpp"
#include "store/raft_peer_wire.hpp"
#include "tests/store/raft_members.hpp"

using namespace capstan::store;
using namespace capstan::test;
using namespace std::chrono_literals;
using outcome = peer_forward_result::outcome;

namespace {

// A member whose port answers "echo:" and the request, and counts what it was handed.
struct echoing_member {
  std::atomic<int> served{0};
  std::atomic<uint64_t> last_asker{0};
  std::unique_ptr<member> m;
  explicit echoing_member(member_settings settings = {}) {
    settings.serve_forward = [this](uint64_t asker, std::string request,
                                    raft_tls_config::forward_answer answer) {
      ++served;
      last_asker = asker;
      answer("echo:" + request);
    };
    m = std::make_unique<member>(1, true, std::move(settings));
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_member_request_is_served_and_answered_and_strangers_are_refused) {
  echoing_member first;
  member asking(2, false);  // a member's certificate, not added: the port checks certificates
  auto result = forward_to_member(tls_of(asking), {2, 1, first.m->address, "hello"}, 5s);
  BOOST_TEST((result.result == outcome::answered));
  BOOST_TEST(result.text == "echo:hello");
  BOOST_TEST(first.served.load() == 1);
  BOOST_TEST(first.last_asker.load() == 2u);
  // Requests of up to max_forward_bytes, in one piece.
  std::string large(4u << 20, 'x');
  auto big = forward_to_member(tls_of(asking), {2, 1, first.m->address, large}, 10s);
  BOOST_TEST((big.result == outcome::answered));
  BOOST_TEST(big.text == "echo:" + large);
  auto over = forward_to_member(tls_of(asking), {2, 1, first.m->address,
                                                 std::string(max_forward_bytes + 1, 'x')}, 5s);
  BOOST_TEST((over.result == outcome::not_sent));

  // A member claiming another member's id (its certificate says 2): closed unanswered, never
  // handed on.
  auto impostor = forward_to_member(tls_of(asking), {3, 1, first.m->address, "hello"}, 5s);
  BOOST_TEST((impostor.result == outcome::unanswered), impostor.text);
  // The asker checks who answers: member 1's certificate is not member 5's.
  auto wrong_peer = forward_to_member(tls_of(asking), {2, 5, first.m->address, "hello"}, 5s);
  BOOST_TEST((wrong_peer.result == outcome::not_sent));
  BOOST_TEST(wrong_peer.text.find("not that member's") != std::string::npos, wrong_peer.text);
  // Another CA's certificate: no TLS at all.
  raft_tls_config stranger = stranger_tls(asking, 2);
  auto refused = forward_to_member(stranger, {2, 1, first.m->address, "hello"}, 5s);
  BOOST_TEST((refused.result != outcome::answered));
  BOOST_TEST(first.served.load() == 2);  // only the two members' requests reached it
  // Nobody listening: not sent (a retry elsewhere is safe).
  auto nobody = forward_to_member(tls_of(asking), {2, 1, "127.0.0.1:" +
                                  std::to_string(unused_loopback_port()), "hello"}, 5s);
  BOOST_TEST((nobody.result == outcome::not_sent));
}

BOOST_AUTO_TEST_CASE(an_answer_that_never_comes_ends_the_connection_and_waiting_is_bounded) {
  std::mutex mutex;
  std::vector<raft_tls_config::forward_answer> held;
  member_settings settings;
  settings.forward_timeout = 300ms;
  settings.max_forwards = 1;
  settings.serve_forward = [&](uint64_t, std::string, raft_tls_config::forward_answer answer) {
    std::lock_guard<std::mutex> lock(mutex);
    held.push_back(std::move(answer));  // never answered in time
  };
  member first(1, true, settings);
  member asking(2, false);
  auto waiting = std::async(std::launch::async, [&] {
    return forward_to_member(tls_of(asking), {2, 1, first.address, "slow"}, 10s);
  });
  BOOST_REQUIRE(eventually([&] {
    std::lock_guard<std::mutex> lock(mutex);
    return held.size() == 1;
  }, 5s));
  // One waits already: a second is refused unread (nothing done), and never handed on.
  auto second = forward_to_member(tls_of(asking), {2, 1, first.address, "more"}, 5s);
  BOOST_TEST((second.result == outcome::not_sent), second.text);
  BOOST_TEST(second.text.find("refused") != std::string::npos, second.text);
  {
    std::lock_guard<std::mutex> lock(mutex);
    BOOST_TEST(held.size() == 1u);
  }
  auto start = std::chrono::steady_clock::now();
  auto first_result = waiting.get();
  BOOST_TEST((first_result.result == outcome::unanswered));
  BOOST_TEST((std::chrono::steady_clock::now() - start < 5s));  // the member's 300 ms, not 10 s
  // The late answer is dropped; one after the member stopped too.
  held[0]("too late");
  first.stop();
  held[0]("much too late");
  // The slot was freed when the first timed out: with the member back, a request is handed on.
  first.start();
  auto after = std::async(std::launch::async, [&] {
    return forward_to_member(tls_of(asking), {2, 1, first.address, "again"}, 10s);
  });
  BOOST_REQUIRE(eventually([&] {
    std::lock_guard<std::mutex> lock(mutex);
    return held.size() == 2;
  }, 5s));
  held[1]("now");
  auto answered = after.get();
  BOOST_TEST((answered.result == outcome::answered));
  BOOST_TEST(answered.text == "now");
}

BOOST_AUTO_TEST_CASE(a_port_without_serve_forward_refuses_forwards) {
  member first(1, true);
  member asking(2, false);
  auto result = forward_to_member(tls_of(asking), {2, 1, first.address, "hello"}, 5s);
  // The port took the connection and the handshake, then refused the request unread.
  BOOST_TEST((result.result == outcome::not_sent), result.text);
  BOOST_TEST(result.text.find("refused") != std::string::npos, result.text);
}
