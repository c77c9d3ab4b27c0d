// One `kubectl exec` on the node: an actor that owns the command (exec_process.hpp) and answers
// the master's exec_io messages for it — input, terminal resizes, polls for output (held until
// there is output, the command's end, or 5 s), and the end of the stream.
//
// It quits, killing the command if it still runs, when the master terminates the stream, when
// the command's end has been reported, or when no message came for 60 s (the master or its
// client is gone). Its I/O thread wakes it through wake_atom.
#pragma once

#include <memory>

#include <caf/actor_system.hpp>
#include <caf/typed_actor.hpp>

#include "messages/node_interfaces.hpp"
#include "nodeagent/exec_process.hpp"

namespace capstan::nodeagent {

using exec_wake_atom = caf::atom_constant<caf::atom("execwake")>;
using exec_tick_atom = caf::atom_constant<caf::atom("exectick")>;

using exec_session_actor =
    caf::typed_actor<caf::replies_to<messages::execio_atom, messages::exec_io>::with<
                         messages::exec_reply>,
                     // Output, the command's end or drained input (from the I/O thread).
                     caf::reacts_to<exec_wake_atom>,
                     // The session's clock, every second: answers polls that waited 5 s and
                     // ends a session idle for 60 s.
                     caf::reacts_to<exec_tick_atom>>;

// Starts the command of `options` (the caller reports a failure to start: std::runtime_error)
// and the actor that serves it as stream `stream`.
exec_session_actor spawn_exec_session(caf::actor_system& system, uint64_t stream,
                                      exec_process::options options);

}  // namespace capstan::nodeagent
