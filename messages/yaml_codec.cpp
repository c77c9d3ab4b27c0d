#include "messages/yaml_codec.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <regex>
#include <sstream>
#include <string_view>
#include <unordered_set>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "messages/input_text.hpp"
#include "messages/json_input.hpp"

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
  // std::regex recurses once per character: a long scalar (a 100 KB run of digits) would
  // overflow the stack. No number of the core schema needs more than 64 characters here.
  if (s.size() > 64)
    return s;
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
  // Octal as go-yaml (YAML 1.1) reads it, which is what Kubernetes' manifests mean by a file
  // mode such as `defaultMode: 0400` (256); "0o400" is YAML 1.2's spelling.
  if (s.size() > 1 && s[0] == '0') {
    const bool o_prefix = s.size() > 2 && s[1] == 'o';
    const std::string digits = strip_underscores(s.substr(o_prefix ? 2 : 1));
    if (!digits.empty() && digits.find_first_not_of("01234567") == std::string::npos) {
      errno = 0;
      long long v = std::strtoll(digits.c_str(), nullptr, 8);
      if (errno != ERANGE)
        return v;
    }
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

// ---- reading ------------------------------------------------------------------------------
//
// yaml-cpp's parser reports events; yaml_graph keeps them as a compact node graph in which an
// alias is a reference to its anchor's node (as go-yaml's parser does), and graph_converter
// expands that graph into a JSON tree, counting nodes as go-yaml's decoder does. yaml-cpp's
// own Node tree is not used: it costs several hundred bytes a node and offers no way to tell
// an alias from its anchor.

// How a scalar becomes JSON: by the core schema, or always as a string (quoted, !!str, or an
// unknown tag).
enum class node_kind : std::uint8_t { null, scalar, resolved_scalar, sequence, map };

struct graph_node {
  node_kind kind = node_kind::null;
  bool complete = false;   // collections: the end event has been seen
  std::uint32_t line = 0;  // 0-based, as yaml-cpp marks
  std::uint32_t column = 0;
  // Scalars: bytes [first, first + size) of yaml_graph::text. Collections: references
  // [first, first + size) of yaml_graph::refs (maps: key, value, key, value, ...).
  std::size_t first = 0;
  std::size_t size = 0;
};

// A reference to a node; `alias` when it was written as *name.
struct node_ref {
  std::uint32_t node;
  bool alias;
};

struct yaml_graph {
  std::vector<graph_node> nodes;
  std::vector<node_ref> refs;
  std::string text;  // every scalar's bytes, one after the other
  std::optional<node_ref> root;
  std::uint32_t root_line = 0;
  YAML::Mark start;  // where the document starts (the first token yaml-cpp read for it)

  std::string_view scalar(const graph_node& n) const { return {text.data() + n.first, n.size}; }
};

std::string located(const graph_node& n) {
  return "line " + std::to_string(n.line + 1) + ", column " + std::to_string(n.column + 1);
}
std::string located(const YAML::Mark& mark) {
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

// Builds one document's graph from yaml-cpp's events. Refuses (throws yaml_error) nesting
// deeper than the limit and aliases of an anchor that is still open (it would contain itself).
class graph_builder : public YAML::EventHandler {
public:
  graph_builder(yaml_graph& graph, std::size_t max_depth) : g_(graph), max_depth_(max_depth) {}

  void OnDocumentStart(const YAML::Mark& mark) override { g_.start = mark; }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    add(new_node(node_kind::null, mark, anchor), false);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor >= anchors_.size() || anchors_[anchor] == no_node)
      throw yaml_error(located(mark) + ": the referenced anchor is not defined");
    std::uint32_t target = anchors_[anchor];
    if (!g_.nodes[target].complete)
      throw yaml_error(located(mark) + ": anchor \"" + printable_text(names_[anchor], 64) +
                       "\" value contains itself");
    add(target, true);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    bool as_string =
        tag == "!" ||
        (tag != "?" && tag != "tag:yaml.org,2002:int" && tag != "tag:yaml.org,2002:float" &&
         tag != "tag:yaml.org,2002:bool" && tag != "tag:yaml.org,2002:null");
    std::uint32_t n =
        new_node(as_string ? node_kind::scalar : node_kind::resolved_scalar, mark, anchor);
    g_.nodes[n].first = g_.text.size();
    g_.nodes[n].size = value.size();
    g_.nodes[n].complete = true;
    g_.text += value;
    add(n, false);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(node_kind::sequence, mark, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(node_kind::map, mark, anchor);
  }
  void OnMapEnd() override { close(); }
  void OnAnchor(const YAML::Mark&, const std::string& name) override { pending_name_ = name; }

private:
  static constexpr std::uint32_t no_node = UINT32_MAX;

  std::uint32_t new_node(node_kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (g_.nodes.size() >= no_node)
      throw yaml_error(located(mark) + ": too many nodes");
    auto n = static_cast<std::uint32_t>(g_.nodes.size());
    graph_node node;
    node.kind = kind;
    node.complete = kind == node_kind::null;
    node.line = static_cast<std::uint32_t>(std::max(mark.line, 0));
    node.column = static_cast<std::uint32_t>(std::max(mark.column, 0));
    g_.nodes.push_back(node);
    if (anchor != YAML::NullAnchor) {
      // yaml-cpp numbers a document's anchors 1, 2, ... in order of appearance.
      if (anchor >= anchors_.size()) {
        anchors_.resize(anchor + 1, no_node);
        names_.resize(anchor + 1);
      }
      anchors_[anchor] = n;
      names_[anchor] = std::move(pending_name_);
    }
    pending_name_.clear();
    return n;
  }

  void open(node_kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (open_.size() >= max_depth_)
      throw yaml_error(located(mark) + ": nesting deeper than " + std::to_string(max_depth_) +
                       " levels");
    std::uint32_t n = new_node(kind, mark, anchor);
    add(n, false);
    open_.push_back({n, {}});
  }

  void close() {
    auto& top = open_.back();
    graph_node& n = g_.nodes[top.node];
    n.first = g_.refs.size();
    n.size = top.children.size();
    n.complete = true;
    g_.refs.insert(g_.refs.end(), top.children.begin(), top.children.end());
    open_.pop_back();
  }

  void add(std::uint32_t node, bool alias) {
    if (open_.empty()) {
      g_.root = node_ref{node, alias};
      g_.root_line = g_.nodes[node].line;
    } else {
      open_.back().children.push_back({node, alias});
    }
  }

  struct open_collection {
    std::uint32_t node;
    std::vector<node_ref> children;  // moved to g_.refs when the collection ends
  };

  yaml_graph& g_;
  std::size_t max_depth_;
  std::vector<open_collection> open_;
  std::vector<std::uint32_t> anchors_;  // anchor id -> node
  std::vector<std::string> names_;      // anchor id -> name, for messages
  std::string pending_name_;
};

// go-yaml's counters, kept over a whole stream.
struct alias_budget {
  std::uint64_t decoded = 0;
  std::uint64_t aliased = 0;

  // go-yaml v2.2.4 decode.go, allowedAliasRatio.
  static double allowed_ratio(std::uint64_t decoded) {
    constexpr double low = 400000, high = 4000000;
    if (decoded <= low)
      return 0.99;
    if (decoded >= high)
      return 0.10;
    return 0.99 - 0.89 * ((static_cast<double>(decoded) - low) / (high - low));
  }

  // Counts one decoded node; false when the aliasing is excessive.
  bool count(bool within_alias) {
    ++decoded;
    if (within_alias)
      ++aliased;
    return !(aliased > 100 && decoded > 1000 &&
             static_cast<double>(aliased) / static_cast<double>(decoded) > allowed_ratio(decoded));
  }
};

// Expands one document's graph into a JSON tree. Throws yaml_error naming the line (of the
// node, or of its anchor when reached through an alias) and the field path.
class graph_converter {
public:
  graph_converter(const yaml_graph& graph, alias_budget& budget, std::size_t max_depth)
      : g_(graph), budget_(budget), max_depth_(max_depth) {}

  json convert(node_ref ref) { return convert(ref, 0, 0); }

private:
  json convert(node_ref ref, std::size_t depth, unsigned alias_depth) {
    const graph_node& n = g_.nodes[ref.node];
    count(n, alias_depth);
    if (ref.alias)  // the alias counts, then its anchor's nodes count as aliased
      return convert({ref.node, false}, depth, alias_depth + 1);
    switch (n.kind) {
      case node_kind::null:
        return nullptr;
      case node_kind::scalar:
        return std::string(checked_scalar(n));
      case node_kind::resolved_scalar:
        return resolve_plain_scalar(std::string(checked_scalar(n)));
      case node_kind::sequence: {
        enter(n, depth);
        json out = json::array();
        auto& items = out.get_ref<json::array_t&>();
        items.reserve(n.size);
        for (std::size_t i = 0; i < n.size; ++i) {
          path_.push_back({false, i, {}});
          items.push_back(convert(g_.refs[n.first + i], depth + 1, alias_depth));
          path_.pop_back();
        }
        return out;
      }
      case node_kind::map: {
        enter(n, depth);
        json out = json::object();
        // Appended to the underlying vector: ordered_map's own insertion searches linearly,
        // quadratic over a map of many keys; `seen` refuses repeats instead.
        auto& members = static_cast<json::object_t::Container&>(out.get_ref<json::object_t&>());
        members.reserve(n.size / 2);
        std::unordered_set<std::string_view> seen;
        for (std::size_t i = 0; i + 1 < n.size; i += 2) {
          std::string_view name = key(g_.refs[n.first + i], alias_depth);
          path_.push_back({true, 0, name});
          if (!seen.insert(name).second)
            fail(g_.nodes[g_.refs[n.first + i].node],
                 "key \"" + printable_text(name, 64) + "\" already set in map");
          members.emplace_back(std::string(name),
                               convert(g_.refs[n.first + i + 1], depth + 1, alias_depth));
          path_.pop_back();
        }
        return out;
      }
    }
    return nullptr;
  }

  // A map key: a scalar (possibly through an alias), counted as go-yaml counts keys.
  std::string_view key(node_ref ref, unsigned alias_depth) {
    const graph_node& n = g_.nodes[ref.node];
    count(n, alias_depth);
    if (ref.alias)
      count(n, alias_depth + 1);
    if (n.kind != node_kind::scalar && n.kind != node_kind::resolved_scalar)
      fail(n, "map keys must be plain strings");
    return checked_scalar(n, true);
  }

  std::string_view checked_scalar(const graph_node& n, bool is_key = false) {
    std::string_view s = g_.scalar(n);
    const char* where = is_key ? " in a key in " : " in ";
    if (s.find('\0') != std::string_view::npos)
      fail(n, std::string("NUL character") + where + shown_path(), true);
    if (!valid_utf8(s))
      fail(n, std::string("invalid UTF-8") + where + shown_path(), true);
    return s;
  }

  void count(const graph_node& n, unsigned alias_depth) {
    if (!budget_.count(alias_depth > 0))
      fail(n, "document contains excessive aliasing", true);
  }

  void enter(const graph_node& n, std::size_t depth) {
    if (depth >= max_depth_)
      fail(n, "nesting deeper than " + std::to_string(max_depth_) +
                  " levels (after expanding aliases)");
  }

  std::string path() const {
    std::string out;
    for (const auto& step : path_)
      out = step.in_map ? field_path_child(out, step.name) : field_path_index(out, step.index);
    return out;
  }
  std::string shown_path() const {
    std::string p = path();
    return p.empty() ? "the document" : printable_text(p, 200);
  }

  // "line 4, column 7: <what>" plus, unless the message names it already, " (at <path>)".
  // The position is the node's, or its anchor's when reached through an alias.
  [[noreturn]] void fail(const graph_node& n, const std::string& what, bool path_in_what = false) {
    std::string message = located(n) + ": " + what;
    if (!path_in_what && !path_.empty())
      message += " (at " + shown_path() + ")";
    throw yaml_error(message);
  }

  struct step {
    bool in_map;
    std::size_t index;      // sequences
    std::string_view name;  // maps
  };

  const yaml_graph& g_;
  alias_budget& budget_;
  std::size_t max_depth_;
  std::vector<step> path_;
};

// The text as one JSON document when it is one (see parse_yaml_documents); nullopt when it
// does not start like JSON or parse_json_input refuses it.
std::optional<yaml_document> as_json(const std::string& text, const yaml_input_limits& limits) {
  std::size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos || (text[start] != '{' && text[start] != '['))
    return std::nullopt;
  json_input_limits json_limits;
  json_limits.max_bytes = limits.max_bytes;
  json_limits.max_depth = limits.max_depth;
  auto parsed = parse_json_input(text, json_limits);
  auto* tree = std::get_if<json>(&parsed);
  if (!tree)
    return std::nullopt;
  return yaml_document{std::move(*tree), static_cast<int>(position_in(text, start).line)};
}

bool starts_with_utf16_or_32_bom(const std::string& text) {
  auto starts = [&](std::string_view bom) { return text.compare(0, bom.size(), bom) == 0; };
  using namespace std::string_view_literals;
  return starts("\xFF\xFE"sv) || starts("\xFE\xFF"sv) || starts("\0\0\xFE\xFF"sv);
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

std::vector<yaml_document> parse_yaml_documents(const std::string& text,
                                                const yaml_input_limits& limits) {
  if (text.size() > limits.max_bytes)
    throw yaml_error("the text is " + std::to_string(text.size()) + " bytes; the limit is " +
                     std::to_string(limits.max_bytes) + " bytes");
  // yaml-cpp reads a NUL byte in odd ways (an end of input, an escape character); YAML forbids
  // it. UTF-16 and UTF-32 texts, which yaml-cpp decodes by their byte order mark, hold NULs;
  // their decoded strings are checked instead.
  if (auto nul = text.find('\0'); nul != std::string::npos && !starts_with_utf16_or_32_bom(text)) {
    auto p = position_in(text, nul);
    throw yaml_error("line " + std::to_string(p.line) + ", column " + std::to_string(p.column) +
                     ": NUL byte (YAML text may not contain one)");
  }
  std::vector<yaml_document> documents;
  if (auto json_document = as_json(text, limits)) {
    documents.push_back(std::move(*json_document));
    return documents;
  }
  alias_budget budget;
  std::istringstream in(text);
  try {
    YAML::Parser parser(in);
    int previous_start = -1;
    for (;;) {
      yaml_graph graph;
      graph_builder builder(graph, limits.max_depth);
      if (!parser.HandleNextDocument(builder))
        break;
      // yaml-cpp 0.7 reads a token it has no use for at the top of a document (a ',' or a
      // stray flow indicator) as an empty document without consuming it, and would do so
      // forever. Every real document starts past the previous one.
      if (graph.start.pos <= previous_start) {
        auto at = static_cast<std::size_t>(std::max(graph.start.pos, 0));
        throw yaml_error(located(graph.start) + ": unexpected " +
                         (at < text.size() ? "'" + printable_text(text.substr(at, 1)) + "'"
                                           : std::string("end of the text")));
      }
      previous_start = graph.start.pos;
      if (!graph.root || graph.nodes[graph.root->node].kind == node_kind::null)
        continue;
      if (documents.size() == limits.max_documents)
        throw yaml_error(located(graph.nodes[graph.root->node]) + ": more than " +
                         std::to_string(limits.max_documents) + " documents in one stream");
      json tree = graph_converter(graph, budget, limits.max_depth).convert(*graph.root);
      documents.push_back({std::move(tree), static_cast<int>(graph.root_line) + 1});
    }
  } catch (const YAML::DeepRecursion& e) {
    throw yaml_error(located(e.mark) + ": nesting too deep (the YAML parser's recursion limit)");
  } catch (const YAML::Exception& e) {
    throw yaml_error(located(e.mark) + ": " + printable_text(e.msg));
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
