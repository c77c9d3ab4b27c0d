// Tests messages/node_interfaces.hpp: protocol messages cross CAF's serialization as Cap'n
// Proto (what a remote link does), and bytes that do not decode fail the message.
#include <boost/test/unit_test.hpp>

#include <caf/all.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include "messages/node_interfaces.hpp"
#include "tests/messages/fill_fields.hpp"

using namespace capstan::messages;
using capstan::test::filled;

namespace {

struct system_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  system_fixture() {
    add_node_protocol_types(cfg);
    system = std::make_unique<caf::actor_system>(cfg);
  }
};

template <class T>
void crosses_caf(caf::actor_system& system) {
  T original = filled<T>();
  std::vector<char> buffer;
  caf::binary_serializer sink{system, buffer};
  BOOST_REQUIRE(!sink(original));
  T back{};
  caf::binary_deserializer source{system, buffer};
  BOOST_REQUIRE(!source(back));
  BOOST_TEST(encode_node_message(back) == encode_node_message(original));
  // A whole message, as a remote send serializes it.
  auto msg = caf::make_message(pods_atom::value, original);
  std::vector<char> message_buffer;
  caf::binary_serializer message_sink{system, message_buffer};
  BOOST_REQUIRE(!message_sink(msg));
  caf::message received;
  caf::binary_deserializer message_source{system, message_buffer};
  BOOST_REQUIRE(!message_source(received));
  BOOST_REQUIRE((received.match_elements<pods_atom, T>()));
  BOOST_TEST(encode_node_message(received.get_as<T>(1)) == encode_node_message(original));
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(every_message_crosses_caf_serialization, system_fixture) {
  crosses_caf<join_request>(*system);
  crosses_caf<join_challenge>(*system);
  crosses_caf<join_proofs>(*system);
  crosses_caf<join_results>(*system);
  crosses_caf<node_heartbeats>(*system);
  crosses_caf<pod_status_reports>(*system);
  crosses_caf<pod_assignments>(*system);
  crosses_caf<proxy_update>(*system);
  crosses_caf<node_routes>(*system);
  crosses_caf<log_request>(*system);
  crosses_caf<log_chunk>(*system);
  crosses_caf<exec_request>(*system);
  crosses_caf<exec_io>(*system);
  crosses_caf<exec_reply>(*system);
}

BOOST_FIXTURE_TEST_CASE(bytes_that_do_not_decode_fail_the_message, system_fixture) {
  // A serialized string where a join_proofs' Cap'n Proto bytes belong.
  std::vector<char> buffer;
  caf::binary_serializer sink{*system, buffer};
  std::string garbage(40, '\x7f');
  BOOST_REQUIRE(!sink(garbage));
  join_proofs back;
  caf::binary_deserializer source{*system, buffer};
  BOOST_TEST(static_cast<bool>(source(back)));
  BOOST_TEST(back.nodes.empty());
}
