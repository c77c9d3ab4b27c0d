// `capstan journal ...`: offline tools over a data directory's journal (the master must not
// be running on it: RocksDB admits one process). import seeds objects, history and state
// audit, snapshot compacts restart time.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace capstan::admin {

// Runs `capstan journal <args>`; returns the process exit code (0 ok, 1 failure, 2 usage).
int run_journal_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// Runs `capstan audit --data DIR history [TYPE[/NAME]] | at SEQ [TYPE]`, the offline form of
// `capstanctl audit`, on top of the journal commands.
int run_audit_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace capstan::admin
