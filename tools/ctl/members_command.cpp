// `capstanctl members`: the masters of the cluster (id, member address, voter) and which one
// leads, as the master the connection reaches sees them; `capstanctl members remove ID` takes
// master ID out of the cluster.
#include <memory>
#include <ostream>

#include "tools/ctl/members.hpp"

#include "tools/cli/cli.hpp"
#include "tools/ctl/commands.hpp"
#include "tools/ctl/resources.hpp"

namespace capstan::ctl {

int print_members(const connection& c, std::ostream& out, std::ostream& err) {
  auto r = call(c, "GET", "/capstan/v1/members");
  if (r.status != 200)
    return server_error(r, err);
  auto doc = json::parse(r.body);
  std::vector<std::vector<std::string>> rows = {
      {"ID", "ADDRESS", "ROLE", "VOTER", "REACHABLE", "ASKED"}};
  for (const auto& m : doc["items"])
    rows.push_back({std::to_string(m.value("id", uint64_t{0})), m.value("address", ""),
                    m.value("leader", false) ? "leader" : "follower",
                    m.value("voter", false) ? "yes" : "no",
                    m.value("reachable", true) ? "yes" : "no", m.value("self", false) ? "*" : ""});
  print_rows(rows, out);
  if (doc.value("leader", uint64_t{0}) == 0)
    err << "No leader known to this master now.\n";
  return 0;
}

int remove_member(const std::string& id, const connection& c, std::ostream& out,
                  std::ostream& err) {
  if (id.empty() || id.size() > 20 || id.find_first_not_of("0123456789") != std::string::npos) {
    err << "error: a member id is a number (capstanctl members lists them), not \"" << id
        << "\"\n";
    return 2;
  }
  auto r = call(c, "DELETE", "/capstan/v1/members/" + id);
  if (r.status != 200)
    return server_error(r, err);
  out << "master " << id << " removed from the cluster: stop its process\n";
  return 0;
}

void add_members_command(CLI::App& root, context& ctx) {
  CLI::App* cmd = root.add_subcommand(
      "members", "The masters of the cluster and which one leads (ASKED: the one answering)");
  cmd->callback([&ctx, cmd] {
    if (!cmd->get_subcommands().empty())
      return;
    run_connected(ctx, [&](const connection& c) { return print_members(c, ctx.out, ctx.err); });
  });
  auto id = std::make_shared<std::string>();
  CLI::App* remove = cmd->add_subcommand(
      "remove", "Take master ID out of the cluster (the leader commits it; then stop its process)");
  remove->add_option("ID", *id, "The member's id (capstanctl members lists them)")->required();
  remove->callback([&ctx, id] {
    run_connected(ctx,
                  [&](const connection& c) { return remove_member(*id, c, ctx.out, ctx.err); });
  });
}

}  // namespace capstan::ctl
