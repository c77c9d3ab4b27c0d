#include "tools/admin/master_join_client.hpp"

#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "api/master_join.hpp"
#include "common/join_proof.hpp"
#include "common/pki.hpp"

namespace capstan::admin {

namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what);
}

// The files of DATA a join writes, and the mode of each.
mode_t mode_of(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".crt") == 0 ? 0644 : 0600;
}

std::string server_of(const common::https_target& t) {
  return t.host + ":" + std::to_string(t.port);
}

}  // namespace

std::optional<common::https_target> parse_server_url(const std::string& url) {
  const std::string scheme = "https://";
  if (url.compare(0, scheme.size(), scheme) != 0)
    return std::nullopt;
  std::string rest = url.substr(scheme.size());
  while (!rest.empty() && rest.back() == '/')
    rest.pop_back();
  if (rest.empty() || rest.find('/') != std::string::npos || rest.find('@') != std::string::npos)
    return std::nullopt;
  common::https_target target;
  target.user_agent = "capstan-master";
  std::string port;
  if (rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos)
      return std::nullopt;
    target.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':')
        return std::nullopt;
      port = rest.substr(close + 2);
    }
  } else {
    auto colon = rest.rfind(':');
    target.host = rest.substr(0, colon);
    if (colon != std::string::npos)
      port = rest.substr(colon + 1);
  }
  if (target.host.empty())
    return std::nullopt;
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    int p = std::stoi(port);
    if (p < 1 || p > 65535)
      return std::nullopt;
    target.port = static_cast<uint16_t>(p);
  }
  return target;
}

bool holds_master_data(const std::string& data_dir) {
  std::error_code ec;
  return std::filesystem::exists(data_dir + "/journal", ec) ||
         std::filesystem::exists(data_dir + "/raft", ec);
}

member_record join_cluster(const std::string& data_dir, const std::string& server_url,
                           const std::string& token_text, const std::string& peer_address) {
  if (holds_master_data(data_dir))
    fail(data_dir + " holds a master's journal already: a master joins a cluster on an empty "
                    "--data (nothing of it is overwritten)");
  auto server = parse_server_url(server_url);
  if (!server)
    fail("--server \"" + server_url.substr(0, 200) + "\" is no https://HOST:PORT URL");
  auto token = common::parse_join_token(token_text);
  if (!token || token->ca_hash.empty())
    fail("the token is no master token: expected K10<sha256 of the cluster's CA>::<secret>, "
         "the content of DATA/master-token on a master");

  // 1. The server's CA, unverified, checked by its hash before anything secret is sent.
  auto ca = common::pinned_https_request(*server, "GET", "/cacerts", "", std::nullopt);
  if (ca.status != 200)
    fail("the master at " + server_of(*server) + " answered /cacerts with HTTP " +
         std::to_string(ca.status) + ": " + common::refusal_message(ca));
  const std::string ca_hash = common::sha256_hex(ca.body);
  if (ca_hash != token->ca_hash)
    fail("the master's CA has sha256 " + ca_hash + " but the token expects " + token->ca_hash +
         ": refusing to join this master");

  // 2. An id and the files, over TLS verified against that CA.
  json request = {{"peerAddress", peer_address},
                  {"memberId", 0},
                  {"proof", common::master_join_proof(token->secret, peer_address, 0)}};
  common::https_target asking = *server;
  asking.max_answer_bytes = 16 * 1024 * 1024;
  auto answer = common::pinned_https_request(asking, "POST", std::string(api::master_join_path),
                                             request.dump(), ca.body);
  if (answer.status != 200)
    fail("the master at " + server_of(*server) + " refused to let this master join: HTTP " +
         std::to_string(answer.status) + ": " + common::refusal_message(answer));
  member_record record;
  json files;
  try {
    auto body = json::parse(answer.body);
    record.id = body.at("memberId").get<uint64_t>();
    files = body.at("files");
    for (const auto& name : api::shared_master_files())
      if (!files.at(name).is_string())
        fail("the master's answer lacks " + name);
  } catch (const std::runtime_error&) {
    throw;
  } catch (const std::exception&) {
    fail("the master's answer is no member id and files");
  }
  if (record.id == 0)
    fail("the master's answer gives no member id");
  if (files["tls/ca.crt"].get<std::string>() != ca.body)
    fail("the master handed out another CA than it serves: refusing it");

  // 3. Written into DATA: the files first, DATA/member last (a join cut short is done again
  // from the start: nothing else is in DATA yet).
  common::make_private_directory(data_dir);
  common::make_private_directory(data_dir + "/tls");
  for (const auto& name : api::shared_master_files())
    common::write_file_atomically(data_dir + "/" + name, files[name].get<std::string>(),
                                  mode_of(name));
  record.peer_address = peer_address;
  record.server = server_url;
  write_member_file(data_dir, record);
  return record;
}

std::string ask_to_be_added(const std::string& data_dir, const member_record& record,
                            bool& worth_retrying, const std::atomic<bool>* abandon) {
  worth_retrying = false;
  auto server = parse_server_url(record.server);
  if (!server)
    return "the member file names no server to ask (" + record.server.substr(0, 200) + ")";
  std::string ca, secret;
  try {
    ca = common::read_small_file(data_dir + "/tls/ca.crt");
    secret = common::read_join_token(data_dir + "/master-token");
  } catch (const std::exception& e) {
    return e.what();
  }
  auto token = common::parse_join_token(secret);
  if (!token)
    return data_dir + "/master-token holds no token";
  json request = {{"peerAddress", record.peer_address},
                  {"memberId", record.id},
                  {"proof", common::master_join_proof(token->secret, record.peer_address,
                                                      record.id)}};
  common::https_target asking = *server;
  asking.answer_timeout = std::chrono::seconds(75);
  asking.abandon = abandon;
  common::https_answer answer;
  try {
    answer = common::pinned_https_request(asking, "POST", std::string(api::master_join_path),
                                          request.dump(), ca);
  } catch (const std::exception& e) {
    worth_retrying = true;
    return e.what();
  }
  if (answer.status == 200)
    return "";
  const std::string message = common::refusal_message(answer);
  // Worth asking again: no leader now, not caught up yet, too busy, another change under way.
  worth_retrying = answer.status >= 500 || answer.status == 429 ||
                   (answer.status == 409 && message.find("in progress") != std::string::npos);
  return "HTTP " + std::to_string(answer.status) + ": " + message;
}

}  // namespace capstan::admin
