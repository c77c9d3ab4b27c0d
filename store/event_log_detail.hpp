// What the journal's files (store/event_log.cpp, store/event_log_snapshots.cpp) share and
// nothing else uses: the column families, the snapshot keys, the read options of long reads,
// and the checks on RocksDB's answers and on free disk space. (bench/journal_bench's raw scan
// reads with the same long-read options, so that it measures the same reads.)
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <sys/statvfs.h>

#include <rocksdb/options.h>
#include <rocksdb/status.h>

#include "store/event_log.hpp"

namespace capstan::store::event_log_detail {

constexpr std::size_t default_cf = 0, log_cf = 1, snapshot_cf = 2;
// The write-ahead log is flushed into tables once it reaches this size: reopening the journal
// replays and flushes at most this much, so a restart needs only about this much free disk.
constexpr uint64_t wal_bound_bytes = 16ull << 20;

// A read of a range of at least this many records is a long read (a replay, a member's
// catch-up fetch).
constexpr uint64_t long_read_records = 4096;

// How long reads read: checksums verified; the blocks passed over are not put in the block
// cache (a replay of a million records would only evict the recent blocks that short reads,
// a watch catching up or an object's history, find there); and an iterator reads the table
// files ahead 2 MiB at a time instead of block by block. Short reads keep RocksDB's defaults:
// a 2 MiB read ahead would cost each far more than the records it wants. A long range read
// that stops early reads up to 2 MiB it does not use: a member's catch-up fetch stops after
// 1 MiB of records and reads that overlap again (from the page cache) for its next chunk; a
// search by time stops where it finds its record. A snapshot's chunks are read with these
// options too (point reads: only the block cache applies).
inline rocksdb::ReadOptions long_read_options() {
  rocksdb::ReadOptions options;
  options.verify_checksums = true;
  options.fill_cache = false;
  options.readahead_size = 2 << 20;
  return options;
}

inline void check(const rocksdb::Status& s, const std::string& what) {
  if (!s.ok())
    throw store_error(what + ": " + s.ToString());
}

// Bytes free for this user on the filesystem of `directory`; nullopt when unknown.
inline std::optional<uint64_t> free_bytes(const std::string& directory) {
  struct statvfs fs {};
  if (::statvfs(directory.c_str(), &fs) != 0)
    return std::nullopt;
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
}

// "N MiB free on the journal's filesystem", for error messages.
inline std::string free_space(const std::string& directory) {
  auto bytes = free_bytes(directory);
  return bytes ? std::to_string(*bytes >> 20) + " MiB free on the journal's filesystem"
               : "free space unknown";
}

// Throws unless the journal's filesystem has `needed` bytes free beyond the minimum.
inline void require_room(const std::string& directory, uint64_t minimum, uint64_t needed,
                  const std::string& what) {
  if (minimum == 0)
    return;
  auto bytes = free_bytes(directory);
  if (bytes && *bytes < minimum + needed)
    throw store_error(what + " in " + directory + ": No space left on device (" +
                      free_space(directory) + "; the journal writes only with " +
                      std::to_string(minimum >> 20) + " MiB free)");
}

inline int64_t now_nanos() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
}

// Snapshot keys: seq (8 bytes BE), then 'C' + chunk index (4 bytes BE) or 'M' (manifest).
inline std::string snapshot_chunk_key(uint64_t seq, uint32_t chunk) {
  std::string key = seq_key(seq) + "C";
  for (int shift = 24; shift >= 0; shift -= 8)
    key.push_back(static_cast<char>((chunk >> shift) & 0xff));
  return key;
}
inline std::string snapshot_manifest_key(uint64_t seq) {
  return seq_key(seq) + "M";
}

}  // namespace capstan::store::event_log_detail
