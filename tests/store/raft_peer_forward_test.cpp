// Tests forwarding over the members' port (store/raft_peer_forward.cpp, the port's side in
// store/raft_tls_peer_requests.cpp): a member's requests reach serve_forward with the member's
// id and each answer comes back to its own request, many at once on one channel and in any
// order; the port refuses a member claiming another id and another CA's certificate; the asker
// refuses a listener that is not the member it meant; an answer that never comes closes the
// channel after forward_timeout (the late answer is dropped) and a caller stops waiting after
// its own timeout; beyond max_forwards waiting, and on a port without serve_forward, a request
// is refused with an empty answer (the asker knows nothing was done); a frame no member sends
// closes the channel; closing the channel answers what waits.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <future>

#include "store/detail/timed_connection.hpp"
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
  explicit echoing_member(uint64_t id = 1, member_settings settings = {}) {
    settings.serve_forward = [this](uint64_t asker, std::string request,
                                    raft_tls_config::forward_answer answer) {
      ++served;
      last_asker = asker;
      answer("echo:" + request);
    };
    m = std::make_unique<member>(id, true, std::move(settings));
  }
};

// A member whose port holds every request's answer until the test gives it.
struct holding_member {
  std::mutex mutex;
  std::vector<std::pair<std::string, raft_tls_config::forward_answer>> held;  // guarded
  std::unique_ptr<member> m;
  explicit holding_member(member_settings settings = {}) {
    settings.serve_forward = [this](uint64_t, std::string request,
                                    raft_tls_config::forward_answer answer) {
      std::lock_guard<std::mutex> lock(mutex);
      held.emplace_back(std::move(request), std::move(answer));
    };
    m = std::make_unique<member>(1, true, std::move(settings));
  }
  std::size_t count() {
    std::lock_guard<std::mutex> lock(mutex);
    return held.size();
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_member_request_is_served_and_answered_and_strangers_are_refused) {
  echoing_member first;
  member asking(2, false);  // a member's certificate, not added: the port checks certificates
  peer_forward_channel channel(tls_of(asking), 2);
  auto result = channel.forward({1, first.m->address, "hello"}, 5s);
  BOOST_TEST((result.result == outcome::answered), result.text);
  BOOST_TEST(result.text == "echo:hello");
  BOOST_TEST(first.served.load() == 1);
  BOOST_TEST(first.last_asker.load() == 2u);
  // Requests of up to max_forward_bytes, in one piece, on the same channel.
  std::string large(4u << 20, 'x');
  auto big = channel.forward({1, first.m->address, large}, 10s);
  BOOST_TEST((big.result == outcome::answered));
  BOOST_TEST(big.text == "echo:" + large);
  auto over = channel.forward({1, first.m->address, std::string(max_forward_bytes + 1, 'x')}, 5s);
  BOOST_TEST((over.result == outcome::not_sent));
  auto empty = channel.forward({1, first.m->address, ""}, 5s);
  BOOST_TEST((empty.result == outcome::not_sent));

  // A member claiming another member's id (its certificate says 2): the channel is closed and
  // the request never handed on.
  peer_forward_channel impostor(tls_of(asking), 3);
  auto claimed = impostor.forward({1, first.m->address, "hello"}, 5s);
  BOOST_TEST((claimed.result != outcome::answered), claimed.text);
  // The asker checks who answers: member 1's certificate is not member 5's.
  auto wrong_peer = channel.forward({5, first.m->address, "hello"}, 5s);
  BOOST_TEST((wrong_peer.result == outcome::not_sent));
  BOOST_TEST(wrong_peer.text.find("not that member's") != std::string::npos, wrong_peer.text);
  // Another CA's certificate: no TLS at all.
  peer_forward_channel stranger(stranger_tls(asking, 2), 2);
  auto refused = stranger.forward({1, first.m->address, "hello"}, 5s);
  BOOST_TEST((refused.result != outcome::answered));
  BOOST_TEST(first.served.load() == 2);  // only the member's two requests reached it
  // Nobody listening: not sent (a retry elsewhere is safe).
  auto nobody = channel.forward(
      {1, "127.0.0.1:" + std::to_string(unused_loopback_port()), "hello"}, 5s);
  BOOST_TEST((nobody.result == outcome::not_sent));
  // And back to the member: a new channel.
  auto again = channel.forward({1, first.m->address, "again"}, 5s);
  BOOST_TEST(again.text == "echo:again");
}

BOOST_AUTO_TEST_CASE(many_requests_share_one_channel_and_each_answer_finds_its_request) {
  constexpr int requests = 48;
  member_settings settings;
  settings.max_forwards = requests;  // all of them handed on (beyond: refused, as tested below)
  holding_member first(settings);
  member asking(2, false);
  peer_forward_channel channel(tls_of(asking), 2);
  std::vector<std::future<peer_forward_result>> results;
  for (int i = 0; i < requests; ++i)
    results.push_back(std::async(std::launch::async, [&, i] {
      return channel.forward({1, first.m->address, "request " + std::to_string(i)}, 20s);
    }));
  BOOST_REQUIRE(eventually([&] { return first.count() == requests; }, 10s));
  {
    // Answered in the reverse order they arrived, each with its own request's text.
    std::lock_guard<std::mutex> lock(first.mutex);
    for (auto it = first.held.rbegin(); it != first.held.rend(); ++it)
      it->second("answer to " + it->first);
  }
  for (int i = 0; i < requests; ++i) {
    auto r = results[static_cast<std::size_t>(i)].get();
    BOOST_TEST((r.result == outcome::answered), r.text);
    BOOST_TEST(r.text == "answer to request " + std::to_string(i));
  }
}

BOOST_AUTO_TEST_CASE(an_answer_that_never_comes_ends_the_channel_and_waiting_is_bounded) {
  member_settings settings;
  settings.forward_timeout = 300ms;
  settings.max_forwards = 1;
  holding_member first(settings);
  member asking(2, false);
  peer_forward_channel channel(tls_of(asking), 2);
  auto waiting = std::async(std::launch::async, [&] {
    return channel.forward({1, first.m->address, "slow"}, 10s);
  });
  BOOST_REQUIRE(eventually([&] { return first.count() == 1; }, 5s));
  // One waits already: a second is refused (nothing done), and never handed on.
  auto second = channel.forward({1, first.m->address, "more"}, 5s);
  BOOST_TEST((second.result == outcome::not_sent), second.text);
  BOOST_TEST(second.text.find("refused") != std::string::npos, second.text);
  BOOST_TEST(first.count() == 1u);
  auto start = std::chrono::steady_clock::now();
  auto first_result = waiting.get();
  BOOST_TEST((first_result.result == outcome::unanswered), first_result.text);
  BOOST_TEST((std::chrono::steady_clock::now() - start < 5s));  // the member's 300 ms, not 10 s
  // The late answer is dropped; one after the member stopped too.
  first.held[0].second("too late");
  first.m->stop();
  first.held[0].second("much too late");
  // The slot was freed when the channel closed: with the member back, a request is handed on.
  first.m->start();
  auto after = std::async(std::launch::async, [&] {
    return channel.forward({1, first.m->address, "again"}, 10s);
  });
  BOOST_REQUIRE(eventually([&] { return first.count() == 2; }, 5s));
  first.held[1].second("now");
  auto answered = after.get();
  BOOST_TEST((answered.result == outcome::answered), answered.text);
  BOOST_TEST(answered.text == "now");
}

BOOST_AUTO_TEST_CASE(a_caller_stops_waiting_after_its_timeout_and_the_channel_goes_on) {
  holding_member first;
  member asking(2, false);
  peer_forward_channel channel(tls_of(asking), 2);
  auto start = std::chrono::steady_clock::now();
  auto gave_up = channel.forward({1, first.m->address, "slow"}, 300ms);
  BOOST_TEST((gave_up.result == outcome::unanswered), gave_up.text);  // it was sent
  BOOST_TEST(gave_up.text.find("did not answer within") != std::string::npos, gave_up.text);
  BOOST_TEST((std::chrono::steady_clock::now() - start < 3s));
  BOOST_REQUIRE(eventually([&] { return first.count() == 1; }, 5s));
  first.held[0].second("late");  // dropped: nobody waits for it
  auto next = std::async(std::launch::async, [&] {
    return channel.forward({1, first.m->address, "next"}, 10s);
  });
  BOOST_REQUIRE(eventually([&] { return first.count() == 2; }, 5s));
  first.held[1].second("on time");
  auto answered = next.get();
  BOOST_TEST((answered.result == outcome::answered), answered.text);
  BOOST_TEST(answered.text == "on time");
}

BOOST_AUTO_TEST_CASE(requests_follow_the_member_asked_and_closing_answers_what_waits) {
  echoing_member one(1);
  holding_member three;  // member 1's certificate too: asked as 1 at its own address
  member asking(2, false);
  peer_forward_channel channel(tls_of(asking), 2);
  BOOST_TEST(channel.forward({1, one.m->address, "a"}, 5s).text == "echo:a");
  auto waiting = std::async(std::launch::async, [&] {
    return channel.forward({1, three.m->address, "b"}, 10s);
  });
  BOOST_REQUIRE(eventually([&] { return three.count() == 1; }, 5s));
  BOOST_TEST(channel.forward({1, one.m->address, "c"}, 5s).text == "echo:c");
  auto start = std::chrono::steady_clock::now();
  channel.close();
  auto closed = waiting.get();
  BOOST_TEST((closed.result == outcome::unanswered), closed.text);  // sent: it may have been done
  BOOST_TEST((std::chrono::steady_clock::now() - start < 3s));
  auto after = channel.forward({1, one.m->address, "d"}, 5s);
  BOOST_TEST((after.result == outcome::not_sent), after.text);
  BOOST_TEST(one.served.load() == 2);
}

BOOST_AUTO_TEST_CASE(a_port_without_serve_forward_refuses_forwards) {
  member first(1, true);
  member asking(2, false);
  peer_forward_channel channel(tls_of(asking), 2);
  auto result = channel.forward({1, first.address, "hello"}, 5s);
  // The port took the connection and the handshake, then refused the request.
  BOOST_TEST((result.result == outcome::not_sent), result.text);
  BOOST_TEST(result.text.find("refused") != std::string::npos, result.text);
}

BOOST_AUTO_TEST_CASE(a_frame_no_member_sends_closes_the_channel_unserved) {
  echoing_member first;
  member asking(2, false);
  auto endpoint = parse_endpoint(first.m->address);
  BOOST_REQUIRE(endpoint.has_value());
  // Each probe: the preamble and a first well-formed request (answered: the probe works), then
  // the bad frame; the channel must close without serving it.
  auto probe = [&](const std::string& bad_frame) {
    detail::timed_connection c(tls_of(asking), 5s);
    BOOST_REQUIRE(c.open(*endpoint, 1, "member 1").empty());
    std::string wire = encode_forward_channel_preamble(2) + encode_forward_frame(7, "good");
    auto& s = c.stream();
    BOOST_REQUIRE(!c.run([&](auto h) { boost::asio::async_write(s, boost::asio::buffer(wire), h); }));
    std::array<unsigned char, forward_frame_header_bytes> header{};
    BOOST_REQUIRE(!c.run([&](auto h) { boost::asio::async_read(s, boost::asio::buffer(header), h); }));
    auto accepted = parse_forward_frame_header(header);  // the channel is taken: number 0
    BOOST_TEST(accepted.number == 0u);
    BOOST_TEST(accepted.length == 0u);
    BOOST_REQUIRE(!c.run([&](auto h) { boost::asio::async_read(s, boost::asio::buffer(header), h); }));
    auto answer = parse_forward_frame_header(header);
    BOOST_TEST(answer.number == 7u);
    std::string text(answer.length, '\0');
    BOOST_REQUIRE(!c.run([&](auto h) { boost::asio::async_read(s, boost::asio::buffer(text), h); }));
    BOOST_TEST(text == "echo:good");
    const int served = first.served.load();
    c.run([&](auto h) { boost::asio::async_write(s, boost::asio::buffer(bad_frame), h); });
    char more;
    auto ec = c.run([&](auto h) { boost::asio::async_read(s, boost::asio::buffer(&more, 1), h); });
    BOOST_TEST(ec.failed());  // closed, not timed out waiting
    BOOST_TEST((ec != boost::asio::error::timed_out), ec.message());
    BOOST_TEST(first.served.load() == served);
  };
  probe(encode_forward_frame(8, ""));  // an empty request
  probe(encode_forward_frame(0, "x"));  // number 0: the channel's acceptance, no request's
  std::string over = encode_forward_frame(9, "x").substr(0, 8) + std::string("\xff\xff\xff\x7f", 4);
  probe(over);  // a length over max_forward_bytes
}

BOOST_AUTO_TEST_CASE(a_member_that_never_reads_its_answers_is_not_read_from_and_is_closed) {
  member_settings settings;
  settings.forward_timeout = 500ms;
  settings.max_forwards = 64;
  echoing_member first(1, settings);
  member asking(2, false);
  auto endpoint = parse_endpoint(first.m->address);
  BOOST_REQUIRE(endpoint.has_value());
  detail::timed_connection c(tls_of(asking), 5s);
  BOOST_REQUIRE(c.open(*endpoint, 1, "member 1").empty());
  // 64 requests of 1 MiB, each answered with as much, and no answer ever read.
  constexpr int requests = 64;
  std::string wire = encode_forward_channel_preamble(2);
  for (int i = 1; i <= requests; ++i)
    wire += encode_forward_frame(static_cast<uint64_t>(i), std::string(1u << 20, 'x'));
  c.set_timeout(20s);
  auto& s = c.stream();
  auto ec = c.run([&](auto h) { boost::asio::async_write(s, boost::asio::buffer(wire), h); });
  // The member stopped reading once its answers piled up, then closed the channel: the write
  // never completed, and ended well before the 20 s bound.
  BOOST_TEST(ec.failed());
  BOOST_TEST((ec != boost::asio::error::timed_out), ec.message());
  BOOST_TEST(first.served.load() > 0);           // the probe reached the member
  BOOST_TEST(first.served.load() < requests / 2);  // but it stopped taking requests
}
