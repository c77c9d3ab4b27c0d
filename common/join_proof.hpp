// Proving the join token without sending it (seed 002: only verified nodes may join). The
// master sends a fresh random nonce; the node answers HMAC-SHA256(token, nonce || node name);
// the master computes the same and compares in constant time. A captured answer is useless
// for another nonce or another node name.
#pragma once

#include <string>

namespace capstan::common {

// 32 random bytes (OpenSSL's CSPRNG), hex.
std::string random_nonce();
// A new join token: 32 random bytes, hex.
std::string new_join_token();
// HMAC-SHA256(token, nonce || node_name), hex.
std::string join_proof(const std::string& token, const std::string& nonce,
                       const std::string& node_name);
// Constant-time comparison of two proofs.
bool proofs_equal(const std::string& a, const std::string& b);

// The master's token: DATA/node-token, created (mode 0600) on first use.
std::string load_or_create_join_token(const std::string& data_dir);
// A node's token file: its first line, surrounding blanks removed. Throws std::runtime_error
// naming the file when it cannot be read or is empty.
std::string read_join_token(const std::string& path);

}  // namespace capstan::common
