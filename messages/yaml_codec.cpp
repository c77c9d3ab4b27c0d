#include "messages/yaml_codec.hpp"

#include <cerrno>
#include <cstdlib>
#include <regex>

#include <yaml-cpp/yaml.h>

namespace capstan::messages {

namespace {

const std::regex& int_pattern() {
  static const std::regex re("[-+]?(0|[1-9][0-9_]*)");
  return re;
}
const std::regex& float_pattern() {
  static const std::regex re(R"([-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?)");
  return re;
}

bool is_null_word(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

// YAML 1.2 core booleans. Kubernetes' reader also takes YAML 1.1's y/n/yes/no/on/off, which
// turns `name: n` or `zone: no` into booleans (the "Norway problem"); capstan reads those as
// strings, and a boolean field given one reports a clear type error.
std::optional<bool> bool_word(const std::string& s) {
  static const char* const yes[] = {"true", "True", "TRUE"};
  static const char* const no[] = {"false", "False", "FALSE"};
  for (const char* w : yes)
    if (s == w)
      return true;
  for (const char* w : no)
    if (s == w)
      return false;
  return std::nullopt;
}

std::string strip_underscores(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
  return s;
}

json resolve_plain_scalar(const std::string& s) {
  if (is_null_word(s))
    return nullptr;
  if (auto b = bool_word(s))
    return *b;
  if (std::regex_match(s, int_pattern())) {
    std::string digits = strip_underscores(s);
    errno = 0;
    long long v = std::strtoll(digits.c_str(), nullptr, 10);
    if (errno != ERANGE)
      return v;
  }
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    char* end = nullptr;
    long long v = std::strtoll(s.c_str() + 2, &end, 16);
    if (*end == '\0')
      return v;
  }
  if (std::regex_match(s, float_pattern()) && s.find_first_of("0123456789") != std::string::npos)
    return std::strtod(strip_underscores(s).c_str(), nullptr);
  if (s == ".inf" || s == ".Inf" || s == "+.inf" || s == "-.inf" || s == ".nan")
    return s;  // JSON has no infinities; keep the text so a typed field reports it clearly
  return s;
}

json to_tree(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar: {
      const std::string& tag = node.Tag();
      const std::string& s = node.Scalar();
      if (tag == "!" || tag == "tag:yaml.org,2002:str")
        return s;  // quoted, or explicitly a string
      if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
          tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null" || tag == "?")
        return resolve_plain_scalar(s);
      return s;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node)
        out.push_back(to_tree(item));
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar())
          throw yaml_error("line " + std::to_string(kv.first.Mark().line + 1) +
                           ": map keys must be plain strings");
        out[kv.first.Scalar()] = to_tree(kv.second);
      }
      return out;
    }
  }
  return nullptr;
}

void emit(YAML::Emitter& out, const json& tree) {
  if (tree.is_object()) {
    out << YAML::BeginMap;
    for (auto it = tree.begin(); it != tree.end(); ++it) {
      out << YAML::Key << it.key() << YAML::Value;
      emit(out, it.value());
    }
    out << YAML::EndMap;
  } else if (tree.is_array()) {
    out << YAML::BeginSeq;
    for (const auto& item : tree)
      emit(out, item);
    out << YAML::EndSeq;
  } else if (tree.is_string()) {
    const std::string& s = tree.get_ref<const std::string&>();
    json reread = resolve_plain_scalar(s);
    if (!reread.is_string() || s.empty())
      out << YAML::DoubleQuoted << s;
    else
      out << s;
  } else if (tree.is_null()) {
    out << YAML::Null;
  } else if (tree.is_boolean()) {
    out << (tree.get<bool>() ? "true" : "false");
  } else {
    out << tree.dump();
  }
}

}  // namespace

std::vector<yaml_document> parse_yaml_documents(const std::string& text) {
  std::vector<yaml_document> documents;
  try {
    for (const auto& node : YAML::LoadAll(text)) {
      if (node.IsNull() || !node.IsDefined())
        continue;
      documents.push_back({to_tree(node), node.Mark().line + 1});
    }
  } catch (const YAML::Exception& e) {
    throw yaml_error("line " + std::to_string(e.mark.line + 1) + ", column " +
                     std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return documents;
}

std::string to_yaml(const json& tree) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  out.SetMapFormat(YAML::Block);
  emit(out, tree);
  return std::string(out.c_str()) + "\n";
}

}  // namespace capstan::messages
