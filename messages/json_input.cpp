#include "messages/json_input.hpp"

#include <memory>
#include <optional>
#include <unordered_set>
#include <vector>

#include "messages/input_text.hpp"

namespace capstan::messages {

namespace {

// A SAX handler for nlohmann::json::sax_parse that builds the tree itself (the library's DOM
// builder has no limits and no notion of where it is) and keeps the path of the value being
// read, so any refusal can name its field.
class bounded_dom_builder {
public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  bounded_dom_builder(std::string_view text, const json_input_limits& limits)
      : text_(text), limits_(limits) {}

  bool null() { return put(json(nullptr)); }
  bool boolean(bool v) { return put(json(v)); }
  bool number_integer(number_integer_t v) { return put(json(v)); }
  bool number_unsigned(number_unsigned_t v) { return put(json(v)); }
  bool number_float(number_float_t v, const string_t& literal) {
    // The lexer reads an integer too large for 64 bits as a double, silently rounding it.
    if (literal.find_first_of(".eE") == string_t::npos)
      return refuse("integer out of range (more than 64 bits)");
    return put(json(v));
  }
  bool string(string_t& s) {
    if (s.find('\0') != string_t::npos)
      return refuse("NUL character (\\u0000)");
    return put(json(std::move(s)));
  }
  bool binary(binary_t&) { return refuse("binary values are not JSON"); }

  bool start_object(std::size_t) {
    if (!enter())
      return false;
    frames_.emplace_back(place(json(json::value_t::object)), true);
    return true;
  }
  bool key(string_t& k) {
    frame& f = frames_.back();
    if (k.find('\0') != string_t::npos)
      return refuse("NUL character (\\u0000)");
    // The member is added now, its value when it has been read: paths name it meanwhile.
    auto& members = f.members();
    members.emplace_back(std::move(k), json());
    f.has_key = true;
    if (!f.add_name())
      return refuse("", "duplicate field ");
    return true;
  }
  bool end_object() { return leave(); }
  bool start_array(std::size_t) {
    if (!enter())
      return false;
    frames_.emplace_back(place(json(json::value_t::array)), false);
    return true;
  }
  bool end_array() { return leave(); }

  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex) {
    // `position` counts the bytes read: the offending one is the last of them.
    std::size_t offset = position == 0 ? 0 : position - 1;
    std::size_t nul = text_.find('\0');
    if (nul != std::string_view::npos && nul <= offset) {
      // The lexer reads a raw NUL as the end of the input.
      error_offset_ = nul;
      return refuse("NUL byte");
    }
    error_offset_ = offset;
    std::string what = ex.what();
    if (ex.id == 406)
      return refuse("number out of range");
    if (what.find("ill-formed UTF-8") != std::string::npos)
      return refuse("invalid UTF-8");
    if (what.find("control character") != std::string::npos)
      return refuse("unescaped control character in a string");
    if (what.find("unexpected end of input") != std::string::npos) {
      if (text_.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return refuse_document("the document is empty");
      return refuse("unexpected end of the document (is it truncated?)");
    }
    if (what.find("expected end of input") != std::string::npos)
      return refuse("unexpected text after the end of the document");
    // Anything else: the library's description without its quote of the input.
    std::size_t start = what.find("syntax error");
    std::string description = start == std::string::npos ? what : what.substr(start);
    std::string quoted = "; last read: '" + last_token + "'";
    if (auto at = description.find(quoted); at != std::string::npos)
      description.erase(at, quoted.size());
    return refuse(printable_text(description, 160));
  }

  // After sax_parse: the tree, or why it was refused.
  std::variant<json, json_input_error> result(bool parsed) {
    if (error_)
      return std::move(*error_);
    if (!parsed)  // not expected: every failure path above sets error_
      return json_input_error{"", "invalid JSON"};
    return std::move(root_);
  }

private:
  // Finds repeated names among an object's members by their index in its member vector, so
  // names are stored once (in the tree). Built only for objects of more than a few members.
  struct member_hash {
    const json::object_t::Container* members;
    std::size_t operator()(std::size_t i) const {
      return std::hash<std::string>{}((*members)[i].first);
    }
  };
  struct member_equal {
    const json::object_t::Container* members;
    bool operator()(std::size_t a, std::size_t b) const {
      return (*members)[a].first == (*members)[b].first;
    }
  };
  using name_index = std::unordered_set<std::size_t, member_hash, member_equal>;

  struct frame {
    frame(json* v, bool is_object) : value(v), object(is_object) {}
    json* value;  // the object or array being filled; stable while it is open
    bool object;
    std::size_t count = 0;  // values placed so far
    bool has_key = false;   // objects: the last member's name is read, its value not yet
    std::unique_ptr<name_index> names;

    json::object_t::Container& members() {
      return static_cast<json::object_t::Container&>(*value->get_ptr<json::object_t*>());
    }
    const std::string& last_name() const {
      return static_cast<const json::object_t::Container&>(*value->get_ptr<const json::object_t*>())
          .back()
          .first;
    }

    // Adds the last member's name; false when an earlier member has it.
    bool add_name() {
      auto& m = members();
      constexpr std::size_t scan_below = 16;
      if (!names && m.size() <= scan_below) {
        for (std::size_t i = 0; i + 1 < m.size(); ++i)
          if (m[i].first == m.back().first)
            return false;
        return true;
      }
      if (!names) {
        names = std::make_unique<name_index>(2 * scan_below, member_hash{&m}, member_equal{&m});
        for (std::size_t i = 0; i + 1 < m.size(); ++i)
          names->insert(i);
      }
      return names->insert(m.size() - 1).second;
    }
  };

  bool enter() {
    if (frames_.size() >= limits_.max_depth)
      return refuse("nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    return true;
  }

  bool leave() {
    frames_.pop_back();
    finished_value();
    return true;
  }

  bool put(json&& v) {
    place(std::move(v));
    finished_value();
    return true;
  }

  // Places a new value where the parser is; returns it. Objects append to their underlying
  // vector: ordered_map's own insertion searches linearly, quadratic over many fields, and
  // key() has already refused repeats.
  json* place(json&& v) {
    if (frames_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    frame& f = frames_.back();
    ++f.count;
    if (f.object) {
      json& member = f.members().back().second;  // key() added it
      member = std::move(v);
      return &member;
    }
    auto& items = *f.value->get_ptr<json::array_t*>();
    items.push_back(std::move(v));
    return &items.back();
  }

  void finished_value() {
    if (!frames_.empty())
      frames_.back().has_key = false;
  }

  // The path of the value being read.
  std::string path(bool* in_name) const {
    std::string out;
    *in_name = false;
    for (std::size_t i = 0; i < frames_.size(); ++i) {
      const frame& f = frames_[i];
      bool innermost = i + 1 == frames_.size();
      if (f.object) {
        if (f.has_key || !innermost)
          out = field_path_child(out, f.last_name());
        else
          *in_name = true;
      } else {
        out = field_path_index(out, innermost ? f.count : f.count - 1);
      }
    }
    return out;
  }

  // Refuses the document: "<what> in <field> (line L, column C)", or, when `subject` is set,
  // "<subject><field> (line L, column C)".
  bool refuse(const std::string& what, const char* subject = nullptr) {
    bool in_name = false;
    std::string field = printable_text(path(&in_name), max_field_bytes);
    std::string shown = printable_text(field, max_shown_field_bytes);
    std::string message;
    if (subject)
      message = subject + shown;
    else if (in_name)
      message = what + (field.empty() ? " in a field name" : " in a field name in " + shown);
    else
      message = field.empty() ? what : what + " in " + shown;
    error_ = json_input_error{field, message + located()};
    return false;
  }

  bool refuse_document(const std::string& what) {
    error_ = json_input_error{"", what};
    return false;
  }

  std::string located() const {
    if (error_offset_ == std::string_view::npos)
      return "";
    auto p = position_in(text_, error_offset_);
    return " (line " + std::to_string(p.line) + ", column " + std::to_string(p.column) + ")";
  }

  // Paths 1,000 levels deep are long: the error keeps 1 KiB of one, its message 200 bytes.
  static constexpr std::size_t max_field_bytes = 1024;
  static constexpr std::size_t max_shown_field_bytes = 200;

  std::string_view text_;
  const json_input_limits& limits_;
  json root_;
  std::vector<frame> frames_;
  std::optional<json_input_error> error_;
  std::size_t error_offset_ = std::string_view::npos;
};

}  // namespace

std::variant<json, json_input_error> parse_json_input(std::string_view text,
                                                      const json_input_limits& limits) {
  if (text.size() > limits.max_bytes)
    return json_input_error{"", "the document is " + std::to_string(text.size()) +
                                    " bytes; the limit is " + std::to_string(limits.max_bytes) +
                                    " bytes"};
  bounded_dom_builder builder(text, limits);
  bool parsed = json::sax_parse(text.begin(), text.end(), &builder,
                                nlohmann::detail::input_format_t::json, /*strict=*/true);
  auto out = builder.result(parsed);
  if (std::holds_alternative<json>(out)) {
    // A raw NUL after a complete value reads as the end of the input to the lexer.
    if (auto nul = text.find('\0'); nul != std::string_view::npos) {
      auto p = position_in(text, nul);
      return json_input_error{"", "NUL byte after the end of the document (line " +
                                      std::to_string(p.line) + ", column " +
                                      std::to_string(p.column) + ")"};
    }
  }
  return out;
}

}  // namespace capstan::messages
