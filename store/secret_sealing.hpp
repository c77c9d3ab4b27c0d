// Secret values never reach the journal's disk in clear: the journal keeps every change
// forever, so a Secret's data (and its annotations, where kubectl apply copies the whole object)
// is sealed with AES-256-GCM before a record or snapshot holding it is encoded, and opened again
// when it is read. The rest of the record stays readable (the Secret's name, labels, type, and
// its key names through managedFields), so the audit still shows who changed which Secret and
// when.
//
// Keys live in a key file (DATA/secrets.key, mode 0600), one per line: `ID:BASE64(32 bytes)`.
// The first line seals; every line opens (an envelope names the key that sealed it). Rotation:
// put a new key on the first line and restart; old records stay sealed with the old keys, which
// must stay in the file for as long as that history is to be read (removing a key makes the
// values it sealed unreadable for good: the records then read with empty data and an error in
// the log, never with garbage).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "messages/domain_event.hpp"

namespace capstan::store {

class secret_sealer {
public:
  // `keys`: (id, 32-byte key) pairs, the sealing key first. Throws store_error when empty, when
  // a key is not 32 bytes, an id is empty, longer than 64 bytes, holds ':' or a newline, or is
  // given twice.
  explicit secret_sealer(std::vector<std::pair<std::string, std::string>> keys);

  // Reads the key file at `path`, creating it (mode 0600, one fresh random key, synced) when it
  // does not exist. Throws store_error when it cannot be read or created, is readable by others
  // than its owner, or holds a malformed line (the message names the line).
  static std::shared_ptr<const secret_sealer> from_key_file(const std::string& path);

  // A fresh key file's one line ("k1:..." with a random key), for documentation and tests.
  static std::string new_key_line(const std::string& id);

  // Moves `s.data` and the Secret's annotations (kubectl apply's last-applied-configuration
  // holds the values too) into `s.sealed`, leaving both empty. A Secret with neither stays.
  void seal(messages::secret& s) const;
  // Restores `s.data` and the annotations from `s.sealed` and clears it. Throws store_error when no key of the
  // ring opens the envelope or it was made for another Secret (names are authenticated).
  void unseal(messages::secret& s) const;

  // A copy of `r` with its Secret sealed, or `nullptr` when the record holds no Secret with
  // data or annotations (the caller then encodes the record itself).
  std::unique_ptr<messages::journal_record> sealed_copy(const messages::journal_record& r) const;

  const std::string& sealing_key_id() const { return keys_.front().first; }

private:
  std::vector<std::pair<std::string, std::string>> keys_;
};

// The Secret a record holds (created or updated), or nullptr: what is sealed and opened.
messages::secret* secret_in(messages::journal_record& r);
const messages::secret* secret_in(const messages::journal_record& r);

}  // namespace capstan::store
