// The door a new master uses to join the cluster (issue #20), answered without a bearer token:
// the new master proves the secret of the master token (DATA/master-token, K10<sha256 of the
// server CA>::<secret>) instead, over TLS it verified against the CA the token names.
//
//   POST /v1-capstan/master-join {"peerAddress": "IP:PORT", "memberId": N, "proof": HMAC}
//     proof = common::master_join_proof(secret, peerAddress, N)
//   N = 0: asks for an id and the files every master of the cluster shares -> 200
//     {"memberId", "files": {"tls/ca.crt", "tls/ca.key", "tls/client-ca.crt",
//     "tls/client-ca.key", "secrets.key", "service-account.key", "tokens.csv", "node-token",
//     "master-token"}, "members": [{"id", "address"}]}. The id is random (never one a member
//     has now); nothing in the cluster changes.
//   N > 0: asks that member N, running at peerAddress and waiting, be added: the leader adds it
//     (forwarded there from a follower) and makes it a voter once it has caught up -> 200
//     {"memberId": N}. Asked again, only what is left is done.
// Refusals are Kubernetes Status answers and change nothing: 400 (malformed body or address),
// 401 (a proof that does not match), 404 (this master runs alone: no master may join it), 405
// (another method), 409 (another member at that address, or N at another one; another change
// under way), 413 (a body over 16 KiB), 503 (no leader now, or the member could not be caught
// up yet: ask again).
#pragma once

#include <string>
#include <string_view>

#include "actors/master/master.hpp"
#include "api/http_message.hpp"

namespace capstan::api {

inline constexpr std::string_view master_join_path = "/v1-capstan/master-join";
inline constexpr std::size_t max_master_join_request_bytes = 16 * 1024;

// The files a joining master receives, relative to DATA.
const std::vector<std::string>& shared_master_files();

class master_join {
public:
  // `data_dir`: where this master's shared files are read from at each request; `secret`: the
  // master token's secret.
  master_join(actors::master& master, std::string data_dir, std::string secret);

  // Thread-safe; never throws. Adding a member may take a minute (it is caught up first):
  // call it from a handler thread, never an io thread.
  http_response handle(const http_request& request) const;

private:
  http_response hand_out_files(const std::string& peer_address) const;
  http_response add(uint64_t member_id, const std::string& peer_address) const;

  actors::master& master_;
  const std::string data_dir_;
  const std::string secret_;
};

}  // namespace capstan::api
