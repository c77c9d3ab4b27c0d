#include "messages/json_codec.hpp"

#include <charconv>

#include "messages/json_input.hpp"

namespace capstan::messages {

namespace detail {

json raw_object_from_text(const std::string& text) {
  if (text.empty())
    return json::object();
  auto parsed = parse_json_input(text, {text.size() + 1, 1000});
  auto* tree = std::get_if<json>(&parsed);
  return tree && tree->is_object() ? std::move(*tree) : json::object();
}

std::string describe_json_type(const json& j) {
  if (j.is_string())
    return quote(j.get<std::string>()) + " (a string)";
  if (j.is_boolean())
    return j.dump() + " (a boolean)";
  if (j.is_number())
    return j.dump() + " (a number)";
  if (j.is_array())
    return "a list";
  if (j.is_object())
    return "an object";
  return "null";
}

std::string number_text(const json& j) {
  if (j.is_number_unsigned())
    return std::to_string(j.get<uint64_t>());
  if (j.is_number_integer())
    return std::to_string(j.get<int64_t>());
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, j.get<double>());
  return std::string(buf, res.ptr);
}

}  // namespace detail

std::string json_text(const json& tree, int indent) {
  return tree.dump(indent, ' ', false, json::error_handler_t::replace);
}

json to_json(const any_object& object) {
  return std::visit(
      [&](const auto& o) {
        json out = json::object();
        out["kind"] = std::string(info(kind_of(object)).name);
        out["apiVersion"] = api_version(kind_of(object));
        json fields = detail::encode_json(o);
        for (auto& [k, v] : fields.items())
          out[k] = std::move(v);
        return out;
      },
      object);
}

std::optional<any_object> object_from_json(const json& document, field_errors& errors) {
  if (!document.is_object()) {
    detail::type_error(document, "", "an object with apiVersion and kind", errors);
    return std::nullopt;
  }
  auto kind_it = document.find("kind");
  if (kind_it == document.end() || !kind_it->is_string() || kind_it->get<std::string>().empty()) {
    errors.push_back(required("kind", "every object needs a kind such as Pod or Service"));
    return std::nullopt;
  }
  const std::string kind_name = kind_it->get<std::string>();
  auto kind = kind_from_name(kind_name);
  if (!kind) {
    std::vector<std::string> names;
    for (std::size_t k = 0; k < object_kind_count; ++k)
      names.emplace_back(info(static_cast<object_kind>(k)).name);
    errors.push_back(not_supported("kind", quote(kind_name), names));
    return std::nullopt;
  }
  const std::string version = api_version(*kind);
  auto version_it = document.find("apiVersion");
  if (version_it == document.end() || version_it->is_null())
    errors.push_back(required("apiVersion", "must be \"" + version + "\""));
  else if (!version_it->is_string() || version_it->get<std::string>() != version)
    errors.push_back(not_supported("apiVersion", version_it->dump(), {version}));

  any_object object = make_object(*kind);
  std::visit(
      [&](auto& o) {
        detail::decode_struct(document, o, "", errors, {"kind", "apiVersion"});
      },
      object);
  return object;
}

}  // namespace capstan::messages
