#include "store/restore.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <variant>

#include "messages/decode_memo.hpp"
#include "store/read_ahead.hpp"
#include "store/read_ahead_parts.hpp"

namespace capstan::store {

namespace {

using messages::decode_memo;

void load_snapshot_with(cluster_state& state, const event_log& log,
                        const messages::snapshot_manifest& manifest, decode_memo& memo) {
  // Decoding is three quarters of the work: the chunks are decoded on threads of their own
  // (read_ahead_parts.hpp), and this thread shares their parts and inserts them, in order. The
  // duplicate parts sharing drops are freed here; the lists the memo already knows are not
  // decoded at all.
  const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  uint64_t objects = 0;
  read_ahead_parts<any_object>(
      manifest.chunk_count,
      [&](std::size_t chunk, const std::function<void(any_object&&)>& emit) {
        decode_memo::use in_use(memo);
        log.load_snapshot_chunk(manifest, static_cast<uint32_t>(chunk), emit);
      },
      [&](any_object&& o) {
        load_object(state, std::move(o));
        ++objects;
      },
      threads);
  log.expect_snapshot_objects(manifest, objects);
  state.seq = manifest.seq;
}

// A record as the reading thread hands it over: decoded there, or as stored, for the applying
// thread to decode (replay_to balances the two).
struct stored_record {
  uint64_t seq;
  std::string bytes;
};
using replay_item = std::variant<journal_record, stored_record>;

// The reading thread decodes while the applying thread has at least this many batches waiting;
// below it, it hands records over as stored. Decoding is most of a replay's work: this keeps
// both threads busy whichever would otherwise wait (the reader for a slow apply, the applier
// for a slow decode).
constexpr std::size_t decode_ahead_batches = 2;

journal_record decoded(const event_log& log, uint64_t seq, std::string_view bytes) {
  journal_record record = decode_stored_record(seq, bytes, log.directory());
  log.open_sealed_record(record);
  return record;
}

uint64_t replay_with(cluster_state& state, const event_log& log, uint64_t to, decode_memo& memo) {
  const uint64_t from = state.seq + 1;  // read here: the producer never touches `state`
  if (from > to)
    return 0;  // nothing to read: no thread
  uint64_t applied = 0;
  std::atomic<std::size_t> backlog{0};
  decode_memo::use in_use(memo);  // for the records this thread decodes
  read_ahead<replay_item>(
      [&](const std::function<void(replay_item&&)>& emit) {
        decode_memo::use reader_in_use(memo);
        log.read_stored(from, to, [&](uint64_t seq, std::string_view bytes) {
          if (backlog.load(std::memory_order_relaxed) >= decode_ahead_batches)
            emit(decoded(log, seq, bytes));
          else
            emit(stored_record{seq, std::string(bytes)});
          return true;
        });
      },
      [&](replay_item&& item) {
        if (auto* stored = std::get_if<stored_record>(&item))
          apply(state, decoded(log, stored->seq, stored->bytes));
        else
          apply(state, std::move(std::get<journal_record>(item)));
        ++applied;
      },
      256, 16, &backlog);
  return applied;
}

}  // namespace

void load_snapshot(cluster_state& state, const event_log& log,
                   const messages::snapshot_manifest& manifest) {
  decode_memo memo;
  load_snapshot_with(state, log, manifest, memo);
}

uint64_t replay_to(cluster_state& state, const event_log& log, uint64_t to) {
  decode_memo memo;
  return replay_with(state, log, to, memo);
}

cluster_state restore(const event_log& log, restore_stats* stats) {
  auto start = std::chrono::steady_clock::now();
  cluster_state state;
  restore_stats s;
  decode_memo memo;  // one for the snapshot and the tail: their lists end as one block each
  if (auto manifest = log.latest_snapshot()) {
    if (manifest->seq > log.last_seq())
      throw store_error("snapshot " + std::to_string(manifest->seq) + " in " + log.directory() +
                        " is newer than the last journal record " + std::to_string(log.last_seq()));
    load_snapshot_with(state, log, *manifest, memo);
    s.snapshot_seq = manifest->seq;
    s.snapshot_objects = state.size();
  }
  s.replayed_records = replay_with(state, log, log.last_seq(), memo);
  if (state.seq != log.last_seq())
    throw store_error("journal in " + log.directory() + " ends at record " +
                      std::to_string(state.seq) + " but its last key is " +
                      std::to_string(log.last_seq()));
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (stats)
    *stats = s;
  return state;
}

cluster_state state_at(const event_log& log, uint64_t seq) {
  if (seq > log.last_seq())
    throw store_error("journal in " + log.directory() + " has no record " + std::to_string(seq) +
                      " (its last is " + std::to_string(log.last_seq()) + ")");
  cluster_state state;
  decode_memo memo;
  if (auto manifest = log.snapshot_at_or_before(seq))
    load_snapshot_with(state, log, *manifest, memo);
  replay_with(state, log, seq, memo);
  return state;
}

void write_snapshot(event_log& log, const cluster_state& state, std::size_t keep) {
  log.write_snapshot(state.seq, state.all_objects(), keep);
}

}  // namespace capstan::store
