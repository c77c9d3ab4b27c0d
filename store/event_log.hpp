// The journal's file: domain-event records in RocksDB under big-endian sequence keys, plus
// state snapshots. Format: store/LOG_FORMAT.md.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "messages/capnp_codec.hpp"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace capstan::store {

using messages::journal_record;

// An I/O failure, a corrupt record, a gap, or an unsupported format. The message names the
// directory or sequence number concerned.
struct store_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Objects per snapshot chunk: the unit a snapshot is written, read and decoded in.
inline constexpr std::size_t snapshot_chunk_objects = 1000;

class secret_sealer;

struct event_log_options {
  // Acknowledge appends only after fsync (default). Off trades durability for speed: a crash
  // of the machine, not of the process, may then lose the newest appends.
  bool sync = true;
  // Appends and snapshots are refused (store_error, "No space left on device") while the
  // journal's filesystem has less than this free: RocksDB's own write paths are never led into
  // a full disk, where Debian's build aborts on an assertion instead of failing the write. The
  // room covers one preallocated write-ahead log and one memtable flush (16 MiB each).
  uint64_t min_free_bytes = 48ull << 20;
  // Seals Secrets' data in records and snapshots and opens it when they are read
  // (store/secret_sealing.hpp). Without it, an append holding a Secret with data is refused
  // (a Secret never reaches the disk in clear) and Secrets read back with empty data.
  std::shared_ptr<const secret_sealer> sealer;
};

// Owns one RocksDB database. Thread-safety: reads may run on any thread concurrently with
// one writer; `append` and `write_snapshot` must come from a single thread at a time (the
// journal_writer's commit thread).
class event_log {
public:
  // Opens or creates the journal in `directory`, creating the directory and its parents so that
  // a power cut cannot lose them (each synced in the directory holding it). Throws store_error.
  static std::unique_ptr<event_log> open(const std::string& directory,
                                         event_log_options options = {});
  // Opens an existing journal for reading only, also while a master writes it (a RocksDB
  // secondary instance: it sees what was committed when it opened). Throws store_error.
  static std::unique_ptr<event_log> open_reader(
      const std::string& directory, std::shared_ptr<const secret_sealer> sealer = nullptr);
  ~event_log();
  event_log(const event_log&) = delete;
  event_log& operator=(const event_log&) = delete;

  const std::string& directory() const { return directory_; }
  const event_log_options& options() const { return options_; }

  // Sequence number of the newest record; 0 when the log is empty.
  uint64_t last_seq() const { return last_seq_; }

  // Assigns consecutive sequence numbers after last_seq() to `records` (in order), stamps
  // `time_nanos` where it is 0, and writes them in one batch with one sync (if enabled).
  // On return the records are durable. On failure throws store_error and nothing is written.
  // Returns the number of bytes written.
  std::size_t append(std::vector<journal_record>& records);
  // The same, for a journal fed by a replicated log (store/replicated_log.hpp): also records,
  // in the same write, that the log's entry `applied_index` has been applied.
  std::size_t append(std::vector<journal_record>& records, uint64_t applied_index);
  // The same with the records already encoded as stored (Secrets sealed): `encoded[i]` is
  // `records[i]`, whose sequence number must be the next one (last_seq() + 1 + i; else
  // store_error and nothing is written). Stores the bytes as they are: no second encoding.
  std::size_t append_encoded(const std::vector<journal_record>& records,
                             const std::vector<std::string_view>& encoded, uint64_t applied_index);
  // The replicated log's index of the last entry applied to this journal (0: none).
  uint64_t applied_index() const { return applied_index_; }
  // Records that entries up to `index` are applied although they added no record (entries
  // nobody could decode), or starts counting anew (0) under a new replicated log: synced then,
  // whatever the `sync` option (a lost reset would skip the new log's first entries).
  void set_applied_index(uint64_t index);
  // Makes every write so far durable (syncs the write-ahead log): for journals written with
  // `sync` off whose replicated log is their write-ahead log, before that log forgets entries.
  void make_durable();
  // Throws store_error (as append would) when appending `bytes` would leave the filesystem
  // with less than min_free_bytes: checked before a batch is proposed to a replicated log.
  void require_room_for(uint64_t bytes) const;
  // Opens the sealed data of a Secret in a record read from elsewhere than this journal (an
  // entry of the replicated log), as `read` does for its own records.
  void open_sealed_record(journal_record& record) const;
  // After a failed append (a full disk, say): makes the log writable again if the cause is
  // gone (and the disk has min_free_bytes again), and drops any record past last_seq() that
  // the failed write left behind. Throws store_error while the log cannot be written. Call
  // from the appending thread.
  void recover();

  // Calls `visit` for each record with from <= seq <= to in order, stopping early when it
  // returns false. Throws store_error on a corrupt record or a missing sequence number.
  void read(uint64_t from, uint64_t to, const std::function<bool(journal_record&&)>& visit) const;
  std::vector<journal_record> read(uint64_t from, uint64_t to) const;
  // Calls `visit` for each record `seqs` names, in that order, stopping early when it returns
  // false: point reads batched (RocksDB's MultiGet), for the few records an index names among
  // many. Throws store_error on a corrupt or missing record.
  void read_each(const std::vector<uint64_t>& seqs,
                 const std::function<bool(journal_record&&)>& visit) const;
  // The same, with each record's bytes as stored (Secrets sealed; decode_stored_record reads
  // them): what another member appends with append_encoded.
  void read_stored(uint64_t from, uint64_t to,
                   const std::function<bool(uint64_t seq, std::string_view stored)>& visit) const;

  // Snapshots: the objects of the state after `seq`. Written atomically and durably, in
  // memory bounded by one chunk of objects whatever their number; older snapshots beyond the
  // newest `keep` are removed.
  void write_snapshot(uint64_t seq, const std::vector<const messages::any_object*>& objects,
                      std::size_t keep = 2);
  // The same from chunks encoded elsewhere (store/snapshot_process.hpp): `next_chunk` gives
  // each chunk of at most snapshot_chunk_objects objects, encoded by
  // messages::encode_snapshot_chunk from stored_form's objects, then nullopt after the last.
  // Nothing is written unless every chunk came and they hold `object_count` objects.
  void write_snapshot(uint64_t seq, uint64_t object_count,
                      const std::function<std::optional<std::string>()>& next_chunk,
                      std::size_t keep = 2);
  // The objects as a snapshot stores them: each Secret with data replaced by a sealed copy
  // kept in `sealed`, the others as they are. Throws store_error when a Secret's data would be
  // written in clear (no secrets key).
  std::vector<const messages::any_object*> stored_form(
      const std::vector<const messages::any_object*>& objects,
      std::deque<messages::any_object>& sealed) const;
  // The newest snapshot's manifest, if any.
  std::optional<messages::snapshot_manifest> latest_snapshot() const;
  // The newest snapshot at or before record `seq`, if any (a past moment starts there).
  std::optional<messages::snapshot_manifest> snapshot_at_or_before(uint64_t seq) const;
  // The objects of the snapshot at `seq`.
  std::vector<messages::any_object> load_snapshot(
      const messages::snapshot_manifest& manifest) const;
  // The same, each object given to `take` in order as it is decoded (no vector of them all).
  // Throws store_error when the snapshot is corrupt or its objects are not as many as its
  // manifest says (after `take` had the ones before).
  void load_snapshot(const messages::snapshot_manifest& manifest,
                     const std::function<void(messages::any_object&&)>& take) const;
  // One chunk of it (0 to manifest.chunk_count - 1), each object given to `take` in order;
  // returns how many. Throws store_error when the chunk is missing or corrupt. Any thread.
  uint64_t load_snapshot_chunk(const messages::snapshot_manifest& manifest, uint32_t chunk,
                               const std::function<void(messages::any_object&&)>& take) const;
  // Throws store_error unless `objects` (the chunks' sum) is as many as the manifest says.
  void expect_snapshot_objects(const messages::snapshot_manifest& manifest,
                               uint64_t objects) const;

  // What RocksDB holds in memory for this journal now (its own estimates, in bytes).
  struct memory_use {
    uint64_t memtables = 0;      // records written, not yet flushed to files
    uint64_t block_cache = 0;    // blocks read from files, cached
    uint64_t table_readers = 0;  // the files' indexes and filters
  };
  memory_use memory() const;

  // Raw access for tests that damage a record on purpose. Not for production code.
  void put_raw_record_for_test(uint64_t seq, const std::string& bytes);

private:
  event_log(std::string directory, event_log_options options);
  // Opens the sealed data of a Secret read back (from a record or a snapshot). A Secret that no
  // key opens keeps empty data (reported on stderr): history stays readable without it.
  void open_sealed(messages::secret& s) const;
  uint64_t newest_key() const;  // the last sequence number stored, 0 when none
  // Removes snapshot files a crash left staged and never taken in (write_snapshot).
  void remove_staged_snapshots() const;

  std::string directory_;
  event_log_options options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // default, log, snapshots
  // Written by the appending thread, read by any (readers, the writer's commit thread).
  std::atomic<uint64_t> last_seq_{0};
  std::atomic<uint64_t> applied_index_{0};
  bool read_only_ = false;
  std::string secondary_dir_;  // scratch space of a reader, removed on close
};

// Creates `directory` and its missing parents so that a power cut cannot lose them: each is
// synced in the directory holding it (the directory holding `directory` is synced also when
// nothing was missing: an earlier call may have died before its sync). Throws store_error.
void create_directory_durably(const std::string& directory);

// The record stored under key `seq` of the `log` family, from the bytes read there. Throws
// store_error naming `seq` and `directory` when they are not a record this build can read
// (damaged, or written by a newer capstan) or are the record of another sequence number: a
// damaged record is reported, never skipped or taken for another. Pure; event_log::read uses it.
journal_record decode_stored_record(uint64_t seq, std::string_view value,
                                    const std::string& directory);

// The 8-byte big-endian key of a sequence number, so that RocksDB iterates in log order.
std::string seq_key(uint64_t seq);
uint64_t seq_from_key(const char* data, std::size_t size);

}  // namespace capstan::store
