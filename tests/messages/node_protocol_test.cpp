// Tests messages/node_protocol.cpp: every node protocol message round trips through Cap'n
// Proto with every field set; damaged bytes and unknown refusal reasons raise decode_error.
#include <boost/test/unit_test.hpp>

#include "messages/capnp_codec.hpp"
#include "messages/node_protocol.hpp"
#include "tests/messages/fill_fields.hpp"

using namespace capstan::messages;
using capstan::test::filled;

namespace {

// Encoding what was decoded gives the same bytes: no field was lost or invented on the way
// (every field is set to a distinct non-zero value, so a dropped one changes the bytes).
template <class T>
void round_trips() {
  T original = filled<T>();
  auto bytes = encode_node_message(original);
  BOOST_TEST(bytes.size() > 16u);
  auto decoded = decode_node_message<T>(bytes);
  BOOST_TEST(encode_node_message(decoded) == bytes);
  // And nothing is invented for an empty message.
  auto empty = encode_node_message(T{});
  BOOST_TEST(encode_node_message(decode_node_message<T>(empty)) == empty);
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_message_round_trips_with_every_field) {
  round_trips<join_request>();
  round_trips<join_challenge>();
  round_trips<join_proofs>();
  round_trips<join_results>();
  round_trips<node_heartbeats>();
  round_trips<pod_status_reports>();
  round_trips<pod_assignments>();
  round_trips<proxy_update>();
  round_trips<node_routes>();
  round_trips<log_request>();
  round_trips<log_chunk>();
  round_trips<exec_request>();
  round_trips<exec_io>();
  round_trips<exec_reply>();
}

BOOST_AUTO_TEST_CASE(values_survive_as_themselves) {
  pod_assignments a;
  node_pods np;
  np.node_name = "node1";
  np.full = true;
  pod p;
  p.metadata.name = "web";
  p.metadata.namespace_ = "default";
  p.spec.containers.push_back({});
  p.spec.containers[0].name = "c";
  p.spec.containers[0].image = "nginx";
  np.pods.push_back(p);
  np.gone.push_back({"default", "old", "uid-1"});
  a.nodes.push_back(np);
  auto back = decode_node_message<pod_assignments>(encode_node_message(a));
  BOOST_REQUIRE(back.nodes.size() == 1u);
  BOOST_TEST(back.nodes[0].node_name == "node1");
  BOOST_TEST(back.nodes[0].full);
  BOOST_TEST(back.nodes[0].pods.at(0).spec.containers.at(0).image == "nginx");
  BOOST_TEST(back.nodes[0].gone.at(0).uid == "uid-1");

  log_chunk chunk;
  chunk.bytes = std::string("a\0b\xff", 4);  // Data, not text: any bytes
  chunk.next_offset = 4;
  chunk.refused = {refusal_reason::identity_taken, "taken"};
  auto c = decode_node_message<log_chunk>(encode_node_message(chunk));
  BOOST_TEST(c.bytes == chunk.bytes);
  BOOST_TEST(c.next_offset == 4u);
  BOOST_TEST(static_cast<int>(c.refused.reason) == static_cast<int>(refusal_reason::identity_taken));
  BOOST_TEST(refusal_is_final(c.refused.reason));
  BOOST_TEST(!refusal_is_final(refusal_reason::master_error));
}

BOOST_AUTO_TEST_CASE(damaged_bytes_raise_decode_error) {
  auto bytes = encode_node_message(filled<join_proofs>());
  BOOST_CHECK_THROW(decode_node_message<join_proofs>(bytes.substr(0, bytes.size() - 8)),
                    decode_error);
  BOOST_CHECK_THROW(decode_node_message<join_proofs>(bytes.substr(0, 5)), decode_error);
  BOOST_CHECK_THROW(decode_node_message<join_proofs>(std::string(64, '\xff')), decode_error);
  BOOST_CHECK_THROW(decode_node_message<join_proofs>(""), decode_error);
}

// The shape fuzz/journal_record_fuzz found in a journal record, as a node could send it: 32
// bytes of JoinProofs whose `nodes` is a list of 50 million empty structs. Within the old
// traversal limit (64 Mi words), the decoder asked for 50 million node_proofs.
BOOST_AUTO_TEST_CASE(a_list_of_millions_of_empty_structs_is_refused) {
  const unsigned char words[] = {
      0, 0, 0, 0, 3, 0, 0, 0,              // one segment of 3 words
      0, 0, 0, 0, 0, 0, 1, 0,              // root: a struct of 0 data words and 1 pointer
      1, 0, 0, 0, 7, 0, 0, 0,              // nodes: a list of structs, 0 words of content
      0, 0xc2, 0xeb, 0x0b, 0, 0, 0, 0,     // its tag: 50,000,000 elements of 0 words each
  };
  const std::string bytes(reinterpret_cast<const char*>(words), sizeof words);
  BOOST_CHECK_THROW(decode_node_message<join_proofs>(bytes), decode_error);
  // The same list with no elements reads.
  std::string empty = bytes;
  empty[25] = empty[26] = empty[27] = 0;
  BOOST_TEST(decode_node_message<join_proofs>(empty).nodes.empty());
}

BOOST_AUTO_TEST_CASE(an_unknown_refusal_reason_is_refused) {
  log_chunk chunk;
  chunk.refused.reason = static_cast<refusal_reason>(999);
  BOOST_CHECK_THROW(decode_node_message<log_chunk>(encode_node_message(chunk)), decode_error);
}
