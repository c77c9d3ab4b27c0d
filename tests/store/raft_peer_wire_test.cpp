// Tests store/raft_peer_wire.cpp: member addresses and the preamble a connecting member sends.
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "store/raft_peer_wire.hpp"
#include "store/raft_tls_transport.hpp"

using namespace capstan::store;

BOOST_AUTO_TEST_CASE(addresses_are_ip_literals_with_a_port) {
  auto v4 = parse_endpoint("127.0.0.1:6444");
  BOOST_REQUIRE(v4.has_value());
  BOOST_TEST(v4->port() == 6444);
  BOOST_TEST(v4->address().to_string() == "127.0.0.1");
  auto v6 = parse_endpoint("[::1]:7");
  BOOST_REQUIRE(v6.has_value());
  BOOST_TEST(v6->address().is_v6());
  for (const char* bad : {"", "127.0.0.1", "127.0.0.1:", ":80", "master1:6444", "1.2.3.4:65536",
                          "1.2.3.4:12a", "1.2.3.4:123456", "[::1]", "1.2.3.4:-1"})
    BOOST_TEST(!is_raft_address(bad), bad);
}

BOOST_AUTO_TEST_CASE(a_preamble_reads_back_what_was_written) {
  std::string wire = encode_preamble(0x0102030405060708ull, "10.0.0.5:6444");
  BOOST_REQUIRE(wire.size() == preamble_header_bytes + 13);
  preamble_header_bytes_type header;
  std::copy_n(wire.begin(), preamble_header_bytes, header.begin());
  auto parsed = parse_preamble_header(header);
  BOOST_REQUIRE(parsed.has_value());
  BOOST_TEST(parsed->id == 0x0102030405060708ull);
  BOOST_TEST((parsed->kind == preamble_kind::raft));
  BOOST_TEST(parsed->body_length == 13u);
  BOOST_TEST(wire.substr(preamble_header_bytes) == "10.0.0.5:6444");
}

BOOST_AUTO_TEST_CASE(a_header_that_is_no_preamble_is_refused) {
  auto header_of = [](const std::string& wire) {
    preamble_header_bytes_type header{};
    std::copy_n(wire.begin(), std::min(wire.size(), preamble_header_bytes), header.begin());
    return parse_preamble_header(header);
  };
  BOOST_TEST(header_of(encode_preamble(1, "a")).has_value());  // the probe itself works
  std::string wrong_magic = encode_preamble(1, "a");
  wrong_magic[0] = 'X';
  BOOST_TEST(!header_of(wrong_magic).has_value());
  BOOST_TEST(!header_of(encode_preamble(0, "a")).has_value());    // id 0 is nobody
  BOOST_TEST(!header_of(encode_preamble(1, "")).has_value());     // no address
  BOOST_TEST(!header_of(encode_preamble(1, std::string(256, 'a'))).has_value());
  BOOST_TEST(header_of(encode_preamble(1, std::string(255, 'a'))).has_value());
  BOOST_TEST(is_printable_address("127.0.0.1:1"));
  BOOST_TEST(!is_printable_address(std::string("1.2.3.4:5\n", 10)));
  BOOST_TEST(!is_printable_address("1.2.3.4 :5"));
}

BOOST_AUTO_TEST_CASE(a_fetch_preamble_reads_back_its_positions) {
  std::string wire = encode_fetch_preamble(7, 0x1112131415161718ull, UINT64_MAX - 1);
  BOOST_REQUIRE(wire.size() == preamble_header_bytes + fetch_request_bytes);
  preamble_header_bytes_type header;
  std::copy_n(wire.begin(), preamble_header_bytes, header.begin());
  auto parsed = parse_preamble_header(header);
  BOOST_REQUIRE(parsed.has_value());
  BOOST_TEST((parsed->kind == preamble_kind::fetch));
  BOOST_TEST(parsed->id == 7u);
  BOOST_TEST(parsed->body_length == fetch_request_bytes);
  auto [from, to] = parse_fetch_request(wire.substr(preamble_header_bytes));
  BOOST_TEST(from == 0x1112131415161718ull);
  BOOST_TEST(to == UINT64_MAX - 1);
  // A fetch whose request is not exactly two positions long is no preamble.
  wire[12] = static_cast<char>(fetch_request_bytes + 1);
  std::copy_n(wire.begin(), preamble_header_bytes, header.begin());
  BOOST_TEST(!parse_preamble_header(header).has_value());
}

BOOST_AUTO_TEST_CASE(a_forward_channel_preamble_has_nothing_after_it_and_frames_read_back) {
  std::string wire = encode_forward_channel_preamble(9);
  BOOST_REQUIRE(wire.size() == preamble_header_bytes);
  preamble_header_bytes_type header;
  std::copy_n(wire.begin(), preamble_header_bytes, header.begin());
  auto parsed = parse_preamble_header(header);
  BOOST_REQUIRE(parsed.has_value());
  BOOST_TEST((parsed->kind == preamble_kind::forward));
  BOOST_TEST(parsed->id == 9u);
  // A channel preamble announcing bytes after it is none.
  header[12] = 1;
  BOOST_TEST(!parse_preamble_header(header).has_value());

  std::string frame = encode_forward_frame(0x0102030405060708ull, "request");
  BOOST_REQUIRE(frame.size() == forward_frame_header_bytes + 7);
  std::array<unsigned char, forward_frame_header_bytes> frame_header;
  std::copy_n(frame.begin(), forward_frame_header_bytes, frame_header.begin());
  auto read = parse_forward_frame_header(frame_header);
  BOOST_TEST(read.number == 0x0102030405060708ull);
  BOOST_TEST(read.length == 7u);
  BOOST_TEST(frame.substr(forward_frame_header_bytes) == "request");
  std::string large = encode_forward_frame(1, std::string(70000, 'x'));
  std::copy_n(large.begin(), forward_frame_header_bytes, frame_header.begin());
  BOOST_TEST(parse_forward_frame_header(frame_header).length == 70000u);
}
