// The inside of store/raft_log: C-Raft's and libuv's structures, touched on the loop's thread
// only. Shared by raft_log.cpp (the engine's life, proposals, leadership) and
// raft_log_membership.cpp (membership changes); private to those two files.
#pragma once

#include <memory>
#include <vector>

#include "store/c_raft.hpp"
#include "store/raft_fsm_adapter.hpp"
#include "store/raft_log.hpp"
#include "store/raft_tls_transport.hpp"

namespace capstan::store {

struct raft_log::engine {
  uv_loop_t loop{};
  uv_async_t wake{};
  uv_timer_t leadership{};
  raft_uv_transport alone{};                 // the transport of a cluster of one
  std::unique_ptr<raft_tls_transport> tls;   // or the one over mutual TLS
  raft_uv_transport* transport = &alone;
  raft_io io{};
  struct raft raft {};
  std::unique_ptr<raft_fsm_adapter> adapter;
  bool io_ready = false, raft_ready = false, close_started = false;
  // One membership change at a time: C-Raft 0.22's raft_add and raft_remove check neither that
  // this member leads nor that no change is in progress (their error paths then leak the
  // encoded configuration, or overwrite the pending change's callback).
  bool membership_change_pending = false;
  // The members last written to DATA/raft/capstan-members (loop's thread).
  std::vector<replicated_member> members_written;
  unsigned fetch_rotation = 0;  // which member a catch-up asks first after the leader
  bool snapshotting_as_leader = false;  // which snapshot threshold is set
  raft_term barrier_term = 0;  // the term whose first barrier was proposed
  bool barrier_pending = false;

  // The last step of closing: the loop ends once the I/O's handles, the transport's and the
  // wake-up are closed.
  void close_io_and_wake() {
    if (io_ready)
      raft_uv_close(&io);
    if (tls && !tls->close_requested())  // C-Raft never initialized it
      tls->transport()->close(tls->transport(), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&wake), nullptr);
  }
};

}  // namespace capstan::store
