// The durability anchor of the scheduling benchmark (issue 7): the same number of durable
// writes, of the same size, into etcd (Debian's etcd-server, one member on 127.0.0.1 with its
// own data dir) through its v3 JSON gateway (POST /v3/kv/put, as kube-apiserver's writes end up
// in etcd), from many concurrent keep-alive clients. etcd acknowledges a put after its WAL is
// fsynced, as capstan acknowledges an append after its WriteBatch is synced.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace capstan::bench {

struct etcd_options {
  uint64_t writes = 10000;
  std::size_t value_bytes = 512;
  int clients = 64;                // concurrent connections, one thread each
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
