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
  // Without sequence numbers (the journal assigns them when it applies the entry), with their
  // commit time stamped by the proposer (so that every member records the same time).
  std::vector<messages::journal_record> records;
};

// Encodes `entry`, its Secrets sealed with `sealer` (the replicated log is on disk too). Throws
// store_error when a Secret with data would be written in clear (no sealer).
std::string encode_journal_entry(const journal_entry& entry, const secret_sealer* sealer);

// Decodes an entry (up to 7 zero bytes after it are the replicated log's padding); its
// Secrets stay sealed. Throws store_error on anything that is not an
// entry this build wrote: bounded by the bytes given, never reads past them.
journal_entry decode_journal_entry(std::string_view bytes);

}  // namespace capstan::store
