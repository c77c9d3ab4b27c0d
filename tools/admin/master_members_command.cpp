#include "tools/admin/master_members_command.hpp"

#include <filesystem>
#include <iostream>
#include <memory>

#include "tools/cli/cli.hpp"
#include "tools/ctl/context.hpp"
#include "tools/ctl/members.hpp"

namespace capstan::admin {

namespace {

struct members_flags {
  std::string data_dir;
  std::string kubeconfig;  // empty: DATA/admin.kubeconfig
  std::string id;          // members remove
};

// Runs `command` against the master `flags` names (ctl::run_connected: exits 1 saying why when
// it cannot), after checking its kubeconfig is there.
void run_against_master(const members_flags& flags,
                        const std::function<int(const ctl::connection&)>& command) {
  ctl::context ctx{{}, std::cout, std::cerr};
  ctx.connection.kubeconfig =
      flags.kubeconfig.empty() ? flags.data_dir + "/admin.kubeconfig" : flags.kubeconfig;
  std::error_code ec;
  if (!std::filesystem::exists(ctx.connection.kubeconfig, ec)) {
    std::cerr << "error: " << ctx.connection.kubeconfig << " does not exist (is "
              << flags.data_dir << " the --data of a master that has started?)\n";
    cli::exit_with(1);
    return;
  }
  ctl::run_connected(ctx, command);
}

void add_data_flags(CLI::App& cmd, members_flags& flags) {
  cmd.add_option("--data", flags.data_dir, "The master's data directory (as given to capstan master)")
      ->required();
  cmd.add_option("--kubeconfig", flags.kubeconfig,
                 "Ask with this kubeconfig instead of DATA/admin.kubeconfig");
}

}  // namespace

void add_master_members_command(CLI::App& master) {
  auto flags = std::make_shared<members_flags>();
  CLI::App* cmd = master.add_subcommand(
      "members", "The masters of the cluster and which one leads (ASKED: the master on --data)");
  add_data_flags(*cmd, *flags);
  cmd->callback([cmd, flags] {
    if (!cmd->get_subcommands().empty())
      return;
    run_against_master(*flags, [](const ctl::connection& c) {
      return ctl::print_members(c, std::cout, std::cerr);
    });
  });
  CLI::App* remove = cmd->add_subcommand(
      "remove", "Take master ID out of the cluster (the leader commits it; then stop its process)");
  remove->fallthrough();  // --data and --kubeconfig may follow `remove ID`
  remove->add_option("ID", flags->id, "The member's id (capstan master members lists them)")
      ->required();
  remove->callback([flags] {
    run_against_master(*flags, [flags](const ctl::connection& c) {
      return ctl::remove_member(flags->id, c, std::cout, std::cerr);
    });
  });
}

}  // namespace capstan::admin
