#include "store/restore.hpp"

#include <chrono>

namespace capstan::store {

void load_snapshot(cluster_state& state, const event_log& log,
                   const messages::snapshot_manifest& manifest) {
  log.load_snapshot(manifest, [&](any_object&& o) { load_object(state, std::move(o)); });
  state.seq = manifest.seq;
}

cluster_state restore(const event_log& log, restore_stats* stats) {
  auto start = std::chrono::steady_clock::now();
  cluster_state state;
  restore_stats s;
  if (auto manifest = log.latest_snapshot()) {
    if (manifest->seq > log.last_seq())
      throw store_error("snapshot " + std::to_string(manifest->seq) + " in " + log.directory() +
                        " is newer than the last journal record " + std::to_string(log.last_seq()));
    load_snapshot(state, log, *manifest);
    s.snapshot_seq = manifest->seq;
    s.snapshot_objects = state.size();
  }
  log.read(state.seq + 1, log.last_seq(), [&](journal_record&& r) {
    apply(state, std::move(r));
    ++s.replayed_records;
    return true;
  });
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
  if (auto manifest = log.snapshot_at_or_before(seq))
    load_snapshot(state, log, *manifest);
  log.read(state.seq + 1, seq, [&](journal_record&& r) {
    apply(state, std::move(r));
    return true;
  });
  return state;
}

void write_snapshot(event_log& log, const cluster_state& state, std::size_t keep) {
  log.write_snapshot(state.seq, state.all_objects(), keep);
}

}  // namespace capstan::store
