// A new master joining a running cluster (issue #20), k3s-style:
//   capstan master --data DIR --server https://HOST:PORT --token K10... --peer-address IP:PORT
// against the door api/master_join.hpp describes. The token is the cluster's master token
// (DATA/master-token on any master); its hash pins the server CA before anything secret is
// sent, and its secret only ever travels as a proof over TLS verified against that CA.
#pragma once

#include <optional>
#include <string>

#include "common/pinned_https.hpp"
#include "tools/admin/member_file.hpp"

namespace capstan::admin {

// "https://HOST:PORT" (PORT defaults to 6443; IPv6 hosts in brackets); nullopt otherwise.
std::optional<common::https_target> parse_server_url(const std::string& url);

// Whether DATA holds a master's journal or Raft log already: a join never writes there.
bool holds_master_data(const std::string& data_dir);

// Step 1: the server's CA checked against the token's hash, then an id and the files every
// master of the cluster shares (api::shared_master_files), written into DATA (refused, nothing
// written, when holds_master_data), then DATA/member. Throws std::runtime_error saying what
// failed: a malformed or bare token, a CA whose hash is not the token's, the server's refusal
// with its HTTP status and message, a network fault.
member_record join_cluster(const std::string& data_dir, const std::string& server_url,
                           const std::string& token, const std::string& peer_address);

// Step 2, once this member runs (waiting to be added): asks the server to add it and make it a
// voter, which takes up to a minute (the leader catches it up first). "" once done, else why
// not; `worth_retrying` says whether asking again may help (no leader now, not caught up yet,
// a network fault) or not (the server refuses this member for good).
// `abandon`, set from another thread, ends a request in flight.
std::string ask_to_be_added(const std::string& data_dir, const member_record& record,
                            bool& worth_retrying, const std::atomic<bool>* abandon = nullptr);

}  // namespace capstan::admin
