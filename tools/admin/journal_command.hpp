// `capstan journal ...`: offline tools over a data directory's journal (the master must not
// be running on it for import and snapshot: RocksDB admits one writer). import seeds objects,
// history and state audit, snapshot compacts restart time.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace capstan::admin {

struct journal_flags {
  std::string data;                // --data DIR (the journal is DIR/journal)
  std::string user;                // import --user
  std::vector<std::string> files;  // import -f
  std::string kind;                // --kind: a resource (pods, rc) or kind name (Pod)
  std::string name;                // history --name [NAMESPACE/]NAME
  uint64_t from = 1, to = UINT64_MAX;
  uint64_t at = 0;  // state --at
  bool has_at = false;
};

// Registers `journal import|history|state|snapshot` on `root`.
void add_journal_command(CLI::App& root);

// `journal history` and `journal state` as functions (for `capstan audit`): the process exit
// code (0 ok, 1 failure, 2 usage).
int journal_history(const journal_flags& f, std::ostream& out, std::ostream& err);
int journal_state(const journal_flags& f, std::ostream& out, std::ostream& err);

}  // namespace capstan::admin
