#include "tools/admin/audit_command.hpp"

#include <iostream>
#include <memory>

#include "messages/objects.hpp"
#include "tools/admin/journal_command.hpp"
#include "tools/cli/cli.hpp"

namespace capstan::admin {

namespace {

struct audit_flags {
  std::string data;
  std::string namespace_ = "default";
  std::vector<std::string> object;  // history TYPE[/NAME] | TYPE NAME
  uint64_t at = 0;
  std::string type;  // at SEQ TYPE
};

// history [TYPE[/NAME] | TYPE NAME]: `journal history --kind TYPE --name NS/NAME`.
int history(const audit_flags& a) {
  journal_flags f;
  f.data = a.data;
  if (!a.object.empty()) {
    std::string type = a.object[0], name = a.object.size() > 1 ? a.object[1] : "";
    if (auto slash = type.find('/'); slash != std::string::npos) {
      name = type.substr(slash + 1);
      type = type.substr(0, slash);
    }
    f.kind = type;
    if (!name.empty()) {
      auto kind = messages::kind_from_resource(type);
      f.name = kind && !messages::info(*kind).namespaced ? name : a.namespace_ + "/" + name;
    }
  }
  return journal_history(f, std::cout, std::cerr);
}

// at SEQ [TYPE]: `journal state --at SEQ --kind TYPE`.
int at(const audit_flags& a) {
  journal_flags f;
  f.data = a.data;
  f.at = a.at;
  f.has_at = true;
  f.kind = a.type;
  return journal_state(f, std::cout, std::cerr);
}

}  // namespace

void add_audit_command(CLI::App& root) {
  auto a = std::make_shared<audit_flags>();
  CLI::App* audit = cli::add_group(root, "audit",
                                   "The audit trail of a journal read directly (also of a "
                                   "stopped master)");
  audit->fallthrough();  // --data and -n may follow history/at too
  audit->add_option("--data", a->data, "The master's data directory")->required();
  audit->add_option("-n,--namespace", a->namespace_, "The namespace of a named object")
      ->capture_default_str();
  CLI::App* h = audit->add_subcommand("history", "Every change of an object (or of all)");
  h->add_option("OBJECT", a->object, "TYPE, TYPE/NAME or TYPE NAME");
  h->callback([a] { cli::exit_with(history(*a)); });
  CLI::App* s = audit->add_subcommand("at", "The objects right after record SEQ");
  s->add_option("SEQ", a->at, "The sequence number")->required();
  s->add_option("TYPE", a->type, "Only objects of this TYPE");
  s->callback([a] { cli::exit_with(at(*a)); });
}

}  // namespace capstan::admin
