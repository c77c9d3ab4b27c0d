// The field-list walkers behind messages/json_codec.hpp. Include json_codec.hpp instead.
#pragma once

#include <charconv>
#include <cmath>
#include <limits>
#include <type_traits>

#include "messages/base64.hpp"
#include "messages/detail/type_traits.hpp"

namespace capstan::messages::detail {

using json = nlohmann::ordered_json;

template <class T, class = void>
struct has_fields : std::false_type {};
struct field_probe {
  template <class V>
  void operator()(const char*, V&) {}
  template <class V>
  void always(const char*, V&) {}
};
template <class T>
struct has_fields<T,
                  std::void_t<decltype(fields(std::declval<field_probe&>(), std::declval<T&>()))>>
    : std::true_type {};

// ---- encoding ----------------------------------------------------------------------------

template <class T>
json encode_json(const T& value);

// A stored raw JSON object's text as a tree: linear in its fields (ordered_json's own parser
// inserts members by linear search) and never throwing; a damaged text reads as {}.
json raw_object_from_text(const std::string& text);

template <class T>
bool is_zero(const T& v) {
  if constexpr (std::is_same_v<T, bool>)
    return !v;
  else if constexpr (std::is_integral_v<T>)
    return v == 0;
  else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, rare_string> ||
                     is_vector<T>::value ||
                     std::is_same_v<T, string_map> || std::is_same_v<T, resource_list> ||
                     std::is_same_v<T, byte_map> || std::is_same_v<T, sealed_bytes> ||
                     std::is_same_v<T, quantity> || std::is_same_v<T, int_or_string> ||
                     std::is_same_v<T, timestamp> || std::is_same_v<T, raw_json_object>)
    return v.empty();
  else if constexpr (is_optional<T>::value)
    return !v.has_value();
  else
    return false;  // structs are always written, as Go's encoding/json does
}

struct json_encoder {
  json& out;
  template <class T>
  void operator()(const char* name, const T& v) {
    if constexpr (!std::is_same_v<T, sealed_bytes>)  // the journal's own, never in JSON
      if (!is_zero(v))
        out[name] = encode_json(v);
  }
  template <class T>
  void always(const char* name, const T& v) {
    out[name] = encode_json(v);
  }
};

template <class T>
json encode_json(const T& v) {
  if constexpr (std::is_same_v<T, bool> || std::is_integral_v<T> ||
                std::is_same_v<T, std::string>) {
    return json(v);
  } else if constexpr (std::is_same_v<T, rare_string>) {
    return json(v.str());
  } else if constexpr (std::is_same_v<T, quantity>) {
    return json(v.text());
  } else if constexpr (std::is_same_v<T, int_or_string>) {
    return v.is_string ? json(v.string_value) : json(v.int_value);
  } else if constexpr (std::is_same_v<T, timestamp>) {
    return v.empty() ? json(nullptr) : json(v.to_rfc3339());
  } else if constexpr (std::is_same_v<T, raw_json_object>) {
    // The text was produced by the decoder below or by capstan itself; an unparsable text
    // (a damaged record) reads as an empty object rather than throwing from an encoder.
    return raw_object_from_text(v.text);
  } else if constexpr (std::is_same_v<T, byte_map>) {
    json out = json::object();
    auto& members = out.get_ref<json::object_t&>();
    members.reserve(v.size());
    for (const auto& [k, val] : v)
      members.emplace_back(k, base64_encode(val));
    return out;
  } else if constexpr (std::is_same_v<T, string_map>) {
    // The map's keys are unique: appended directly (ordered_json's operator[] searches the
    // object linearly, which made 10,000 labels cost 50 million comparisons).
    json out = json::object();
    auto& members = out.get_ref<json::object_t&>();
    members.reserve(v.size());
    for (const auto& [k, val] : v)
      members.emplace_back(k, val);
    return out;
  } else if constexpr (std::is_same_v<T, resource_list>) {
    json out = json::object();
    auto& members = out.get_ref<json::object_t&>();
    for (const auto& [k, val] : v)
      members.emplace_back(k, val.text());
    return out;
  } else if constexpr (is_optional<T>::value) {
    return v ? encode_json(*v) : json(nullptr);
  } else if constexpr (std::is_same_v<T, any_object>) {
    return to_json(v);
  } else if constexpr (is_vector<T>::value) {
    json out = json::array();
    for (const auto& item : v)
      out.push_back(encode_json(item));
    return out;
  } else {
    static_assert(has_fields<T>::value, "no JSON encoding for this type");
    json out = json::object();
    json_encoder encoder{out};
    fields(encoder, const_cast<T&>(v));  // the encoder only reads
    return out;
  }
}

// ---- decoding ----------------------------------------------------------------------------

std::string describe_json_type(const json& j);
// A JSON number as quantity text: 0.5 -> "0.5", 2 -> "2".
std::string number_text(const json& j);

template <class T>
void decode_json(const json& j, T& out, const std::string& path, field_errors& errors);

inline void type_error(const json& j, const std::string& path, const char* expected,
                       field_errors& errors) {
  errors.push_back({field_error_type::type_mismatch, path, describe_json_type(j),
                    std::string("expected ") + expected});
}

template <class I>
void decode_integer(const json& j, I& out, const std::string& path, field_errors& errors) {
  const char* expected = sizeof(I) == 4 ? "an integer (32-bit)" : "an integer (64-bit)";
  long double v;
  if (j.is_number_integer()) {
    v = j.is_number_unsigned() ? static_cast<long double>(j.get<uint64_t>())
                               : static_cast<long double>(j.get<int64_t>());
  } else if (j.is_number_float() && std::isfinite(j.get<double>()) &&
             std::trunc(j.get<double>()) == j.get<double>()) {
    v = j.get<double>();  // integral; the range is checked below, before any conversion
  } else {
    type_error(j, path, expected, errors);
    return;
  }
  if (v < static_cast<long double>(std::numeric_limits<I>::min()) ||
      v > static_cast<long double>(std::numeric_limits<I>::max())) {
    errors.push_back(invalid(path, j.dump(), std::string("out of range for ") + expected));
    return;
  }
  out = static_cast<I>(v);
}

struct json_decoder {
  const json& in;
  const std::string& path;
  field_errors& errors;
  std::vector<const char*> known;

  template <class T>
  void operator()(const char* name, T& v) {
    if constexpr (!std::is_same_v<T, sealed_bytes>) {  // not JSON: named, it is unknown
      known.push_back(name);
      auto it = in.find(name);
      if (it != in.end() && !it->is_null())
        decode_json(*it, v, child(path, name), errors);
    }
  }
  template <class T>
  void always(const char* name, T& v) {
    (*this)(name, v);
  }

  bool is_known(const std::string& name) const {
    for (const char* k : known)
      if (name == k)
        return true;
    return false;
  }
};

// Decodes a struct's fields from `j`; keys listed in `extra_known` (e.g. apiVersion, kind)
// are accepted without being decoded.
template <class T>
void decode_struct(const json& j, T& out, const std::string& path, field_errors& errors,
                   std::initializer_list<const char*> extra_known = {}) {
  if (!j.is_object()) {
    type_error(j, path, "an object", errors);
    return;
  }
  json_decoder decoder{j, path, errors, {}};
  fields(decoder, out);
  for (const char* k : extra_known)
    decoder.known.push_back(k);
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!decoder.is_known(it.key()))
      errors.push_back({field_error_type::unknown_field, child(path, it.key()), {}, {}});
}

template <class T>
void decode_json(const json& j, T& out, const std::string& path, field_errors& errors) {
  if constexpr (std::is_same_v<T, bool>) {
    if (j.is_boolean())
      out = j.get<bool>();
    else
      type_error(j, path, "a boolean (true or false)", errors);
  } else if constexpr (std::is_integral_v<T>) {
    decode_integer(j, out, path, errors);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (j.is_string())
      out = j.get<std::string>();
    else
      type_error(j, path, "a string (quote the value)", errors);
  } else if constexpr (std::is_same_v<T, rare_string>) {
    if (j.is_string())
      out = j.get<std::string>();
    else
      type_error(j, path, "a string (quote the value)", errors);
  } else if constexpr (std::is_same_v<T, quantity>) {
    std::string text;
    if (j.is_string())
      text = j.get<std::string>();
    else if (j.is_number())
      text = number_text(j);
    else {
      type_error(j, path, "a quantity such as \"500m\", \"0.5\" or \"128Mi\"", errors);
      return;
    }
    std::string why;
    if (auto q = quantity::parse(text, &why))
      out = *q;
    else
      errors.push_back(invalid(path, quote(text), why));
  } else if constexpr (std::is_same_v<T, int_or_string>) {
    if (j.is_string()) {
      out = int_or_string::of(j.get<std::string>());
    } else {
      int32_t v = 0;
      decode_integer(j, v, path, errors);
      out = int_or_string::of(v);
    }
  } else if constexpr (std::is_same_v<T, timestamp>) {
    if (!j.is_string()) {
      type_error(j, path, "an RFC 3339 time string", errors);
    } else if (auto t = timestamp::parse_rfc3339(j.get<std::string>())) {
      out = *t;
    } else {
      errors.push_back(invalid(path, quote(j.get<std::string>()),
                               "must be an RFC 3339 time such as \"2015-07-01T10:00:00Z\""));
    }
  } else if constexpr (std::is_same_v<T, raw_json_object>) {
    if (j.is_object())
      out.text = j.dump();
    else
      type_error(j, path, "an object", errors);
  } else if constexpr (std::is_same_v<T, byte_map>) {
    if (!j.is_object()) {
      type_error(j, path, "an object of key: base64 value pairs", errors);
      return;
    }
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string at = key(path, it.key());
      if (!it.value().is_string()) {
        type_error(it.value(), at, "a base64 string", errors);
        continue;
      }
      std::string why;
      if (auto bytes = base64_decode(it.value().get_ref<const std::string&>(), &why))
        out[it.key()] = std::move(*bytes);
      else
        errors.push_back(invalid(at, "<value>", why));
    }
  } else if constexpr (std::is_same_v<T, string_map> || std::is_same_v<T, resource_list>) {
    if (!j.is_object()) {
      type_error(j, path, "an object of key: value pairs", errors);
      return;
    }
    for (auto it = j.begin(); it != j.end(); ++it)
      decode_json(it.value(), out[it.key()], key(path, it.key()), errors);
  } else if constexpr (std::is_same_v<T, any_object>) {
    field_errors inner;
    if (auto object = object_from_json(j, inner))
      out = std::move(*object);
    for (auto& e : inner) {
      e.field = child(path, e.field);
      errors.push_back(std::move(e));
    }
  } else if constexpr (is_optional<T>::value) {
    typename T::value_type v{};
    decode_json(j, v, path, errors);
    out = std::move(v);
  } else if constexpr (is_vector<T>::value) {
    if (!j.is_array()) {
      type_error(j, path, "a list", errors);
      return;
    }
    out.clear();
    out.resize(j.size());
    for (std::size_t i = 0; i < j.size(); ++i)
      decode_json(j[i], out[i], index(path, i), errors);
  } else {
    static_assert(has_fields<T>::value, "no JSON decoding for this type");
    decode_struct(j, out, path, errors);
  }
}

}  // namespace capstan::messages::detail
