// The durability anchor of the scheduling benchmark (issue 7): the same number of durable
// writes, of the same size, into etcd (Debian's etcd-server: one member, or a cluster of
// several, on 127.0.0.1 with a data dir each) through its v3 JSON gateway (POST /v3/kv/put, as
// kube-apiserver's writes end up in etcd), from many concurrent keep-alive clients spread over
// the members (a follower forwards its puts to the leader, as kube-apiservers talk to every
// member). etcd acknowledges a put once a majority has it in a synced WAL, as capstan
// acknowledges an append once a majority has it in a synced Raft log.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace capstan::bench {

struct etcd_options {
  uint64_t writes = 10000;
  std::size_t value_bytes = 512;
  int clients = 64;                // concurrent connections, one thread each
  int members = 1;                 // etcd members, each a process with its own data dir
  std::filesystem::path data_dir;  // created, and removed afterwards
};

struct etcd_result {
  bool ran = false;
  std::string skipped;  // why not, when it did not run (no etcd installed, ...)
  uint64_t writes = 0;
  double seconds = 0;
  double per_second = 0;
};

// Starts etcd, writes, stops it. Never throws: a failure is reported in `skipped`.
etcd_result run_etcd_anchor(const etcd_options& options);

}  // namespace capstan::bench
