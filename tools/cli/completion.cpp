#include "tools/cli/completion.hpp"

#include <algorithm>
#include <cctype>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tools/cli/cli.hpp"

namespace capstan::cli {

namespace {

struct flag {
  std::vector<std::string> spellings;  // "-o", "--output"
  bool takes_value = false;
  std::vector<std::string> choices;  // from a CLI::IsMember check: "{json,name,wide,yaml}"
};

std::vector<std::string> choices_of(const CLI::Option& o) {
  std::string type = o.get_type_name();
  auto open = type.find('{'), close = type.rfind('}');
  std::vector<std::string> out;
  if (open == std::string::npos || close == std::string::npos || close < open)
    return out;
  std::stringstream items(type.substr(open + 1, close - open - 1));
  std::string item;
  while (std::getline(items, item, ','))
    if (auto first = item.find_first_not_of(' '); first != std::string::npos)
      out.push_back(item.substr(first, item.find_last_not_of(' ') - first + 1));
  return out;
}

std::vector<flag> flags_of(const CLI::App& app) {
  std::vector<flag> out;
  for (const CLI::Option* o : app.get_options()) {
    if (!o->nonpositional())
      continue;
    flag f;
    for (const auto& s : o->get_snames())
      f.spellings.push_back("-" + s);
    for (const auto& l : o->get_lnames())
      f.spellings.push_back("--" + l);
    if (f.spellings.empty())
      continue;
    f.takes_value = o->get_expected_min() > 0;
    f.choices = choices_of(*o);
    out.push_back(std::move(f));
  }
  return out;
}

// Every command of the tree with its path ("" for the root, "audit history") and the flags
// usable there: its own and, where commands fall through to their parents, theirs.
struct command_entry {
  std::string path;
  std::vector<std::string> subcommands;
  std::vector<flag> flags;
};

void collect(const CLI::App& app, const std::string& path, std::vector<flag> inherited,
             std::vector<command_entry>& out) {
  command_entry e;
  e.path = path;
  e.flags = flags_of(app);
  for (auto& f : inherited) {  // a command's own flag (its -h) hides its parent's
    bool hidden = false;
    for (const auto& own : e.flags)
      for (const auto& sp : f.spellings)
        hidden = hidden ||
                 std::find(own.spellings.begin(), own.spellings.end(), sp) != own.spellings.end();
    if (!hidden)
      e.flags.push_back(f);
  }
  std::vector<const CLI::App*> subs;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (!sub->get_name().empty() && !sub->get_disabled()) {
      e.subcommands.push_back(sub->get_name());
      subs.push_back(sub);
    }
  std::vector<flag> passed_down = e.flags;
  out.push_back(e);
  for (const CLI::App* sub : subs)
    collect(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(),
            sub->get_fallthrough() ? passed_down : std::vector<flag>{}, out);
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words)
    out += (out.empty() ? "" : " ") + w;
  return out;
}

std::string function_name(const std::string& binary) {
  std::string out;
  for (char c : binary)
    out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

}  // namespace

std::string bash_completion(const CLI::App& root, const object_completion& objects) {
  const std::string binary = root.get_name();
  const std::string fn = "_" + function_name(binary);
  std::vector<command_entry> commands;
  collect(root, "", {}, commands);
  std::ostringstream s;
  s << "# bash completion for " << binary << ", generated from its commands by `" << binary
    << " completion bash`.\n# Load it with: source <(" << binary << " completion bash)\n\n";
  s << fn << "_commands() {\n  case \"$1\" in\n";
  for (const auto& c : commands)
    if (!c.subcommands.empty())
      s << "    \"" << c.path << "\") echo \"" << join(c.subcommands) << "\" ;;\n";
  s << "  esac\n}\n\n";
  s << fn << "_flags() {\n  case \"$1\" in\n";
  for (const auto& c : commands) {
    std::vector<std::string> all;
    for (const auto& f : c.flags)
      all.insert(all.end(), f.spellings.begin(), f.spellings.end());
    s << "    \"" << c.path << "\") echo \"" << join(all) << "\" ;;\n";
  }
  s << "  esac\n}\n\n";
  s << "# Succeeds when flag $2 of command $1 takes a value; prints its choices, if it has any.\n";
  s << fn << "_value() {\n  case \"$1|$2\" in\n";
  for (const auto& c : commands)
    for (const auto& f : c.flags) {
      if (!f.takes_value)
        continue;
      std::string patterns;
      for (const auto& sp : f.spellings)
        patterns += (patterns.empty() ? "" : "|") + ("\"" + c.path + "|" + sp + "\"");
      s << "    " << patterns << ") echo \"" << join(f.choices) << "\" ;;\n";
    }
  s << "    *) return 1 ;;\n  esac\n}\n\n";
  s << "# Succeeds when command $1 names objects; prints the type of its arguments (none: the\n"
       "# first argument is the type).\n";
  s << fn << "_objects() {\n  case \"$1\" in\n";
  for (const auto& [path, type] : objects.commands)
    s << "    \"" << path << "\") echo \"" << type << "\" ;;\n";
  s << "    *) return 1 ;;\n  esac\n}\n\n";
  s << fn << "_types=\"" << join(objects.types) << "\"\n\n";
  s << "# The names of the objects of type $1, asked of the server with the global flags typed.\n";
  s << fn << "_names() {\n"
    << "  local line\n"
    << "  timeout 5 \"${COMP_WORDS[0]}\" \"${global[@]}\" get \"$1\" -o name 2>/dev/null |\n"
    << "    while read -r line; do echo \"${line#*/}\"; done\n"
    << "}\n\n";
  s << fn << "() {\n"
    << "  local cur=${COMP_WORDS[COMP_CWORD]} path= word i value= flag= global_value=\n"
    << "  local -a args=() global=()\n"
    << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
    << "    word=${COMP_WORDS[i]}\n"
    << "    [[ $word == = ]] && continue  # --flag=value, split at the '='\n"
    << "    if [[ -n $value ]]; then\n"
    << "      [[ -n $global_value ]] && global+=(\"$word\")\n"
    << "      value= global_value=\n"
    << "      continue\n"
    << "    fi\n"
    << "    case $word in\n"
    << "      -*=*) ;;\n"
    << "      -*)\n"
    << "        " << fn << "_value \"$path\" \"$word\" >/dev/null && value=1 flag=$word\n"
    << "        # The root's flags (server, token, namespace) go to the names' request too.\n"
    << "        if [[ \" $(" << fn << "_flags \"\") \" == *\" $word \"* ]]; then\n"
    << "          global+=(\"$word\")\n"
    << "          [[ -n $value ]] && global_value=1\n"
    << "        fi ;;\n"
    << "      *)\n"
    << "        if [[ \" $(" << fn << "_commands \"$path\") \" == *\" $word \"* ]]; then\n"
    << "          path=${path:+$path }$word\n"
    << "        else\n"
    << "          args+=(\"$word\")\n"
    << "        fi ;;\n"
    << "    esac\n"
    << "  done\n"
    << "  [[ $cur == = ]] && cur=\n"
    << "  local type\n"
    << "  if [[ -z $value && $cur != -* ]] && type=$(" << fn << "_objects \"$path\"); then\n"
    << "    if [[ -n $type ]]; then\n"
    << "      ((${#args[@]} == 0)) && COMPREPLY=($(compgen -W \"$(" << fn
    << "_names \"$type\")\" -- \"$cur\"))\n"
    << "    elif ((${#args[@]} == 0)) && [[ $cur == */* ]]; then\n"
    << "      local name names=()\n"
    << "      for name in $(" << fn << "_names \"${cur%%/*}\"); do\n"
    << "        names+=(\"${cur%%/*}/$name\")\n"
    << "      done\n"
    << "      COMPREPLY=($(compgen -W \"${names[*]}\" -- \"$cur\"))\n"
    << "    elif ((${#args[@]} == 0)); then\n"
    << "      COMPREPLY=($(compgen -W \"$" << fn << "_types\" -- \"$cur\"))\n"
    << "    elif ((${#args[@]} == 1)) && [[ ${args[0]} != */* ]]; then\n"
    << "      COMPREPLY=($(compgen -W \"$(" << fn << "_names \"${args[0]}\")\" -- \"$cur\"))\n"
    << "    fi\n"
    << "  elif [[ -n $value ]]; then\n"
    << "    local choices\n"
    << "    choices=$(" << fn << "_value \"$path\" \"$flag\")\n"
    << "    if [[ -n $choices ]]; then\n"
    << "      COMPREPLY=($(compgen -W \"$choices\" -- \"$cur\"))\n"
    << "    else\n"
    << "      COMPREPLY=($(compgen -f -- \"$cur\"))\n"
    << "    fi\n"
    << "  elif [[ $cur == -* ]]; then\n"
    << "    COMPREPLY=($(compgen -W \"$(" << fn << "_flags \"$path\")\" -- \"$cur\"))\n"
    << "  else\n"
    << "    COMPREPLY=($(compgen -W \"$(" << fn << "_commands \"$path\")\" -- \"$cur\"))\n"
    << "  fi\n"
    << "}\n\n"
    << "complete -o default -F " << fn << " " << binary << "\n";
  return s.str();
}

void add_completion_command(CLI::App& root, object_completion objects) {
  auto shell = std::make_shared<std::string>();
  CLI::App* cmd = root.add_subcommand("completion", "Print a shell completion script: source <(" +
                                                        root.get_name() + " completion bash)");
  cmd->add_option("SHELL", *shell, "The shell (bash)")->required()->check(CLI::IsMember({"bash"}));
  cmd->callback([&root, shell, objects = std::move(objects)] {
    std::cout << bash_completion(root, objects);
  });
}

}  // namespace capstan::cli
