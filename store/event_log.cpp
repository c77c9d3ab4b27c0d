#include "store/event_log.hpp"

#include <chrono>
#include <cstdio>
#include <deque>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include "store/event_log_detail.hpp"
#include "store/secret_sealing.hpp"

namespace capstan::store {

using namespace event_log_detail;

namespace {

constexpr const char* format_key = "format";
constexpr const char* format_version = "capstan-journal-1";
// The replicated log's index of the last entry applied here (8 bytes, big-endian), when the
// journal is fed by one.
constexpr const char* applied_index_key = "applied-index";
// The column families in handle order: default (meta), log, snapshots.
std::vector<rocksdb::ColumnFamilyDescriptor> column_families() {
  rocksdb::ColumnFamilyOptions options;
  // Small memtables keep the write-ahead log small (see max_total_wal_size below).
  options.write_buffer_size = wal_bound_bytes;
  return {{rocksdb::kDefaultColumnFamilyName, options}, {"log", options}, {"snapshots", options}};
}

void sync_directory(const std::filesystem::path& directory) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    throw store_error("cannot open the directory " + directory.string() + ": " +
                      std::strerror(errno));
  int synced = ::fsync(fd);
  int error = errno;
  ::close(fd);
  if (synced != 0)
    throw store_error("cannot sync the directory " + directory.string() + ": " +
                      std::strerror(error));
}

}  // namespace

// A name is durable once the directory holding it is synced; RocksDB syncs the journal
// directory itself, never the one holding it.
void create_directory_durably(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path path = fs::absolute(directory, ec).lexically_normal();
  if (!ec && path.filename().empty())  // "dir/"
    path = path.parent_path();
  std::vector<fs::path> missing;
  for (fs::path p = path; !ec && !p.empty() && !fs::exists(p, ec); p = p.parent_path())
    missing.push_back(p);
  if (ec)
    throw store_error("cannot create the directory " + directory + ": " + ec.message());
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0777) != 0 && errno != EEXIST)  // the umask decides, as before
      throw store_error("cannot create the directory " + directory + ": " +
                        std::strerror(errno));
    sync_directory(it->parent_path());
  }
  if (missing.empty())
    sync_directory(path.parent_path());
}

std::string seq_key(uint64_t seq) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, seq >>= 8)
    key[i] = static_cast<char>(seq & 0xff);
  return key;
}

uint64_t seq_from_key(const char* data, std::size_t size) {
  if (size < 8)
    throw store_error("journal key of " + std::to_string(size) + " bytes is too short");
  uint64_t seq = 0;
  for (int i = 0; i < 8; ++i)
    seq = (seq << 8) | static_cast<unsigned char>(data[i]);
  return seq;
}

event_log::event_log(std::string directory, event_log_options options)
    : directory_(std::move(directory)), options_(options) {}

event_log::~event_log() {
  if (!db_)
    return;
  if (!read_only_) {
    // A clean close leaves nothing in the write-ahead log, so the next open does not replay it.
    rocksdb::FlushOptions flush;
    flush.wait = true;
    db_->Flush(flush, handles_);
  }
  for (auto* h : handles_)
    db_->DestroyColumnFamilyHandle(h);
  db_->Close();
  db_.reset();
  if (!secondary_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(secondary_dir_, ec);
  }
}

std::unique_ptr<event_log> event_log::open_reader(const std::string& directory,
                                                  std::shared_ptr<const secret_sealer> sealer) {
  event_log_options options;
  options.sealer = std::move(sealer);
  std::unique_ptr<event_log> log(new event_log(directory, std::move(options)));
  log->read_only_ = true;
  if (!std::filesystem::exists(directory + "/CURRENT"))
    throw store_error("no journal in " + directory);
  char scratch[] = "/tmp/capstan-reader.XXXXXX";
  if (!mkdtemp(scratch))
    throw store_error("cannot create a scratch directory for reading " + directory);
  log->secondary_dir_ = scratch;
  rocksdb::Options db_options;
  db_options.max_open_files = -1;  // required of secondary instances
  auto families = column_families();
  rocksdb::DB* db = nullptr;
  check(rocksdb::DB::OpenAsSecondary(db_options, directory, log->secondary_dir_, families,
                                     &log->handles_, &db),
        "cannot read the journal in " + directory);
  log->db_.reset(db);
  check(db->TryCatchUpWithPrimary(), "cannot catch up with the journal in " + directory);
  log->last_seq_ = log->newest_key();
  return log;
}

namespace {

// The journal is the whole cluster's history (and its secrets): its (existing) directory is made
// 0700 and its files 0600, also those an older capstan left readable; RocksDB creates new files
// 0600.
void make_private(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code ec;
  rocksdb::Env::Default()->SetAllowNonOwnerAccess(false);
  fs::permissions(directory, fs::perms::owner_all, ec);
  for (const auto& entry : fs::directory_iterator(directory, ec)) {
    std::error_code ignored;
    if (entry.is_regular_file(ignored))
      fs::permissions(entry.path(), fs::perms::group_all | fs::perms::others_all,
                      fs::perm_options::remove, ignored);
  }
  if (ec)
    throw store_error("cannot make the journal directory " + directory + " private: " +
                      ec.message());
}

}  // namespace

std::unique_ptr<event_log> event_log::open(const std::string& directory,
                                           event_log_options options) {
  std::unique_ptr<event_log> log(new event_log(directory, options));
  create_directory_durably(directory);
  make_private(directory);
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  db_options.max_open_files = 256;
  // A torn tail write after a crash is dropped (it was never acknowledged); any other
  // damage stops the open with an error instead of silently losing data.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db_options.paranoid_checks = true;
  db_options.max_total_wal_size = wal_bound_bytes;

  auto families = column_families();
  rocksdb::DB* db = nullptr;
  auto opened = rocksdb::DB::Open(db_options, directory, families, &log->handles_, &db);
  if (!opened.ok() && opened.ToString().find("lock") != std::string::npos)
    throw store_error("cannot open the journal in " + directory + ": " + opened.ToString() +
                      " (is a master running on it? stop it first, or use a read-only command)");
  check(opened, "cannot open the journal in " + directory);
  log->db_.reset(db);
  log->remove_staged_snapshots();

  std::string version;
  auto s = db->Get({}, log->handles_[default_cf], format_key, &version);
  if (s.IsNotFound()) {
    rocksdb::WriteOptions w;
    w.sync = true;
    check(db->Put(w, log->handles_[default_cf], format_key, format_version),
          "cannot initialise the journal in " + directory);
  } else {
    check(s, "cannot read the journal format in " + directory);
    if (version != format_version)
      throw store_error("journal in " + directory + " has format " + version +
                        ", this capstan reads " + format_version);
  }

  log->last_seq_ = log->newest_key();
  std::string applied;
  s = db->Get({}, log->handles_[default_cf], applied_index_key, &applied);
  if (!s.IsNotFound()) {
    check(s, "cannot read the applied index in " + directory);
    log->applied_index_ = seq_from_key(applied.data(), applied.size());
  }
  return log;
}

uint64_t event_log::newest_key() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, handles_[log_cf]));
  it->SeekToLast();
  check(it->status(), "cannot read the journal in " + directory_);
  return it->Valid() ? seq_from_key(it->key().data(), it->key().size()) : 0;
}

std::size_t event_log::append(std::vector<journal_record>& records) {
  return append(records, applied_index_);
}

std::size_t event_log::append(std::vector<journal_record>& records, uint64_t applied_index) {
  if (records.empty()) {
    if (applied_index != applied_index_)
      set_applied_index(applied_index);
    return 0;
  }
  if (!options_.sealer)
    for (const auto& r : records)
      if (const auto* s = secret_in(r); s && !s->data.empty())
        throw store_error("cannot append to the journal in " + directory_ +
                          ": a Secret's data would be written in clear (no secrets key)");
  rocksdb::WriteBatch batch;
  uint64_t seq = last_seq_;
  int64_t now = now_nanos();
  std::size_t bytes = 0;
  for (auto& r : records) {
    r.seq = ++seq;
    if (r.time_nanos == 0)
      r.time_nanos = now;
    // Only a copy is sealed: the records go on to the read model and watchers in clear.
    std::unique_ptr<journal_record> sealed;
    if (options_.sealer)
      sealed = options_.sealer->sealed_copy(r);
    std::string value = messages::encode_record(sealed ? *sealed : r);
    bytes += value.size() + 8;
    check(batch.Put(handles_[log_cf], seq_key(r.seq), value), "cannot stage journal record");
  }
  if (applied_index != applied_index_)
    check(batch.Put(handles_[default_cf], applied_index_key, seq_key(applied_index)),
          "cannot stage the applied index");
  rocksdb::WriteOptions w;
  w.sync = options_.sync;
  try {
    require_room(directory_, options_.min_free_bytes, bytes, "cannot append to the journal");
    auto written = db_->Write(w, &batch);
    if (!written.ok())
      throw store_error("cannot append to the journal in " + directory_ + ": " +
                        written.ToString() + " (" + free_space(directory_) + ")");
  } catch (...) {
    for (auto& r : records)
      r.seq = 0;
    throw;
  }
  last_seq_ = seq;
  applied_index_ = applied_index;
  return bytes;
}

std::size_t event_log::append_encoded(const std::vector<journal_record>& records,
                                      const std::vector<std::string_view>& encoded,
                                      uint64_t applied_index) {
  if (records.size() != encoded.size())
    throw store_error("cannot append to the journal in " + directory_ + ": " +
                      std::to_string(records.size()) + " records but " +
                      std::to_string(encoded.size()) + " encodings");
  if (records.empty()) {
    if (applied_index != applied_index_)
      set_applied_index(applied_index);
    return 0;
  }
  rocksdb::WriteBatch batch;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].seq != last_seq_.load() + 1 + i)
      throw store_error("cannot append record " + std::to_string(records[i].seq) +
                        " to the journal in " + directory_ + " after record " +
                        std::to_string(last_seq_.load() + i));
    bytes += encoded[i].size() + 8;
    check(batch.Put(handles_[log_cf], seq_key(records[i].seq),
                    rocksdb::Slice(encoded[i].data(), encoded[i].size())),
          "cannot stage journal record");
  }
  if (applied_index != applied_index_)
    check(batch.Put(handles_[default_cf], applied_index_key, seq_key(applied_index)),
          "cannot stage the applied index");
  rocksdb::WriteOptions w;
  w.sync = options_.sync;
  require_room(directory_, options_.min_free_bytes, bytes, "cannot append to the journal");
  auto written = db_->Write(w, &batch);
  if (!written.ok())
    throw store_error("cannot append to the journal in " + directory_ + ": " +
                      written.ToString() + " (" + free_space(directory_) + ")");
  last_seq_ += records.size();
  applied_index_ = applied_index;
  return bytes;
}

void event_log::set_applied_index(uint64_t index) {
  rocksdb::WriteOptions w;
  w.sync = options_.sync || index < applied_index_;
  check(db_->Put(w, handles_[default_cf], applied_index_key, seq_key(index)),
        "cannot record the applied index in the journal in " + directory_);
  applied_index_ = index;
}

void event_log::make_durable() {
  check(db_->FlushWAL(true), "cannot sync the journal in " + directory_);
}

void event_log::require_room_for(uint64_t bytes) const {
  require_room(directory_, options_.min_free_bytes, bytes, "cannot append to the journal");
}

void event_log::open_sealed_record(journal_record& record) const {
  if (auto* s = secret_in(record))
    open_sealed(*s);
}

void event_log::recover() {
  require_room(directory_, options_.min_free_bytes, 0, "the journal is still not writable");
  check(db_->Resume(), "the journal in " + directory_ + " is still not writable");
  // A failed write may have reached the log all the same (its sync failed, say). It was
  // reported as failed, so it must not become history: records past last_seq() go.
  uint64_t newest = newest_key();
  if (newest > last_seq_) {
    rocksdb::WriteOptions w;
    w.sync = true;
    check(db_->DeleteRange(w, handles_[log_cf], seq_key(last_seq_ + 1), seq_key(newest + 1)),
          "cannot drop the failed write from the journal in " + directory_);
    // The failed write's applied index goes with its records.
    check(db_->Put(w, handles_[default_cf], applied_index_key, seq_key(applied_index_)),
          "cannot restore the applied index in the journal in " + directory_);
  }
}

void event_log::read(uint64_t from, uint64_t to,
                     const std::function<bool(journal_record&&)>& visit) const {
  read_stored(from, to, [&](uint64_t seq, std::string_view stored) {
    journal_record record = decode_stored_record(seq, stored, directory_);
    if (auto* s = secret_in(record))
      open_sealed(*s);
    return visit(std::move(record));
  });
}

void event_log::open_sealed(messages::secret& s) const {
  if (s.sealed.empty())
    return;
  if (!options_.sealer)
    return;  // a reader without the key ring: empty data, as documented
  try {
    options_.sealer->unseal(s);
  } catch (const store_error& e) {
    std::fprintf(stderr, "capstan: journal in %s: %s; its data reads as empty\n",
                 directory_.c_str(), e.what());
    s.data.clear();
  }
}

journal_record decode_stored_record(uint64_t seq, std::string_view value,
                                    const std::string& directory) {
  journal_record record = [&] {
    try {
      return messages::decode_record(value);
    } catch (const messages::decode_error& e) {
      throw store_error("journal record " + std::to_string(seq) + " in " + directory +
                        " is corrupt: " + e.what());
    }
  }();
  if (record.seq != seq)
    throw store_error("journal record " + std::to_string(seq) + " in " + directory +
                      " is corrupt: it says it is record " + std::to_string(record.seq));
  return record;
}

void event_log::read_stored(
    uint64_t from, uint64_t to,
    const std::function<bool(uint64_t seq, std::string_view stored)>& visit) const {
  if (from == 0)
    from = 1;
  if (from > to)
    return;
  rocksdb::ReadOptions options;
  options.verify_checksums = true;
  const uint64_t end = std::min(to, last_seq());
  if (end >= from && end - from + 1 >= long_read_records)
    options = long_read_options();
  std::string upper = seq_key(to == UINT64_MAX ? to : to + 1);
  rocksdb::Slice upper_slice(upper);
  if (to != UINT64_MAX)
    options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, handles_[log_cf]));
  uint64_t expected = from;
  for (it->Seek(seq_key(from)); it->Valid(); it->Next()) {
    uint64_t seq = seq_from_key(it->key().data(), it->key().size());
    if (seq > to)
      break;
    if (seq != expected)
      throw store_error("journal in " + directory_ + " is missing record " +
                        std::to_string(expected) + " (next present is " + std::to_string(seq) +
                        ")");
    expected = seq + 1;
    if (!visit(seq, std::string_view(it->value().data(), it->value().size())))
      return;
  }
  check(it->status(), "cannot read the journal in " + directory_);
}

void event_log::read_each(const std::vector<uint64_t>& seqs,
                          const std::function<bool(journal_record&&)>& visit) const {
  constexpr std::size_t batch = 256;
  rocksdb::ReadOptions options;
  options.verify_checksums = true;
  std::vector<std::string> keys;
  std::vector<rocksdb::Slice> slices;
  std::vector<rocksdb::PinnableSlice> values(batch);
  std::vector<rocksdb::Status> statuses(batch);
  for (std::size_t begin = 0; begin < seqs.size(); begin += batch) {
    const std::size_t n = std::min(batch, seqs.size() - begin);
    keys.clear();
    slices.clear();
    for (std::size_t i = 0; i < n; ++i)
      keys.push_back(seq_key(seqs[begin + i]));
    for (const auto& key : keys)
      slices.emplace_back(key);
    for (auto& value : values)
      value.Reset();
    db_->MultiGet(options, handles_[log_cf], n, slices.data(), values.data(), statuses.data());
    for (std::size_t i = 0; i < n; ++i) {
      const uint64_t seq = seqs[begin + i];
      if (statuses[i].IsNotFound())
        throw store_error("journal in " + directory_ + " has no record " + std::to_string(seq));
      check(statuses[i], "cannot read record " + std::to_string(seq) + " of the journal in " +
                             directory_);
      journal_record record = decode_stored_record(
          seq, std::string_view(values[i].data(), values[i].size()), directory_);
      if (auto* s = secret_in(record))
        open_sealed(*s);
      if (!visit(std::move(record)))
        return;
    }
  }
}

std::vector<journal_record> event_log::read(uint64_t from, uint64_t to) const {
  std::vector<journal_record> out;
  read(from, to, [&](journal_record&& r) {
    out.push_back(std::move(r));
    return true;
  });
  return out;
}

void event_log::put_raw_record_for_test(uint64_t seq, const std::string& bytes) {
  rocksdb::WriteOptions w;
  w.sync = true;
  check(db_->Put(w, handles_[log_cf], seq_key(seq), bytes), "raw put");
  if (seq > last_seq_)
    last_seq_ = seq;
}

event_log::memory_use event_log::memory() const {
  memory_use use;
  auto sum = [&](const std::string& property) {
    uint64_t value = 0;
    return db_->GetAggregatedIntProperty(property, &value) ? value : 0;
  };
  use.memtables = sum(rocksdb::DB::Properties::kCurSizeAllMemTables);
  use.table_readers = sum(rocksdb::DB::Properties::kEstimateTableReadersMem);
  // One cache serves every column family: its usage is asked of one.
  uint64_t cached = 0;
  if (db_->GetIntProperty(handles_.front(), rocksdb::DB::Properties::kBlockCacheUsage, &cached))
    use.block_cache = cached;
  return use;
}

}  // namespace capstan::store
