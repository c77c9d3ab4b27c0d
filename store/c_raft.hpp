#pragma once
// C-Raft's headers, as C++ can read them. Include this, never <raft.h> directly.
//
// - They declare C functions without extern "C" of their own.
// - C-Raft 0.22 checks its struct layouts against the 0.15 ABI with
//   static_assert(sizeof(struct { ... }) <= ...): legal C, but C++ forbids defining a type inside
//   sizeof. The check guards C-Raft's own ABI, which its C build already performs, so it is
//   switched off while the headers are read here.
// - Required version: 0.22 or later (cowsql's C-Raft; Debian's bookworm-backports). 0.15 lets a
//   follower commit entries it has not checked against the leader's log after an empty
//   AppendEntries, so members can apply different entries at one index
//   (tests/store/raft_simulation_test keeps the seeds that showed it).
#include <uv.h>

#define static_assert(...)
extern "C" {
#include <raft.h>
#include <raft/fixture.h>
#include <raft/uv.h>
}
#undef static_assert

#if RAFT_VERSION_NUMBER < 2201
#error "capstan needs C-Raft 0.22.1 or later (libraft-dev from bookworm-backports)"
#endif
