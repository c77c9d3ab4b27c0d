#include "api/members_api.hpp"

#include "api/responses.hpp"

namespace capstan::api {

using messages::json;

namespace {

constexpr std::string_view members_path = "/capstan/v1/members";

http_response remove_member(actors::master& master, std::string_view id_text) {
  uint64_t id = 0;
  for (char c : id_text) {
    if (c < '0' || c > '9' || id > 1000000000000ull)
      return status_error(404, "NotFound",
                          "no master of this cluster has id \"" +
                              std::string(id_text.substr(0, 40)) + "\"");
    id = id * 10 + static_cast<uint64_t>(c - '0');
  }
  auto reply = master.change_members({actors::membership_command::change::remove, id, ""});
  if (!reply.ok())
    return status_error(actors::http_status(reply.error->code),
                        actors::status_reason(reply.error->code), reply.error->message);
  return json_response(200, {{"kind", "Status"},
                             {"apiVersion", "v1"},
                             {"status", "Success"},
                             {"message", "master " + std::to_string(id) +
                                             " is no member any more: stop its process"},
                             {"details", {{"name", std::to_string(id)}, {"kind", "members"}}}});
}

}  // namespace

bool is_members_path(std::string_view path) {
  return path == members_path ||
         (path.size() > members_path.size() + 1 && path.substr(0, members_path.size()) == members_path &&
          path[members_path.size()] == '/' &&
          path.find('/', members_path.size() + 1) == std::string_view::npos);
}

http_response members_api(actors::master& master, const http_request& req) {
  if (req.path != members_path) {
    if (req.method != "DELETE")
      return status_error(405, "MethodNotAllowed", "a member is removed with DELETE");
    return remove_member(master, std::string_view(req.path).substr(members_path.size() + 1));
  }
  if (req.method != "GET")
    return status_error(405, "MethodNotAllowed", "the members are read with GET");
  auto membership = master.members();
  const uint64_t self = master.member_id();
  json items = json::array();
  if (membership.members.empty() && !master.one_of_several()) {
    items.push_back({{"id", self}, {"address", ""}, {"voter", true}, {"reachable", true},
                     {"leader", true}, {"self", true}});
    membership.leader_id = self;
  }
  for (const auto& m : membership.members)
    items.push_back({{"id", m.id},
                     {"address", m.address},
                     {"voter", m.voter},
                     {"reachable", membership.reachable.count(m.id) != 0},
                     {"leader", m.id == membership.leader_id},
                     {"self", m.id == self}});
  return json_response(200, {{"kind", "MemberList"},
                             {"apiVersion", "capstan/v1"},
                             {"self", self},
                             {"leader", membership.leader_id},
                             {"items", items}});
}

}  // namespace capstan::api
