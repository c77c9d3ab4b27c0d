#include "messages/node_protocol.hpp"

#include "messages/detail/capnp_layout.hpp"
#include "messages/schema/node.capnp.h"

namespace capstan::messages {

namespace {

using namespace capnp_layout;

// The schema struct each message is written as.
template <class T>
struct schema_of;
#define CAPSTAN_NODE_MESSAGE(cpp, capnp_struct)      \
  template <>                                        \
  struct schema_of<cpp> {                            \
    using type = schema::capnp_struct;               \
    static constexpr const char* name = #capnp_struct; \
  };
CAPSTAN_NODE_MESSAGE(join_request, JoinRequest)
CAPSTAN_NODE_MESSAGE(join_challenge, JoinChallenge)
CAPSTAN_NODE_MESSAGE(join_proofs, JoinProofs)
CAPSTAN_NODE_MESSAGE(join_results, JoinResults)
CAPSTAN_NODE_MESSAGE(node_heartbeats, NodeHeartbeats)
CAPSTAN_NODE_MESSAGE(pod_status_reports, PodStatusReports)
CAPSTAN_NODE_MESSAGE(pod_assignments, PodAssignments)
CAPSTAN_NODE_MESSAGE(proxy_update, ProxyUpdate)
CAPSTAN_NODE_MESSAGE(node_routes, NodeRoutes)
CAPSTAN_NODE_MESSAGE(log_request, LogRequest)
CAPSTAN_NODE_MESSAGE(log_chunk, LogChunk)
CAPSTAN_NODE_MESSAGE(exec_request, ExecRequest)
CAPSTAN_NODE_MESSAGE(exec_io, ExecIo)
CAPSTAN_NODE_MESSAGE(exec_reply, ExecReply)
#undef CAPSTAN_NODE_MESSAGE

// A refusal reason from another process must be one this build knows.
void check(const refusal& r) {
  if (static_cast<uint16_t>(r.reason) >= refusal_reason_count)
    throw decode_error("refusal reason " + std::to_string(static_cast<uint16_t>(r.reason)) +
                       " is unknown (sent by a newer capstan?)");
}
template <class T>
void check_refusals(const T& message) {
  if constexpr (std::is_same_v<T, join_results>) {
    for (const auto& r : message.nodes)
      check(r.refused);
  } else if constexpr (std::is_same_v<T, log_chunk> || std::is_same_v<T, exec_reply>) {
    check(message.refused);
  }
}

}  // namespace

template <class T>
std::string encode_node_message(const T& message) {
  using S = typename schema_of<T>::type;
  capnp::MallocMessageBuilder builder(1024);
  auto root = builder.initRoot<S>();
  write_struct(raw<S>(root), plan_for<T>(capnp::Schema::from<S>()), message);
  return to_bytes(builder);
}

template <class T>
T decode_node_message(std::string_view bytes) {
  using S = typename schema_of<T>::type;
  T message = with_reader(
      bytes, schema_of<T>::name,
      [](capnp::MessageReader& reader) {
        T value{};
        read_struct(raw<S>(reader.getRoot<S>()), plan_for<T>(capnp::Schema::from<S>()), value);
        return value;
      },
      node_message_traversal_words);
  check_refusals(message);
  return message;
}

#define CAPSTAN_INSTANTIATE(cpp)                                    \
  template std::string encode_node_message<cpp>(const cpp&);        \
  template cpp decode_node_message<cpp>(std::string_view);
CAPSTAN_INSTANTIATE(join_request)
CAPSTAN_INSTANTIATE(join_challenge)
CAPSTAN_INSTANTIATE(join_proofs)
CAPSTAN_INSTANTIATE(join_results)
CAPSTAN_INSTANTIATE(node_heartbeats)
CAPSTAN_INSTANTIATE(pod_status_reports)
CAPSTAN_INSTANTIATE(pod_assignments)
CAPSTAN_INSTANTIATE(proxy_update)
CAPSTAN_INSTANTIATE(node_routes)
CAPSTAN_INSTANTIATE(log_request)
CAPSTAN_INSTANTIATE(log_chunk)
CAPSTAN_INSTANTIATE(exec_request)
CAPSTAN_INSTANTIATE(exec_io)
CAPSTAN_INSTANTIATE(exec_reply)
#undef CAPSTAN_INSTANTIATE

}  // namespace capstan::messages
