// DATA/raft/capstan-members: the members a master last knew, one line each ("ID ADDRESS"),
// beside C-Raft's files (it ignores the name). A hint for catching up at start, when C-Raft has
// restored its snapshot but not yet read its configuration (store/raft_log.cpp).
#pragma once

#include <string>
#include <vector>

#include "store/replicated_log.hpp"

namespace capstan::store {

bool same_members(const std::vector<replicated_member>& a, const std::vector<replicated_member>& b);
// Rewritten atomically (not synced: a hint); a failure leaves the old file.
void write_members_file(const std::string& path, const std::vector<replicated_member>& members);
// At most 64 members with an id and an address of at most 255 bytes; none when unreadable.
std::vector<replicated_member> read_members_file(const std::string& path);

}  // namespace capstan::store
