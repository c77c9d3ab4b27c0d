// Fuzz target: the node protocol's decoder (messages/node_protocol.hpp), which reads every
// message a node agent sends the master's gateway, and every message the master sends an agent.
//
// Input: one byte choosing the message type, then the bytes of one flat Cap'n Proto message.
// Drives decode_node_message<T> for the 11 message types. Asserts, besides no crash and no
// sanitizer report (memory included: libFuzzer's -rss_limit_mb and -malloc_limit_mb bound what
// a small message may make the decoder allocate):
//   - bytes that are not a valid message raise decode_error and nothing else;
//   - a decoded message encodes to bytes that decode to the same message (encoding those again
//     gives the same bytes): nothing read is lost or changed on the way through.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.hpp"
#include "messages/capnp_codec.hpp"
#include "messages/node_protocol.hpp"

using namespace capstan::messages;

namespace {

template <class T>
void check(std::string_view bytes) {
  T message;
  try {
    message = decode_node_message<T>(bytes);
  } catch (const decode_error&) {
    return;
  }
  const std::string encoded = encode_node_message(message);
  T again;
  try {
    again = decode_node_message<T>(encoded);
  } catch (const decode_error& e) {
    FUZZ_CHECK(false, std::string("a decoded message re-encodes to bytes that do not decode: ") +
                          e.what());
  }
  FUZZ_CHECK(encode_node_message(again) == encoded,
             "a decoded message changes when encoded and decoded again");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 11) {
    case 0: check<join_request>(bytes); break;
    case 1: check<join_challenge>(bytes); break;
    case 2: check<join_proofs>(bytes); break;
    case 3: check<join_results>(bytes); break;
    case 4: check<node_heartbeats>(bytes); break;
    case 5: check<pod_status_reports>(bytes); break;
    case 6: check<pod_assignments>(bytes); break;
    case 7: check<proxy_update>(bytes); break;
    case 8: check<node_routes>(bytes); break;
    case 9: check<log_request>(bytes); break;
    case 10: check<log_chunk>(bytes); break;
  }
  return 0;
}
