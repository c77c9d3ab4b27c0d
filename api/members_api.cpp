#include "api/members_api.hpp"

#include "api/responses.hpp"

namespace capstan::api {

using messages::json;

http_response members_api(const actors::master& master, const http_request& req) {
  if (req.method != "GET")
    return status_error(405, "MethodNotAllowed", "the members are read with GET");
  auto membership = master.members();
  const uint64_t self = master.member_id();
  json items = json::array();
  if (membership.members.empty()) {
    items.push_back({{"id", self}, {"address", ""}, {"voter", true}, {"leader", true},
                     {"self", true}});
    membership.leader_id = self;
  }
  for (const auto& m : membership.members)
    items.push_back({{"id", m.id},
                     {"address", m.address},
                     {"voter", m.voter},
                     {"leader", m.id == membership.leader_id},
                     {"self", m.id == self}});
  return json_response(200, {{"kind", "MemberList"},
                             {"apiVersion", "capstan/v1"},
                             {"self", self},
                             {"leader", membership.leader_id},
                             {"items", items}});
}

}  // namespace capstan::api
