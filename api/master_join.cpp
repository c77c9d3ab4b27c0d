#include "api/master_join.hpp"

#include <set>

#include "api/request_body.hpp"
#include "api/responses.hpp"
#include "common/join_proof.hpp"
#include "common/pki.hpp"
#include "store/raft_tls_transport.hpp"

namespace capstan::api {

namespace {

using messages::json;

// The largest shared file handed out (a tokens.csv of many users stays far below).
constexpr std::size_t max_shared_file_bytes = 1024 * 1024;

http_response refused(actors::error_code code, const std::string& message) {
  return status_error(actors::http_status(code), actors::status_reason(code), message);
}

// A random id no member has now: 2 to 2^31 - 1 (1 is the id --cluster-init gives the first).
uint64_t new_member_id(const store::replicated_membership& now) {
  std::set<uint64_t> taken;
  for (const auto& m : now.members)
    taken.insert(m.id);
  for (;;) {
    uint64_t id = std::stoull(common::random_nonce().substr(0, 8), nullptr, 16) % 0x7fffffff;
    if (id >= 2 && !taken.count(id))
      return id;
  }
}

}  // namespace

const std::vector<std::string>& shared_master_files() {
  static const std::vector<std::string> files = {
      "tls/ca.crt",  "tls/ca.key",          "tls/client-ca.crt", "tls/client-ca.key",
      "secrets.key", "service-account.key", "tokens.csv",        "node-token",
      "master-token"};
  return files;
}

master_join::master_join(actors::master& master, std::string data_dir, std::string secret)
    : master_(master), data_dir_(std::move(data_dir)), secret_(std::move(secret)) {}

http_response master_join::handle(const http_request& request) const {
  try {
    if (request.method != "POST")
      return status_error(405, "MethodNotAllowed", "a master joins with POST");
    if (request.body.size() > max_master_join_request_bytes)
      return status_error(413, "RequestEntityTooLarge",
                          "the request body is larger than the limit of " +
                              std::to_string(max_master_join_request_bytes) + " bytes");
    auto parsed = parse_json_text(request.body, "the request body");
    if (auto* refusal = std::get_if<http_response>(&parsed))
      return *refusal;
    const json& body = std::get<json>(parsed);
    auto peer = body.is_object() ? body.find("peerAddress") : body.end();
    auto id = body.is_object() ? body.find("memberId") : body.end();
    auto proof = body.is_object() ? body.find("proof") : body.end();
    if (!body.is_object() || peer == body.end() || !peer->is_string() || id == body.end() ||
        !id->is_number_unsigned() || proof == body.end() || !proof->is_string())
      return status_error(400, "BadRequest",
                          "the body must be {\"peerAddress\": \"IP:PORT\", \"memberId\": N, "
                          "\"proof\": \"...\"}");
    const auto& peer_address = peer->get_ref<const std::string&>();
    const uint64_t member_id = id->get<uint64_t>();
    if (!store::is_raft_address(peer_address))
      return status_error(400, "BadRequest",
                          "peerAddress \"" + peer_address.substr(0, 100) +
                              "\" is no IP:PORT address");
    if (!common::proofs_equal(proof->get<std::string>(),
                              common::master_join_proof(secret_, peer_address, member_id)))
      return status_error(401, "Unauthorized",
                          "the proof does not match this cluster's master token "
                          "(DATA/master-token on a master)");
    return member_id == 0 ? hand_out_files(peer_address) : add(member_id, peer_address);
  } catch (const std::exception& e) {
    return status_error(500, "InternalError", std::string("internal error: ") + e.what());
  }
}

http_response master_join::hand_out_files(const std::string& peer_address) const {
  const auto membership = master_.members();
  if (membership.members.empty())
    return refused(actors::error_code::unavailable,
                   "this master is no member of its cluster yet (it waits to be added): ask "
                   "another");
  json members = json::array();
  for (const auto& m : membership.members) {
    if (m.address == peer_address)
      return refused(actors::error_code::already_exists,
                     "master " + std::to_string(m.id) + " is a member at " + peer_address +
                         " already: remove it first (capstanctl members remove " +
                         std::to_string(m.id) + "), or start it again on its own data");
    members.push_back({{"id", m.id}, {"address", m.address}});
  }
  json files = json::object();
  for (const auto& name : shared_master_files())
    files[name] = common::read_small_file(data_dir_ + "/" + name, max_shared_file_bytes);
  return json_response(200, {{"kind", "MasterJoin"},
                             {"apiVersion", "capstan/v1"},
                             {"memberId", new_member_id(membership)},
                             {"files", files},
                             {"members", members}});
}

http_response master_join::add(uint64_t member_id, const std::string& peer_address) const {
  auto reply =
      master_.change_members({actors::membership_command::change::add, member_id, peer_address});
  if (!reply.ok())
    return refused(reply.error->code, reply.error->message);
  return json_response(200,
                       {{"kind", "MasterJoin"}, {"apiVersion", "capstan/v1"}, {"memberId", member_id}});
}

}  // namespace capstan::api
