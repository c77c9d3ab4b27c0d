#include "store/journal_entry.hpp"

#include <cstring>

#include "store/event_log.hpp"
#include "store/secret_sealing.hpp"

namespace capstan::store {

namespace {

constexpr std::string_view entry_magic = "CSJ1";

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i, v >>= 8)
    out.push_back(static_cast<char>(v & 0xff));
}

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i, v >>= 8)
    out.push_back(static_cast<char>(v & 0xff));
}

// Reads little-endian integers from `bytes`, refusing to read past its end.
struct entry_reader {
  std::string_view bytes;
  std::size_t at = 0;

  uint64_t take(std::size_t width) {
    if (bytes.size() - at < width)
      throw store_error("replicated journal entry truncated at byte " + std::to_string(at));
    uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i)
      v |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
    at += width;
    return v;
  }
  std::string_view take_bytes(std::size_t n) {
    if (bytes.size() - at < n)
      throw store_error("replicated journal entry truncated at byte " + std::to_string(at));
    auto v = bytes.substr(at, n);
    at += n;
    return v;
  }
};

}  // namespace

std::string encode_journal_entry(const journal_entry& entry, const secret_sealer* sealer) {
  std::string out(entry_magic);
  put_u64(out, entry.proposal);
  put_u32(out, static_cast<uint32_t>(entry.records.size()));
  for (const auto& r : entry.records) {
    std::unique_ptr<messages::journal_record> sealed;
    if (sealer) {
      sealed = sealer->sealed_copy(r);
    } else if (const auto* s = secret_in(r); s && !s->data.empty()) {
      throw store_error("cannot propose to the replicated journal: a Secret's data would be "
                        "written in clear (no secrets key)");
    }
    std::string value = messages::encode_record(sealed ? *sealed : r);
    put_u32(out, static_cast<uint32_t>(value.size()));
    out += value;
  }
  return out;
}

journal_entry_view parse_journal_entry(std::string_view bytes) {
  entry_reader in{bytes};
  if (in.take_bytes(entry_magic.size()) != entry_magic)
    throw store_error("not a replicated journal entry (no CSJ1 header)");
  journal_entry_view entry;
  entry.proposal = in.take(8);
  uint64_t count = in.take(4);
  // Every record takes at least its 4-byte length: a count beyond that is a lie.
  if (count > (bytes.size() - in.at) / 4)
    throw store_error("replicated journal entry claims " + std::to_string(count) +
                      " records in " + std::to_string(bytes.size()) + " bytes");
  entry.records.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    std::size_t size = in.take(4);
    entry.records.push_back(in.take_bytes(size));
  }
  // Up to 7 zero bytes fill the engine's last 8-byte word; anything else is damage.
  std::string_view rest = bytes.substr(in.at);
  if (rest.size() > 7 || rest.find_first_not_of('\0') != std::string_view::npos)
    throw store_error("replicated journal entry has " + std::to_string(rest.size()) +
                      " bytes after its records");
  return entry;
}

journal_entry decode_journal_entry(std::string_view bytes) {
  journal_entry_view view = parse_journal_entry(bytes);
  journal_entry entry;
  entry.proposal = view.proposal;
  entry.records.reserve(view.records.size());
  for (std::size_t i = 0; i < view.records.size(); ++i) {
    try {
      entry.records.push_back(messages::decode_record(view.records[i]));
    } catch (const messages::decode_error& e) {
      throw store_error("replicated journal entry holds an undecodable record " +
                        std::to_string(i) + ": " + e.what());
    }
  }
  return entry;
}

}  // namespace capstan::store
