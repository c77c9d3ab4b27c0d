// The members of a cluster of masters, as the master a connection reaches sees them (what
// `capstanctl members` and `capstan master members` print), and taking one out.
#pragma once

#include <iosfwd>
#include <string>

#include "tools/ctl/connection.hpp"

namespace capstan::ctl {

// Prints ID ADDRESS ROLE VOTER REACHABLE (a Raft connection with the master answering) ASKED
// (the master answering: *); a line on `err` when that master
// knows no leader now. Returns the exit code.
int print_members(const connection& c, std::ostream& out, std::ostream& err);

// DELETE /capstan/v1/members/ID (forwarded to the leader, which commits it). `id` must be a
// number (exit 2 otherwise). Returns the exit code.
int remove_member(const std::string& id, const connection& c, std::ostream& out, std::ostream& err);

}  // namespace capstan::ctl
