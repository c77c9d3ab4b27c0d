#include "api/token_file.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/pki.hpp"

namespace capstan::api {

namespace fs = std::filesystem;

namespace {

const char* const masters_line_groups = ",\"system:masters\"";

// The fields of one CSV record (RFC 4180 quoting: "a,b" is one field, "" inside quotes is a
// quote); nullopt for an unterminated quote.
std::optional<std::vector<std::string>> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  if (quoted)
    return std::nullopt;
  return fields;
}

std::string random_token() {
  unsigned char raw[24];
  if (RAND_bytes(raw, sizeof raw) != 1)
    throw std::runtime_error("cannot make a token: no random bytes");
  static const char hex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char c : raw) {
    token += hex[c >> 4];
    token += hex[c & 15];
  }
  return token;
}

// The admin line capstan wrote before tokens had groups: exactly `TOKEN,admin,admin` (48 hex
// digits); that admin was everybody's equal then, and is system:masters now.
bool is_old_admin_line(const std::string& line) {
  static const std::regex old_admin("^[0-9a-f]{48},admin,admin\r?$");
  return std::regex_match(line, old_admin);
}

}  // namespace

std::variant<std::monostate, token_entry, std::string> parse_token_line(const std::string& line) {
  if (line.empty() || line == "\r" || line[0] == '#')
    return std::monostate{};
  auto fields = csv_fields(line);
  if (!fields)
    return std::string("a quoted field does not end");
  if (fields->size() < 3)
    return "must have at least 3 columns (token, user name, user uid), found " +
           std::to_string(fields->size());
  if ((*fields)[0].empty())
    return std::monostate{};
  token_entry e{(*fields)[0], {(*fields)[1], (*fields)[2], {}}};
  if (fields->size() >= 4 && !(*fields)[3].empty()) {
    std::size_t start = 0;
    const std::string& groups = (*fields)[3];
    while (start <= groups.size()) {
      std::size_t comma = std::min(groups.find(',', start), groups.size());
      e.user.groups.push_back(groups.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return e;
}

token_table token_table::load_or_create(const std::string& data_dir) {
  const fs::path path = fs::path(data_dir) / "tokens.csv";
  if (!fs::exists(path))
    common::write_file_atomically(path.string(),
                                  random_token() + ",admin,admin" + masters_line_groups + "\n",
                                  0600);
  std::string text;
  {
    std::ifstream in(path);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  token_table t;
  std::string upgraded;
  bool upgrade = false;
  std::size_t line_number = 0, start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(text.find('\n', start), text.size());
    ++line_number;
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (is_old_admin_line(line)) {
      if (!line.empty() && line.back() == '\r')
        line.pop_back();
      line += masters_line_groups;
      upgrade = true;
    }
    upgraded += line + "\n";
    auto parsed = parse_token_line(line);
    if (auto* error = std::get_if<std::string>(&parsed))
      throw std::runtime_error("token file " + path.string() + ", line " +
                               std::to_string(line_number) + ": " + *error);
    if (auto* e = std::get_if<token_entry>(&parsed)) {
      if (e->user.name == "admin" && t.admin_token_.empty())
        t.admin_token_ = e->token;
      t.entries_.push_back(std::move(*e));
    }
  }
  if (upgrade)
    common::write_file_atomically(path.string(), upgraded, 0600);
  return t;
}

std::optional<user_info> token_table::authenticate(const std::string& token) const {
  std::optional<user_info> found;
  for (const auto& e : entries_)  // every entry, whatever matches: no timing to learn from
    if (e.token.size() == token.size() &&
        CRYPTO_memcmp(e.token.data(), token.data(), token.size()) == 0)
      found = e.user;
  if (found && std::find(found->groups.begin(), found->groups.end(), "system:authenticated") ==
                   found->groups.end())
    found->groups.push_back("system:authenticated");
  return found;
}

}  // namespace capstan::api
