// Tests store/raft_tls_transport.cpp under store/raft_log and the journal_writer, the masters'
// form: three members on loopback, each with its own journal, talking over mutual TLS. A
// cluster started by one member grows by add_member, every member's journal holds the same
// records at the same sequence numbers, a new leader takes over when the leader stops (nothing
// acknowledged lost), and the port refuses whoever is not a member: another CA's certificate, no
// certificate, a member's certificate claiming another member's id.
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include "common/pki.hpp"
#include "store/journal_writer.hpp"
#include "store/raft_log.hpp"
#include "tests/store/loopback_ports.hpp"
#include "tests/store/raft_members.hpp"
#include "tests/store/records.hpp"

using namespace capstan::store;
using namespace capstan::test;
using capstan::common::certificate_authority;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;


BOOST_AUTO_TEST_CASE(three_members_over_tls_hold_one_journal_through_a_leader_change) {
  std::vector<std::unique_ptr<member>> members;
  members.push_back(std::make_unique<member>(1, true));
  member& first = *members[0];
  BOOST_REQUIRE(first.writer->wait_until_leading(10s));
  auto acknowledged = first.writer->append(pods("before-", 5));
  BOOST_REQUIRE_MESSAGE(acknowledged.ok(), acknowledged.error);

  for (uint64_t id : {2, 3}) {
    members.push_back(std::make_unique<member>(id, false));
    std::string error = add(first, *members.back());
    BOOST_REQUIRE_MESSAGE(error.empty(), "adding member " << id << ": " << error);
  }
  // membership() is refreshed every ~10 ms.
  auto three_voters = [&] {
    auto membership = first.raft->membership();
    std::size_t voters = 0;
    for (const auto& m : membership.members)
      voters += m.voter ? 1 : 0;
    return voters == 3 && membership.members.size() == 3 && membership.leader_id == 1;
  };
  BOOST_TEST(eventually(three_voters, 5s));

  uint64_t last = 0;
  for (int batch = 0; batch < 20; ++batch) {
    auto result = first.writer->append(pods("three-" + std::to_string(batch) + "-", 4));
    BOOST_REQUIRE_MESSAGE(result.ok(), result.error);
    last = result.last_seq;
  }
  BOOST_TEST(last == 85u);
  for (auto& m : members)
    BOOST_REQUIRE_MESSAGE(eventually([&] { return m->log->last_seq() == last; }, 10s),
                          "member " << m->id << " reached seq " << m->log->last_seq());
  auto expected = contents(*first.log);
  BOOST_REQUIRE(expected.size() == last);
  for (auto& m : members)
    BOOST_TEST((contents(*m->log) == expected), "member " << m->id << "'s journal differs");
  // Followers' own members() name the leader too.
  BOOST_TEST(eventually([&] { return members[2]->raft->membership().leader_id == 1u; }, 5s));

  // The leader stops: one of the two others leads, nothing acknowledged is lost, and the
  // journals go on in one sequence.
  first.stop();
  member* next = nullptr;
  BOOST_REQUIRE(eventually([&] { return (next = leader_among(members)) != nullptr; }, 15s));
  BOOST_TEST(next->id != 1u);
  auto after = next->writer->append(pods("after-", 3));
  BOOST_REQUIRE_MESSAGE(after.ok(), after.error);
  BOOST_TEST(after.first_seq == last + 1);
  for (auto& m : members) {
    if (!m->raft)
      continue;
    BOOST_REQUIRE(eventually([&] { return m->log->last_seq() == after.last_seq; }, 10s));
    auto now = contents(*m->log);
    for (const auto& [seq, record] : expected)
      BOOST_TEST(now[seq] == record);
  }
  BOOST_TEST((contents(*members[1]->log) == contents(*members[2]->log)));
}

BOOST_AUTO_TEST_CASE(a_member_that_is_not_leader_refuses_membership_changes) {
  std::vector<std::unique_ptr<member>> members;
  members.push_back(std::make_unique<member>(1, true));
  BOOST_REQUIRE(members[0]->writer->wait_until_leading(10s));
  members.push_back(std::make_unique<member>(2, false));
  BOOST_REQUIRE(add(*members[0], *members[1]).empty());
  member third(3, false);
  std::string error = change_membership([&](replicated_log::membership_done done) {
    members[1]->raft->add_member(third.id, third.address, std::move(done));
  });
  BOOST_TEST(error == "this master is not the leader");
  BOOST_TEST(eventually([&] { return members[0]->raft->membership().members.size() == 2u; }, 5s));
}

BOOST_AUTO_TEST_CASE(adding_a_member_again_does_what_is_left_and_refuses_a_clash) {
  std::vector<std::unique_ptr<member>> members;
  members.push_back(std::make_unique<member>(1, true));
  BOOST_REQUIRE(members[0]->writer->wait_until_leading(10s));
  members.push_back(std::make_unique<member>(2, false));
  BOOST_REQUIRE(add(*members[0], *members[1]).empty());
  // The same member at the same address again: done, nothing changes.
  BOOST_TEST(add(*members[0], *members[1]) == "");
  auto listed = members[0]->raft->membership();
  BOOST_TEST(listed.members.size() == 2u);
  // Its id at another address, or another id at its address: refused.
  std::string other_address = "127.0.0.1:" + std::to_string(unused_loopback_port());
  BOOST_TEST(change_membership([&](replicated_log::membership_done done) {
               members[0]->raft->add_member(2, other_address, std::move(done));
             }) == "a member with this id exists already, at another address");
  BOOST_TEST(change_membership([&](replicated_log::membership_done done) {
               members[0]->raft->add_member(7, members[1]->address, std::move(done));
             }) == "another member has this address already");
  // Removing an unknown member is refused; removing a known one takes it out.
  BOOST_TEST(change_membership([&](replicated_log::membership_done done) {
               members[0]->raft->remove_member(9, std::move(done));
             }) == "no member has this id");
  BOOST_TEST(change_membership([&](replicated_log::membership_done done) {
               members[0]->raft->remove_member(2, std::move(done));
             }) == "");
  BOOST_TEST(eventually([&] { return members[0]->raft->membership().members.size() == 1u; }, 5s));
  // The last voter stays: without one the cluster could never commit again.
  BOOST_TEST(change_membership([&](replicated_log::membership_done done) {
               members[0]->raft->remove_member(1, std::move(done));
             }) == "it is the last voter: a cluster keeps at least one");
  // A change after all these refusals still goes through (none left C-Raft's pending change
  // set): the member comes back.
  members[1]->stop();
  members[1] = std::make_unique<member>(5, false);
  BOOST_TEST(add(*members[0], *members[1]) == "");
  BOOST_TEST(eventually([&] { return members[0]->raft->membership().members.size() == 2u; }, 5s));
}

namespace {

// What became of one TLS connection attempt to a member's port.
enum class outcome { connect_failed, handshake_refused, closed_after_preamble, still_open };

// Refused either way: with TLS 1.3 a client's handshake completes before the server has checked
// the client's certificate, whose refusal then arrives as the connection's end.
bool refused(outcome o) {
  return o == outcome::handshake_refused || o == outcome::closed_after_preamble;
}

tcp::endpoint endpoint_of(const std::string& address) {
  auto colon = address.rfind(':');
  return tcp::endpoint(net::ip::make_address(address.substr(0, colon)),
                       static_cast<unsigned short>(std::stoi(address.substr(colon + 1))));
}

// Connects from the loopback address `from` (127.0.0.0/8 is all this machine's).
void connect_from(tcp::socket& socket, const std::string& from, const std::string& to,
                  boost::system::error_code& ec) {
  socket.open(tcp::v4(), ec);
  if (!ec)
    socket.bind(tcp::endpoint(net::ip::make_address(from), 0), ec);
  if (!ec)
    socket.connect(endpoint_of(to), ec);
}

outcome try_peer(const std::string& address, ssl::context& context, uint64_t claimed_id,
                 const std::string& from = "127.0.0.1") {
  net::io_context io;
  ssl::stream<tcp::socket> stream(io, context);
  boost::system::error_code ec;
  connect_from(stream.next_layer(), from, address, ec);
  if (ec)
    return outcome::connect_failed;
  stream.handshake(ssl::stream_base::client, ec);
  if (ec)
    return outcome::handshake_refused;
  std::string preamble = "CRT1";
  for (int i = 0; i < 8; ++i)
    preamble.push_back(static_cast<char>((claimed_id >> (8 * i)) & 0xff));
  std::string own = "127.0.0.1:1";
  preamble.push_back(static_cast<char>(own.size()));
  preamble.push_back(0);
  preamble += own;
  net::write(stream, net::buffer(preamble), ec);
  if (ec)
    return outcome::closed_after_preamble;
  // A refused peer is closed at once; an accepted one is left open, so a read that has
  // neither data nor an end within 2 s means "accepted" (C-Raft sends nothing first).
  char byte;
  bool ended = false;
  stream.async_read_some(net::buffer(&byte, 1),
                         [&](boost::system::error_code, std::size_t) { ended = true; });
  io.run_for(2s);
  return ended ? outcome::closed_after_preamble : outcome::still_open;
}

ssl::context client_context(const std::pair<std::string, std::string>& certificate) {
  ssl::context context(ssl::context::tls_client);
  context.add_certificate_authority(net::buffer(cluster_ca().certificate_pem()));
  context.set_verify_mode(ssl::verify_peer);
  if (!certificate.first.empty()) {
    context.use_certificate_chain(net::buffer(certificate.first));
    context.use_private_key(net::buffer(certificate.second), ssl::context::pem);
  }
  return context;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_member_port_refuses_whoever_is_not_the_member_it_claims_to_be) {
  member target(1, true);
  BOOST_REQUIRE(target.writer->wait_until_leading(10s));

  // The probe works: member 2's own certificate, claiming id 2, is accepted and left open.
  auto member_two = cluster_ca().issue_peer_certificate(raft_member_common_name(2),
                                                        raft_member_organization,
                                                        {"127.0.0.1"}, 1);
  auto as_member_two = client_context(member_two);
  BOOST_TEST((try_peer(target.address, as_member_two, 2) == outcome::still_open));

  // The same certificate claiming to be member 3: closed once the preamble is read.
  BOOST_TEST(refused(try_peer(target.address, as_member_two, 3)));

  // No client certificate at all: the handshake fails.
  auto anonymous = client_context({});
  BOOST_TEST(refused(try_peer(target.address, anonymous, 2)));

  // A member-shaped certificate from another CA: the handshake fails.
  auto stranger_ca = certificate_authority::create("not-the-cluster", 1);
  auto impostor = client_context(stranger_ca.issue_peer_certificate(
      raft_member_common_name(2), raft_member_organization, {"127.0.0.1"}, 1));
  BOOST_TEST(refused(try_peer(target.address, impostor, 2)));

  // A client certificate of the cluster's CA that names no member (an API user's).
  auto user_key = capstan::common::new_private_key_pem();
  auto user_certificate = cluster_ca().issue_client_certificate(
      capstan::common::make_csr(user_key, "admin", "system:masters"), "admin", "system:masters",
      1);
  auto as_user = client_context({user_certificate, user_key});
  BOOST_TEST(refused(try_peer(target.address, as_user, 2)));

  // Bytes that are no TLS at all: the connection is dropped, and the member goes on leading.
  {
    net::io_context io;
    tcp::socket raw(io);
    boost::system::error_code ec;
    connect_from(raw, "127.0.0.1", target.address, ec);
    BOOST_REQUIRE_MESSAGE(!ec, "cannot connect: " << ec.message());
    net::write(raw, net::buffer(std::string(4096, 'x')), ec);  // may meet the reset already
    // At most an alert, then the end.
    std::size_t answered = 0;
    ec.clear();
    char buffer[256];
    while (!ec && answered < sizeof buffer)
      answered += raw.read_some(net::buffer(buffer), ec);
    BOOST_TEST(ec.failed());
    BOOST_TEST(answered < 64u);
  }
  auto result = target.writer->append(pods("still-", 2));
  BOOST_TEST(result.ok());
}

BOOST_AUTO_TEST_CASE(strangers_holding_connections_open_cannot_keep_members_out) {
  member target(1, true, {}, 1500ms);
  BOOST_REQUIRE(target.writer->wait_until_leading(10s));
  auto member_two = client_context(cluster_ca().issue_peer_certificate(
      raft_member_common_name(2), raft_member_organization, {"127.0.0.1"}, 1));

  // Four connections from 127.0.0.9 that never say a word: the most one address may hold.
  net::io_context io;
  std::vector<std::unique_ptr<tcp::socket>> silent;
  for (int i = 0; i < 4; ++i) {
    silent.push_back(std::make_unique<tcp::socket>(io));
    boost::system::error_code ec;
    connect_from(*silent.back(), "127.0.0.9", target.address, ec);
    BOOST_REQUIRE_MESSAGE(!ec, "cannot connect: " << ec.message());
  }
  // A fifth from there is closed unread (the probe from elsewhere shows the port still works).
  BOOST_TEST(refused(try_peer(target.address, member_two, 2, "127.0.0.9")));
  BOOST_TEST((try_peer(target.address, member_two, 2, "127.0.0.2") == outcome::still_open));

  // The silent ones are closed once the handshake's time is up; then 127.0.0.9 is served again.
  auto started = std::chrono::steady_clock::now();
  for (auto& socket : silent) {
    char byte;
    boost::system::error_code ec;
    socket->read_some(net::buffer(&byte, 1), ec);
    BOOST_TEST(ec == net::error::eof);
  }
  auto waited = std::chrono::steady_clock::now() - started;
  BOOST_TEST((waited < 10s));
  BOOST_TEST((try_peer(target.address, member_two, 2, "127.0.0.9") == outcome::still_open));
}
