// Members of a replicated journal that are only that: a Raft log (store/raft_log) and the
// journal it applies to, unsynced as a master's is (the Raft log is the write-ahead log), with
// no master around them. The benchmarks set them beside the member they measure (a bare
// journal writer, or a whole master) so that each write is committed by a majority of a real
// cluster: members on loopback, talking mutual TLS, each with its own directory on this disk.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "common/pki.hpp"
#include "store/event_log.hpp"
#include "store/journal_writer.hpp"
#include "store/raft_log.hpp"

namespace capstan::bench {

struct raft_replica {
  std::unique_ptr<store::event_log> log;
  store::raft_log* raft = nullptr;  // owned by `writer`
  std::unique_ptr<store::journal_writer> writer;
};

// `count` members (ids 1..count) at loopback ports free now.
std::vector<store::replicated_member> loopback_members(int count);

// Member `id`'s credentials for the members' transport, issued by `ca` (a certificate for
// 127.0.0.1 naming the member, as `capstan master` issues at each start).
store::raft_tls_config member_tls(const common::certificate_authority& ca, uint64_t id);

// Starts `member` of the cluster `members` under `directory` (journal/ and raft/ in it).
// `election_timeout` longer than the others' makes this member unlikely to lead: a benchmark
// that measures member 1 gives the others a long one, so that member 1 is elected.
raft_replica start_replica(const std::filesystem::path& directory,
                           const store::replicated_member& member,
                           const std::vector<store::replicated_member>& members,
                           store::raft_tls_config tls,
                           std::chrono::milliseconds election_timeout = std::chrono::seconds(1));

}  // namespace capstan::bench
