// Every actor of the master, its typed interface and the messages it takes: one place to read
// the system's wiring (VAST's actors.hpp habit). A message an actor does not handle is a compile
// error: every handle is a caf::typed_actor, every behavior a typed behavior.
//
// Each actor has a public interface (what the spawn function returns and what other actors
// hold) and, for those that send themselves timers, an implementation interface extending it
// with those messages (`*_impl_actor`: only the actor's own file holds such a handle).
// Payload types are local-only (never sent to another process); the node protocol's remote
// interfaces are in messages/node_interfaces.hpp.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/commands.hpp"
#include "messages/node_interfaces.hpp"
#include "store/journal_writer.hpp"

namespace capstan::actors {

// ---- strong ids ----------------------------------------------------------------------------
// (object_key, the namespace and name of an object, is store::object_key: commands.hpp.)

// A position in the journal: the sequence number of a record (its resourceVersion).
struct sequence_number {
  uint64_t value = 0;
  friend bool operator==(sequence_number a, sequence_number b) { return a.value == b.value; }
};

// The name of a node (a Node object's metadata.name).
struct node_name {
  std::string value;
  friend bool operator==(const node_name& a, const node_name& b) { return a.value == b.value; }
  friend bool operator<(const node_name& a, const node_name& b) { return a.value < b.value; }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sequence_number& x) {
  return f(caf::meta::type_name("capstan::sequence_number"), x.value);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_name& x) {
  return f(caf::meta::type_name("capstan::node_name"), x.value);
}

// A batch of committed journal records, shared by every subscriber that receives it.
using committed_batch = std::shared_ptr<const std::vector<messages::journal_record>>;

// ---- atoms ---------------------------------------------------------------------------------
using append_atom = caf::atom_constant<caf::atom("append")>;
using append_each_atom = caf::atom_constant<caf::atom("appendeach")>;
using appended_atom = caf::atom_constant<caf::atom("appended")>;
using committed_atom = caf::atom_constant<caf::atom("committed")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using heartbeat_atom = caf::atom_constant<caf::atom("heartbeat")>;
using resync_atom = caf::atom_constant<caf::atom("resync")>;
using allocate_atom = caf::atom_constant<caf::atom("allocate")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using preview_atom = caf::atom_constant<caf::atom("preview")>;
using settle_atom = caf::atom_constant<caf::atom("settle")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using session_atom = caf::atom_constant<caf::atom("session")>;
using routes_tick_atom = caf::atom_constant<caf::atom("routestick")>;
using statuses_tick_atom = caf::atom_constant<caf::atom("statustick")>;

// ---- interfaces ----------------------------------------------------------------------------

// Whoever follows the journal: receives every committed batch, in commit order, once
// (master::subscribe, batch_fanout, the journal's subscribe).
using batch_subscriber_actor = caf::typed_actor<
    // The records one commit made durable (and the read model has applied).
    caf::reacts_to<committed_atom, committed_batch>>;

// The journal (journal/journal_actor.hpp): the master's only way to append.
using journal_actor = caf::typed_actor<
    // Appends the records as one unit (all or none); answers with their sequence numbers once
    // they are durable and applied to the read model, or with why they were refused.
    caf::replies_to<append_atom, std::vector<messages::journal_record>>::with<store::append_result>,
    // Each record an append of its own (accepted or refused alone); one answer per record, in
    // order, once all are durable or refused.
    caf::replies_to<append_each_atom,
                    std::vector<messages::journal_record>>::with<std::vector<store::append_result>>,
    // The records from `from` on, first those in the log, then live, reach the subscriber as
    // committed batches until it terminates.
    caf::reacts_to<subscribe_atom, sequence_number, batch_subscriber_actor>>;

// The journal's own completions, from its writer's commit thread.
using journal_impl_actor = journal_actor::extend<
    // A submitted append (id) completed.
    caf::reacts_to<appended_atom, uint64_t, store::append_result>,
    // A submitted append_each (id) completed.
    caf::reacts_to<appended_atom, uint64_t, std::vector<store::append_result>>>;

// The allocator (allocators/allocator_actor.hpp): the one owner of ClusterIPs, NodePorts and
// pod CIDRs.
using allocator_actor = caf::typed_actor<
    // A service with its ClusterIP and NodePorts filled in, or a node with its podCIDR; the
    // object holds them until released. Refusals (a taken or out-of-range port) are Invalid.
    caf::replies_to<allocate_atom, any_object>::with<command_reply>,
    // What allocate would answer now, reserving nothing (dry runs).
    caf::replies_to<allocate_atom, preview_atom, any_object>::with<command_reply>,
    // The service as the journal has it after an update (committed or not): frees the
    // NodePorts it holds beyond it.
    caf::reacts_to<settle_atom, any_object>,
    // Frees everything the object holds (it was deleted, or its create failed).
    caf::reacts_to<release_atom, object_kind, object_key>>;

// One object (objects/object_actor.hpp): its commands checked and journaled one at a time.
using object_actor = caf::typed_actor<
    // The command's outcome (with the object as it is after it, unless outcome_only); the
    // actor terminates after a delete.
    caf::replies_to<object_command>::with<command_reply>>;

// One registry per kind (objects/registry.hpp): creates objects, routes commands to the
// object actors.
using registry_actor = object_actor::extend<
    // Admits, allocates, journals a new object.
    caf::replies_to<create_command>::with<command_reply>,
    // Many creates of a kind without allocation (a controller's burst), each accepted or
    // refused on its own; outcome-only replies, one per command, in order.
    caf::replies_to<std::vector<create_command>>::with<std::vector<command_reply>>,
    // Changes to existing objects, journaled with one request; outcome-only replies, one per
    // command, in order (deletes are refused in a batch).
    caf::replies_to<command_batch>::with<std::vector<command_reply>>>;

// A controller loop (the scheduler, the replication manager, the endpoints and the namespace
// controllers): follows the journal, writes through registries.
using controller_actor = batch_subscriber_actor;

// A controller loop's own messages (controllers/controller_queue.hpp).
using controller_impl_actor = controller_actor::extend<
    // A turn: sync the keys that are ready.
    caf::reacts_to<tick_atom>,
    // The periodic resync: every key again.
    caf::reacts_to<resync_atom>>;

// The node lifecycle controller (controllers/node_lifecycle.hpp).
using node_lifecycle_actor = caf::typed_actor<
    // The node is alive (marked Ready if it was not). Never journaled.
    caf::reacts_to<heartbeat_atom, node_name>>;

// Its own period: check every node's heartbeat age.
using node_lifecycle_impl_actor = node_lifecycle_actor::extend<caf::reacts_to<tick_atom>>;

// The pod dispatcher (nodes/pod_dispatcher.hpp): the node gateway's outgoing half for pods.
using pod_dispatcher_actor = batch_subscriber_actor::extend<
    // These nodes' session started (or replaced another): each gets its whole set of pods.
    caf::reacts_to<session_atom, std::vector<node_name>, messages::node_agent_actor>,
    // These nodes' session left: nothing more is sent for them.
    caf::reacts_to<session_atom, std::vector<node_name>>>;

// The node gateway as the master holds it (nodes/node_gateway.hpp): the interface node agents
// see (messages::node_gateway_actor, the only one published) and the committed batches.
using master_gateway_actor = messages::node_gateway_actor::extend_with<batch_subscriber_actor>;

// The gateway's own debounce timers.
using node_gateway_impl_actor = master_gateway_actor::extend<
    // Send the nodes' routes, if they changed since the last broadcast.
    caf::reacts_to<routes_tick_atom>,
    // Hand the pod statuses collected so far to the pod registry as one batch.
    caf::reacts_to<statuses_tick_atom>>;

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
