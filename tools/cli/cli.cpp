#include "tools/cli/cli.hpp"

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

namespace capstan::cli {

namespace {

// "capstanctl audit history": the root and the commands chosen below it.
std::string command_path(const CLI::App& app) {
  std::string path = app.get_name();
  for (const CLI::App* a = &app; !a->get_subcommands().empty();) {
    a = a->get_subcommands().front();
    path += " " + a->get_name();
  }
  return path;
}

// The arguments no command of the parsed tree took.
void leftovers(const CLI::App& app, std::vector<std::string>& out) {
  for (auto& a : app.remaining(false))
    out.push_back(a);
  for (const CLI::App* sub : app.get_subcommands())
    leftovers(*sub, out);
}

// One line saying what was wrong. An unknown flag is named first, whatever else failed: it is
// the likeliest cause (a misspelled flag leaves its value behind, and a required one unset).
std::string problem(const CLI::App& app, const CLI::ParseError& e) {
  std::vector<std::string> left;
  leftovers(app, left);
  for (const auto& a : left)
    if (a.size() > 1 && a[0] == '-')
      return "unknown flag: " + a.substr(0, a.find('='));
  if (!left.empty()) {
    bool has_commands = !app.get_subcommands([](const CLI::App*) { return true; }).empty();
    if (has_commands && app.get_subcommands().empty())
      return "unknown command \"" + left.front() + "\" for \"" + app.get_name() + "\"";
    return "unexpected argument \"" + left.front() + "\"";
  }
  return e.what();
}

}  // namespace

int run(CLI::App& app, int argc, char** argv) {
  if (argc <= 1 && app.get_require_subcommand_min() > 0) {
    std::cerr << app.help();
    return 2;
  }
  // pflag (kubectl) reads "-o=json" as "-o json"; CLI11 would take "=json" as the value.
  std::vector<std::string> args;
  bool flags_done = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    flags_done = flags_done || a == "--";
    if (!flags_done && a.size() > 3 && a[0] == '-' && a[1] != '-' && a[2] == '=') {
      args.push_back(a.substr(0, 2));
      args.push_back(a.substr(3));
    } else {
      args.push_back(a);
    }
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  try {
    app.parse(std::move(args));
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0)  // --help
      return app.exit(e, std::cout, std::cerr);
    std::cerr << "error: " << problem(app, e) << "\n"
              << "See '" << command_path(app) << " --help' for usage.\n";
    return 2;
  }
  return 0;
}

void exit_with(int code) {
  if (code != 0)
    throw CLI::RuntimeError(code);
}

void set_conventions(CLI::App& app) {
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.get_formatter()->column_width(32);
}

void add_help_command(CLI::App& root) {
  auto path = std::make_shared<std::vector<std::string>>();
  CLI::App* help = root.add_subcommand("help", "Print the help of the program or of a command");
  help->add_option("COMMAND", *path, "COMMAND [SUBCOMMAND]");
  help->callback([&root, path] {
    const CLI::App* app = &root;
    std::string prefix;  // the commands above `app`: "capstanctl audit"
    for (const auto& name : *path) {
      try {
        const CLI::App* sub = app->get_subcommand(name);
        prefix += (prefix.empty() ? "" : " ") + app->get_name();
        app = sub;
      } catch (const CLI::OptionNotFound&) {
        std::cerr << "error: unknown command \"" << name << "\" for \"" << app->get_name()
                  << "\"\n";
        exit_with(2);
      }
    }
    std::cout << app->get_formatter()->make_help(
        app, prefix.empty() ? app->get_name() : prefix + " " + app->get_name(),
        CLI::AppFormatMode::Normal);
  });
}

CLI::App* add_group(CLI::App& parent, const std::string& name, const std::string& description) {
  CLI::App* group = parent.add_subcommand(name, description);
  group->require_subcommand(1);
  return group;
}

}  // namespace capstan::cli
