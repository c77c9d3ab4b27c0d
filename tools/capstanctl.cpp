// capstanctl: capstan's command-line client. The one list of its commands; CLI11 dispatches.
#include <iostream>

#include "tools/cli/cli.hpp"
#include "tools/cli/completion.hpp"
#include "tools/ctl/commands.hpp"
#include "tools/ctl/resources.hpp"

int main(int argc, char** argv) {
  using namespace capstan::ctl;
  CLI::App app{"capstanctl: the capstan cluster client (kubectl's commands and flags)",
               "capstanctl"};
  capstan::cli::set_conventions(app);
  app.require_subcommand(1);
  context ctx{{}, std::cout, std::cerr};
  add_global_flags(app, ctx);  // before the commands: they inherit the fall-through to them
  add_validate_command(app, ctx);
  add_get_command(app, ctx);
  add_create_delete_commands(app, ctx);
  add_apply_command(app, ctx);
  add_scale_command(app, ctx);
  add_label_command(app, ctx);
  add_rolling_update_command(app, ctx);
  add_describe_command(app, ctx);
  add_logs_command(app, ctx);
  add_audit_command(app, ctx);
  add_members_command(app, ctx);
  add_info_commands(app, ctx);
  // The commands whose arguments name objects: "" when the first argument is the type.
  capstan::cli::object_completion objects{{{"get", ""},
                                           {"describe", ""},
                                           {"delete", ""},
                                           {"label", ""},
                                           {"scale", ""},
                                           {"logs", "pods"},
                                           {"rolling-update", "rc"},
                                           {"audit history", ""}},
                                          resource_type_spellings()};
  capstan::cli::add_completion_command(app, std::move(objects));
  capstan::cli::add_help_command(app);
  for (CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; }))
    command->footer(
        "Global flags (--kubeconfig, -s/--server, --token, -n/--namespace, "
        "--insecure-skip-tls-verify) may be given too: see capstanctl --help.");
  app.footer(
      "The global flags may follow any command. Use \"capstanctl COMMAND --help\" for "
      "a command's flags.");
  return capstan::cli::run(app, argc, argv);
}
