// The static token file DATA/tokens.csv, read as kube-apiserver reads --token-auth-file: one
// user per record, `token,user,uid` and optionally a fourth field, the user's groups separated
// by commas (quoted, as CSV quotes a field with commas: `t0k3n,bob,u-bob,"team-a,developers"`).
// Empty lines and lines starting with '#' are skipped. The master's first start writes one
// admin token in group system:masters (RBAC lets that group do anything).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "auth/request_attributes.hpp"

namespace capstan::api {

using user_info = auth::user_identity;

struct token_entry {
  std::string token;
  user_info user;
};

// One record: the entry, nothing for a record to skip (empty line, comment, empty token, as
// Kubernetes skips it), or the error that makes the file unusable (fewer than 3 fields, an
// unterminated quote).
std::variant<std::monostate, token_entry, std::string> parse_token_line(const std::string& line);

// Bearer tokens from DATA/tokens.csv; created with one admin token on first start. The admin
// line capstan wrote before groups existed (`TOKEN,admin,admin`, 48 hex digits) is given
// system:masters, in the file too; other lines are left as they are. Throws
// std::runtime_error naming the line when a record is bad.
class token_table {
public:
  static token_table load_or_create(const std::string& data_dir);
  // The user a bearer token belongs to, with the group every authenticated user is in
  // (system:authenticated); comparison is constant-time. A token listed twice is the later
  // line's, as Kubernetes reads it.
  std::optional<user_info> authenticate(const std::string& token) const;
  const std::string& admin_token() const { return admin_token_; }

private:
  std::vector<token_entry> entries_;
  std::string admin_token_;
};

}  // namespace capstan::api
