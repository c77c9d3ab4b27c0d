// The join token and the proofs made with it (seed 002: only verified nodes may join).
//
// The token is k3s-shaped: `K10<sha256 hex of the server CA certificate PEM>::<secret>`. The hash
// lets a node check the master before it sends anything secret; the secret never crosses the
// wire, only HMACs keyed with it:
// - joining (CAF): the master sends a fresh random nonce; the node answers
//   HMAC-SHA256(secret, nonce || "\n" || node name); a captured answer is useless for another
//   nonce or another node name.
// - asking for a node certificate (HTTPS): HMAC-SHA256(secret, "capstan-node-certificate\n" ||
//   node name || "\n" || SHA-256 of the CSR's public key); a captured proof can only certify a
//   key its holder does not have.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace capstan::common {

struct join_token {
  std::string ca_hash;  // 64 lowercase hex digits; empty for a bare secret (no CA check)
  std::string secret;
};

// `K10<64 hex digits>::<secret>` (the hash is lowercased), or a bare secret without the K10
// prefix (ca_hash empty: the caller decides whether it may skip the CA check). Surrounding
// blanks are ignored. nullopt when the text is neither: a K10 prefix with a malformed hash or
// no "::", an empty secret, a secret over 1024 characters or with blanks or control characters.
std::optional<join_token> parse_join_token(std::string_view text);
// The text parse_join_token reads back: the bare secret when ca_hash is empty.
std::string format_join_token(const join_token& token);

// 32 random bytes (OpenSSL's CSPRNG), hex.
std::string random_nonce();
// A new secret for a join token: 32 random bytes, hex.
std::string new_join_token();

// HMAC-SHA256(key, nonce || "\n" || node_name), hex. The key is the secret of `token` when it
// is a K10 token, else `token` itself: the full token and its bare secret prove alike.
std::string join_proof(const std::string& token, const std::string& nonce,
                       const std::string& node_name);
// HMAC-SHA256(secret, "capstan-node-certificate\n" || node_name || "\n" ||
// public_key_sha256), hex: the proof that asks the master to certify a key for a node.
std::string node_certificate_proof(const std::string& secret, const std::string& node_name,
                                   const std::string& public_key_sha256);
// HMAC-SHA256(secret of the master token, "capstan-master-join\n" || peer_address || "\n" ||
// member_id in decimal), hex: the proof a new master sends to join a cluster (member_id 0: it
// asks for an id and the cluster's files; its id: it asks to be added at peer_address). It
// crosses only TLS verified against the CA the token names.
std::string master_join_proof(const std::string& secret, const std::string& peer_address,
                              uint64_t member_id);
// Constant-time comparison of two proofs.
bool proofs_equal(const std::string& a, const std::string& b);

// The master's token in DATA/node-token (mode 0600, written atomically): created with a new
// secret on first use; a bare secret (an older master's file) or a K10 token whose hash is not
// that of `ca_certificate_pem` is rewritten as K10<sha256 of ca_certificate_pem>::<same
// secret>. Throws std::runtime_error naming the file when it holds no token or cannot be
// written.
join_token load_or_create_join_token(const std::string& data_dir,
                                     const std::string& ca_certificate_pem);
// The token that lets another master join the cluster, DATA/master-token: the same form and
// rules as DATA/node-token, another secret (a node's token must not make a master: a master
// receives the cluster's keys).
join_token load_or_create_master_token(const std::string& data_dir,
                                       const std::string& ca_certificate_pem);
// The secret of DATA/node-token, which is created holding a bare secret when missing; the
// overload above upgrades it. For the node gateway, whose key is the secret alone.
std::string load_or_create_join_token(const std::string& data_dir);
// A node's token file: its first line, surrounding blanks removed. Throws std::runtime_error
// naming the file when it cannot be read or is empty.
std::string read_join_token(const std::string& path);

}  // namespace capstan::common
