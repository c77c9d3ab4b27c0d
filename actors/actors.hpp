// Every actor of the master, its handle and the messages it takes: one place to read the
// system's wiring (VAST's actors.hpp habit). Payload types are local-only (never sent to
// another process) unless marked otherwise.
#pragma once

#include <memory>
#include <vector>

#include <caf/all.hpp>

#include "actors/commands.hpp"
#include "store/journal_writer.hpp"

namespace capstan::actors {

// A batch of committed journal records, shared by every subscriber that receives it.
using committed_batch = std::shared_ptr<const std::vector<messages::journal_record>>;

// ---- atoms ---------------------------------------------------------------------------------
using append_atom = caf::atom_constant<caf::atom("append")>;
using append_each_atom = caf::atom_constant<caf::atom("appendeach")>;
using appended_atom = caf::atom_constant<caf::atom("appended")>;
using committed_atom = caf::atom_constant<caf::atom("committed")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using heartbeat_atom = caf::atom_constant<caf::atom("heartbeat")>;
using register_atom = caf::atom_constant<caf::atom("register")>;
using resync_atom = caf::atom_constant<caf::atom("resync")>;
using allocate_atom = caf::atom_constant<caf::atom("allocate")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using preview_atom = caf::atom_constant<caf::atom("preview")>;
using settle_atom = caf::atom_constant<caf::atom("settle")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;

// ---- messages ------------------------------------------------------------------------------
// journal:      (append_atom, std::vector<journal_record>) -> store::append_result
//               (append_each_atom, std::vector<journal_record>) -> std::vector<append_result>:
//               each record an append of its own (accepted or refused alone), one answer
//               (subscribe_atom, uint64_t from, caf::actor): records from `from` on, first
//               those in the log, then live, reach the actor as (committed_atom, committed_batch)
// registries:   create_command -> command_reply; object_command -> command_reply
//               std::vector<create_command> -> std::vector<command_reply> (kinds without
//               allocation; outcome only, one per command)
//               command_batch -> std::vector<command_reply> (one per command, outcome only)
// object actor: object_command -> command_reply (one actor per object, commands in order)
// allocator:    (allocate_atom, object_key, service) -> service_allocation
//               (allocate_atom, node name) -> pod_cidr_allocation
//               (release_atom, object_kind, object_key) -> void
//               (settle_atom, any_object) -> void: the service as committed (or as it stayed,
//               when the update failed): frees the NodePorts it holds beyond it
//               (allocate_atom, preview_atom, any_object) -> command_reply: what allocate
//               would answer, reserving nothing (dry runs)
// node registry:(heartbeat_atom, node name) -> void (not journaled)

}  // namespace capstan::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(capstan::actors::committed_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<capstan::messages::journal_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(capstan::store::append_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<capstan::store::append_result>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(capstan::actors::command_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<capstan::actors::create_command>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<capstan::actors::command_reply>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(capstan::actors::create_command)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(capstan::actors::object_command)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(capstan::actors::command_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(capstan::actors::object_key)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(capstan::messages::service)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(capstan::messages::object_kind)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(capstan::messages::any_object)
