// The journal as the state machine of a replicated log: each committed entry's records are
// appended to this member's event_log (sequence numbers assigned there, so identical on every
// member that applied the same entries) together with the entry's index, then handed on.
#pragma once

#include <functional>
#include <mutex>
#include <optional>

#include "store/event_log.hpp"
#include "store/journal_entry.hpp"
#include "store/replicated_log.hpp"

namespace capstan::store {

class journal_state_machine : public replicated_state_machine {
public:
  // Receives each applied entry's records (with their sequence numbers; none for an entry that
  // could not be decoded) and its index, on the engine's thread, in order, after they are in
  // the journal. Must not block.
  using applied_sink = std::function<void(uint64_t index, std::vector<journal_record>&& records)>;

  // `log` is written with its `sync` option off or on as opened: the replicated log is the
  // write-ahead log, so the journal need not sync each entry (make_durable does, before the
  // engine forgets entries).
  journal_state_machine(event_log& log, applied_sink sink);

  // The records of this member's proposal `proposal`, in clear: when it is applied, they are
  // used as they are instead of decoding (and unsealing) the entry. One at a time.
  void expect(uint64_t proposal, std::vector<journal_record> records);
  // Forgets the expected proposal (it was refused, or applied).
  void forget_expected();

  // Why the last entry could not be written to the journal (a full disk); empty once one was.
  // Any thread.
  std::string failure() const;

  std::string apply(uint64_t index, std::string_view entry) override;
  uint64_t applied_index() const override;
  std::string make_durable() override;
  void begin_new_log() override;
  // A snapshot stands for the journal up to its last record: the data is last_seq() (8 bytes,
  // little-endian). A member behind it fetches the records it lacks, as stored (Secrets stay
  // sealed: the members share the sealing key), appends them with the snapshot's index, syncs,
  // and hands them on like applied entries. Chunks are frames of [seq (8 bytes LE), length
  // (4 bytes LE), the record as stored].
  std::string snapshot_data() const override;
  std::string restore_snapshot(uint64_t index, std::string_view data,
                               const peer_fetch& fetch) override;
  std::string read_for_peer(uint64_t& next, uint64_t to, std::size_t budget) const override;

private:
  // Appends one fetched chunk (records up to `last_seq` at most) and hands it on.
  std::string take_fetched(std::string_view chunk, uint64_t last_seq, uint64_t index);

  event_log& log_;
  applied_sink sink_;
  mutable std::mutex expected_mutex_;  // expect() runs on the writer's thread
  std::optional<journal_entry> expected_;  // guarded by expected_mutex_
  std::string failure_;                    // guarded by expected_mutex_
};

}  // namespace capstan::store
