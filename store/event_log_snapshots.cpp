// The journal's snapshots: the whole state after a record, in chunks of objects, so that a
// restart or a past moment starts there instead of at record 1.
#include "store/event_log.hpp"

#include <deque>
#include <memory>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "store/event_log_detail.hpp"
#include "store/secret_sealing.hpp"

namespace capstan::store {

using namespace event_log_detail;

void event_log::write_snapshot(uint64_t seq,
                               const std::vector<const messages::any_object*>& objects,
                               std::size_t keep) {
  rocksdb::WriteBatch batch;
  uint32_t chunks = 0;
  for (std::size_t i = 0; i < objects.size(); i += snapshot_chunk_objects, ++chunks) {
    std::vector<const messages::any_object*> chunk(
        objects.begin() + i,
        objects.begin() + std::min(objects.size(), i + snapshot_chunk_objects));
    // Secrets go in sealed copies, as in the log (their number is small next to the pods').
    std::deque<messages::any_object> sealed;  // stable addresses as it grows
    for (auto& object : chunk) {
      const auto* s = std::get_if<messages::secret>(object);
      if (!s || (s->data.empty() && s->metadata.annotations.empty()))
        continue;
      if (!options_.sealer) {
        if (s->data.empty())
          continue;
        throw store_error("cannot write a snapshot to " + directory_ +
                          ": a Secret's data would be written in clear (no secrets key)");
      }
      sealed.push_back(*object);
      options_.sealer->seal(std::get<messages::secret>(sealed.back()));
      object = &sealed.back();
    }
    check(batch.Put(handles_[snapshot_cf], snapshot_chunk_key(seq, chunks),
                    messages::encode_snapshot_chunk(chunk)),
          "cannot stage snapshot chunk");
  }
  require_room(directory_, options_.min_free_bytes, batch.GetDataSize(),
               "no room for a snapshot");
  messages::snapshot_manifest manifest{seq, now_nanos(), chunks, objects.size()};
  check(batch.Put(handles_[snapshot_cf], snapshot_manifest_key(seq),
                  messages::encode_snapshot_manifest(manifest)),
        "cannot stage snapshot manifest");

  // Drop snapshots older than the newest `keep` (counting the one being written).
  std::vector<uint64_t> older;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, handles_[snapshot_cf]));
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    auto key = it->key();
    if (key.size() == 9 && key[8] == 'M') {
      uint64_t s = seq_from_key(key.data(), key.size());
      if (s != seq)
        older.push_back(s);
    }
  }
  for (std::size_t i = keep > 0 ? keep - 1 : 0; i < older.size(); ++i)
    check(batch.DeleteRange(handles_[snapshot_cf], seq_key(older[i]), seq_key(older[i] + 1)),
          "cannot stage snapshot removal");

  // Snapshots bypass the write-ahead log: the batch goes to the memtable and is then flushed
  // to its own table file, durable when Flush returns. A crash before that loses only this
  // snapshot; restart then uses the previous one and a longer tail.
  rocksdb::WriteOptions w;
  w.disableWAL = true;
  check(db_->Write(w, &batch), "cannot write a snapshot to " + directory_);
  rocksdb::FlushOptions flush;
  flush.wait = true;
  check(db_->Flush(flush, handles_[snapshot_cf]), "cannot flush a snapshot in " + directory_);
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
  std::string value;
  for (uint32_t chunk = 0; chunk < manifest.chunk_count; ++chunk) {
    auto key = snapshot_chunk_key(manifest.seq, chunk);
    check(db_->Get({}, handles_[snapshot_cf], key, &value),
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
  }
  if (count != manifest.object_count)
    throw store_error("snapshot " + std::to_string(manifest.seq) + " in " + directory_ + " has " +
                      std::to_string(count) + " objects, its manifest says " +
                      std::to_string(manifest.object_count));
}

}  // namespace capstan::store
