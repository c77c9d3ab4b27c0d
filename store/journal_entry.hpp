// One entry of the replicated log: the records of one group-commit batch, proposed by the
// leader and applied to every member's journal (store/LOG_FORMAT.md, "Replicated entries").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "messages/capnp_codec.hpp"

namespace capstan::store {

class secret_sealer;

struct journal_entry {
  // Random, chosen by the proposer: lets it recognise its own entry when it is applied (and
  // use the records it holds instead of decoding them).
  uint64_t proposal = 0;
  // With the sequence numbers the proposer expects them to get and their commit time stamped
  // by the proposer (so that every member records the same time). The journal assigns the
  // numbers when it applies the entry; when they are the expected ones (always, but after a
  // change of leader with entries in flight) it stores the entry's encoded records as they are.
  std::vector<messages::journal_record> records;
};

// An entry's parts, not decoded: views into the bytes given to parse_journal_entry.
struct journal_entry_view {
  uint64_t proposal = 0;
  std::vector<std::string_view> records;  // each an encoded record, Secrets sealed
};

// Encodes `entry`, its Secrets sealed with `sealer` (the replicated log is on disk too). Throws
// store_error when a Secret with data would be written in clear (no sealer).
std::string encode_journal_entry(const journal_entry& entry, const secret_sealer* sealer);

// Splits an entry into its encoded records (up to 7 zero bytes after it are the replicated
// log's padding). Throws store_error on anything that is not an entry this build wrote: bounded
// by the bytes given, never reads past them.
journal_entry_view parse_journal_entry(std::string_view bytes);

// Decodes an entry; its Secrets stay sealed. Throws store_error as parse_journal_entry does, and
// on a record that does not decode.
journal_entry decode_journal_entry(std::string_view bytes);

}  // namespace capstan::store
