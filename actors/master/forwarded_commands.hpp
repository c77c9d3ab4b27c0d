// What a follower hands the leader when a client writes to it (issue #20: a client may talk to
// any member): the create, object or membership command, and the leader's reply. Bytes on the members'
// port (store/raft_peer_forward.hpp); objects travel in the journal's encoding
// (messages/capnp_codec.hpp), so nothing of them is lost on the way.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "actors/commands.hpp"

namespace capstan::actors {

// A change of the masters themselves (issue #20), carried out by the leader's replicated log:
// add a member (made a voter once it has caught up; asked again, only what is left is done)
// or remove one.
struct membership_command {
  enum class change { add, remove };
  change op = change::add;
  uint64_t id = 0;
  std::string address;  // add: where the member listens for the others (IP:PORT)
};

using forwarded_command = std::variant<create_command, object_command, membership_command>;

// Thrown by the decoders when bytes are no forwarded command or reply.
struct forwarding_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Every command a client can cause is encoded; endpoints_op (only the leader's endpoints
// controller issues it) throws forwarding_error.
std::string encode_forwarded_command(const forwarded_command& command);
forwarded_command decode_forwarded_command(std::string_view bytes);

// `leader_seq`: how far the leader's read model was when it answered. The follower waits for
// its own to get there before it answers, so that a client that got a conflict (or any
// answer) reads at least what the leader decided on.
std::string encode_forwarded_reply(const command_reply& reply, uint64_t leader_seq = 0);
command_reply decode_forwarded_reply(std::string_view bytes, uint64_t* leader_seq = nullptr);

}  // namespace capstan::actors
