#include "tools/ctl/validate_command.hpp"

#include <memory>
#include <ostream>

#include "messages/json_codec.hpp"
#include "messages/manifest.hpp"
#include "messages/yaml_codec.hpp"
#include "tools/cli/cli.hpp"
#include "tools/ctl/commands.hpp"

namespace capstan::ctl {

int run_validate(const validate_options& options, std::ostream& out, std::ostream& err) {
  using namespace messages;
  manifest_set all = load_manifests(options.paths, options.recursive);
  json list = json::array();
  for (const auto& o : all.objects) {
    if (options.output == "json" || options.output == "yaml") {
      list.push_back(to_json(o.object));
    } else {
      const auto& meta = meta_of(o.object);
      out << info(kind_of(o.object)).singular << "/" << meta.name << "\n";
    }
  }
  if (options.output == "json" || options.output == "yaml") {
    json document =
        list.size() == 1 ? list[0] : json{{"apiVersion", "v1"}, {"kind", "List"}, {"items", list}};
    if (options.output == "json")
      out << json_text(document, 4) << "\n";
    else
      out << to_yaml(document);
  }
  for (const auto& p : all.problems)
    err << "error: " << p.to_string() << "\n";
  if (!all.ok())
    err << all.problems.size() << (all.problems.size() == 1 ? " problem" : " problems")
        << " found; nothing is valid until every one is fixed\n";
  return all.ok() ? 0 : 1;
}

void add_validate_command(CLI::App& root, context& ctx) {
  auto options = std::make_shared<validate_options>();
  CLI::App* cmd = root.add_subcommand(
      "validate",
      "Parse, default and validate manifests offline; each problem names file and field (exit 1)");
  cmd->add_option("-f,--filename", options->paths, "Files or directories (- for standard input)")
      ->required()
      ->allow_extra_args(false);
  cmd->add_flag("-R,--recursive", options->recursive, "Read directories recursively");
  cmd->add_option("-o,--output", options->output,
                  "Print the defaulted objects instead of kind/name lines")
      ->check(CLI::IsMember({"name", "json", "yaml"}));
  cmd->callback([&ctx, options] { cli::exit_with(run_validate(*options, ctx.out, ctx.err)); });
}

}  // namespace capstan::ctl
