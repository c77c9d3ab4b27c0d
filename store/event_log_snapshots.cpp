// The journal's snapshots: the whole state after a record, in chunks of objects, so that a
// restart or a past moment starts there instead of at record 1.
#include "store/event_log.hpp"

#include <deque>
#include <filesystem>
#include <memory>

#include <rocksdb/db.h>
#include <rocksdb/sst_file_writer.h>

#include "store/event_log_detail.hpp"
#include "store/secret_sealing.hpp"

namespace capstan::store {

using namespace event_log_detail;

namespace {

// Where a snapshot is staged before RocksDB takes it in: inside the journal's directory (the
// same filesystem, so taking it in is a link, not a copy). A name RocksDB never uses; one left
// by a crash is removed by remove_staged_snapshots().
std::string staged_snapshot_path(const std::string& directory, uint64_t seq) {
  return directory + "/snapshot-" + std::to_string(seq) + ".sst.staged";
}

}  // namespace

void event_log::remove_staged_snapshots() const {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(directory_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("snapshot-", 0) == 0 && name.size() > 11 &&
        name.compare(name.size() - 11, 11, ".sst.staged") == 0)
      std::filesystem::remove(entry.path(), ec);
  }
}

std::vector<const messages::any_object*> event_log::stored_form(
    const std::vector<const messages::any_object*>& objects,
    std::deque<messages::any_object>& sealed) const {
  std::vector<const messages::any_object*> out;
  out.reserve(objects.size());
  for (const auto* object : objects) {
    const auto* s = std::get_if<messages::secret>(object);
    if (!s || (s->data.empty() && s->metadata.annotations.empty())) {
      out.push_back(object);
      continue;
    }
    // Secrets go in sealed copies, as in the log (their number is small next to the pods').
    if (!options_.sealer) {
      if (!s->data.empty())
        throw store_error("cannot write a snapshot to " + directory_ +
                          ": a Secret's data would be written in clear (no secrets key)");
      out.push_back(object);
      continue;
    }
    sealed.push_back(*object);  // a deque: addresses stay put as it grows
    options_.sealer->seal(std::get<messages::secret>(sealed.back()));
    out.push_back(&sealed.back());
  }
  return out;
}

void event_log::write_snapshot(uint64_t seq,
                               const std::vector<const messages::any_object*>& objects,
                               std::size_t keep) {
  std::deque<messages::any_object> sealed;
  const auto stored = stored_form(objects, sealed);
  std::size_t next = 0;
  write_snapshot(
      seq, stored.size(),
      [&]() -> std::optional<std::string> {
        if (next >= stored.size())
          return std::nullopt;
        std::vector<const messages::any_object*> chunk(
            stored.begin() + next,
            stored.begin() + std::min(stored.size(), next + snapshot_chunk_objects));
        next += chunk.size();
        return messages::encode_snapshot_chunk(chunk);
      },
      keep);
}

void event_log::write_snapshot(uint64_t seq, uint64_t object_count,
                               const std::function<std::optional<std::string>()>& next_chunk,
                               std::size_t keep) {
  // The chunks and then the manifest go, in key order, into a table file of their own, written
  // chunk by chunk: memory stays at one chunk whatever the state's size (a write batch would
  // hold the whole snapshot twice, once in the batch and once in the memtable). RocksDB then
  // takes the synced file in whole or not at all, so a snapshot has its manifest only with all
  // its chunks, and the journal's writes never wait behind a snapshot's memtable.
  const std::string staged = staged_snapshot_path(directory_, seq);
  struct staged_file_guard {
    const std::string& path;
    ~staged_file_guard() {
      std::error_code ec;
      std::filesystem::remove(path, ec);  // after ingestion it is gone already
    }
  } guard{staged};
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), db_->GetOptions(handles_[snapshot_cf]),
                                handles_[snapshot_cf]);
  check(writer.Open(staged), "cannot stage a snapshot in " + directory_);
  uint32_t chunks = 0;
  while (auto encoded = next_chunk()) {
    // The journal's reserve is kept as the file grows, not only at the start.
    require_room(directory_, options_.min_free_bytes, encoded->size(), "no room for a snapshot");
    check(writer.Put(snapshot_chunk_key(seq, chunks), *encoded), "cannot stage snapshot chunk");
    ++chunks;
  }
  const uint64_t expected_chunks =
      (object_count + snapshot_chunk_objects - 1) / snapshot_chunk_objects;
  if (chunks != expected_chunks)
    throw store_error("a snapshot of " + std::to_string(object_count) + " objects came in " +
                      std::to_string(chunks) + " chunks, not " + std::to_string(expected_chunks));
  messages::snapshot_manifest manifest{seq, now_nanos(), chunks, object_count};
  check(writer.Put(snapshot_manifest_key(seq), messages::encode_snapshot_manifest(manifest)),
        "cannot stage snapshot manifest");
  check(writer.Finish(), "cannot stage a snapshot in " + directory_);  // synced

  // Durable when this returns: the file is linked in and the MANIFEST records it.
  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = true;
  check(db_->IngestExternalFile(handles_[snapshot_cf], {staged}, ingest),
        "cannot write a snapshot to " + directory_);

  // Drop snapshots older than the newest `keep` (counting this one): everything below the
  // oldest one kept, which also takes the chunks of a snapshot a crash left without its
  // manifest. Losing this removal to a crash only leaves them for the next snapshot's.
  // From each snapshot's last key straight to the one before it: a manifest is the last key of
  // its snapshot, and seq_key(s), shorter than every key of snapshot s, seeks past its chunks.
  std::vector<uint64_t> newest;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, handles_[snapshot_cf]));
  for (it->SeekToLast(); it->Valid() && newest.size() < std::max<std::size_t>(keep, 1);) {
    auto key = it->key();
    const uint64_t s = seq_from_key(key.data(), key.size());
    if (key.size() == 9 && key[8] == 'M')
      newest.push_back(s);
    if (s == 0)
      break;
    it->SeekForPrev(seq_key(s));
  }
  check(it->status(), "cannot read snapshots in " + directory_);
  if (!newest.empty() && newest.back() > 0)
    check(db_->DeleteRange({}, handles_[snapshot_cf], seq_key(0), seq_key(newest.back())),
          "cannot remove older snapshots in " + directory_);
}

std::optional<messages::snapshot_manifest> event_log::latest_snapshot() const {
  return snapshot_at_or_before(UINT64_MAX);
}

std::optional<messages::snapshot_manifest> event_log::snapshot_at_or_before(uint64_t seq) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, handles_[snapshot_cf]));
  if (seq == UINT64_MAX)
    it->SeekToLast();
  else
    it->SeekForPrev(seq_key(seq + 1));  // the last key of any snapshot at or before `seq`
  for (; it->Valid(); it->Prev()) {
    auto key = it->key();
    if (key.size() == 9 && key[8] == 'M') {
      try {
        return messages::decode_snapshot_manifest({it->value().data(), it->value().size()});
      } catch (const messages::decode_error& e) {
        throw store_error("snapshot manifest in " + directory_ + " is corrupt: " + e.what());
      }
    }
  }
  check(it->status(), "cannot read snapshots in " + directory_);
  return std::nullopt;
}

std::vector<messages::any_object> event_log::load_snapshot(
    const messages::snapshot_manifest& manifest) const {
  std::vector<messages::any_object> objects;
  objects.reserve(manifest.object_count);
  load_snapshot(manifest, [&](messages::any_object&& o) { objects.push_back(std::move(o)); });
  return objects;
}

void event_log::load_snapshot(const messages::snapshot_manifest& manifest,
                              const std::function<void(messages::any_object&&)>& take) const {
  uint64_t count = 0;
  for (uint32_t chunk = 0; chunk < manifest.chunk_count; ++chunk)
    count += load_snapshot_chunk(manifest, chunk, take);
  expect_snapshot_objects(manifest, count);
}

uint64_t event_log::load_snapshot_chunk(
    const messages::snapshot_manifest& manifest, uint32_t chunk,
    const std::function<void(messages::any_object&&)>& take) const {
  uint64_t count = 0;
  std::string value;
  check(db_->Get(long_read_options(), handles_[snapshot_cf], snapshot_chunk_key(manifest.seq, chunk),
                 &value),
        "snapshot " + std::to_string(manifest.seq) + " chunk " + std::to_string(chunk) + " in " +
            directory_);
  try {
    messages::decode_snapshot_chunk(value, [&](messages::any_object&& object) {
      if (auto* s = std::get_if<messages::secret>(&object))
        open_sealed(*s);
      ++count;
      take(std::move(object));
    });
  } catch (const messages::decode_error& e) {
    throw store_error("snapshot " + std::to_string(manifest.seq) + " chunk " +
                      std::to_string(chunk) + " in " + directory_ + " is corrupt: " + e.what());
  }
  return count;
}

void event_log::expect_snapshot_objects(const messages::snapshot_manifest& manifest,
                                        uint64_t objects) const {
  if (objects != manifest.object_count)
    throw store_error("snapshot " + std::to_string(manifest.seq) + " in " + directory_ + " has " +
                      std::to_string(objects) + " objects, its manifest says " +
                      std::to_string(manifest.object_count));
}

}  // namespace capstan::store
