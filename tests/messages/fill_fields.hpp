// Test helper: sets every field of an object to a distinct non-zero value by walking its
// field list, so codec round trips cover every field without listing them again.
#pragma once

#include <string>

#include "messages/json_codec.hpp"

namespace capstan::test {

using namespace capstan::messages;

struct field_filler {
  int counter = 0;

  template <class T>
  void operator()(const char*, T& v) {
    fill(v);
  }
  template <class T>
  void always(const char*, T& v) {
    fill(v);
  }

  void fill(std::string& v) { v = "v" + std::to_string(++counter); }
  void fill(rare_string& v) { v = "v" + std::to_string(++counter); }
  void fill(bool& v) { v = true; }
  void fill(int32_t& v) { v = ++counter; }
  void fill(int64_t& v) { v = 1000000LL * ++counter; }
  void fill(uint32_t& v) { v = 3000000000U + static_cast<uint32_t>(++counter); }
  void fill(uint64_t& v) { v = 7000000000ULL + ++counter; }
  template <class E>
  std::enable_if_t<std::is_enum_v<E>> fill(E& v) {
    v = static_cast<E>(1 + ++counter % 5);
  }
  void fill(quantity& v) { v = *quantity::parse(std::to_string(++counter) + "Mi"); }
  void fill(timestamp& v) { v.seconds = 1500000000 + ++counter; }
  void fill(int_or_string& v) {
    v = (++counter % 2) ? int_or_string::of(counter)
                        : int_or_string::of("p" + std::to_string(counter));
  }
  void fill(raw_json_object& v) {
    std::string n = std::to_string(++counter);
    v.text = R"({"f:k)" + n + R"(":{".":{},"f:v)" + n + R"(":{}}})";
  }
  void fill(string_map& v) {
    for (int i = 0; i < 2; ++i) {
      std::string n = std::to_string(++counter);
      v["k" + n] = "v" + n;
    }
  }
  void fill(byte_map& v) {
    std::string n = std::to_string(++counter);
    v["b" + n] = std::string("\0\xff bytes ", 8) + n;
  }
  // Only the journal's sealing sets it; the JSON codec has no such field.
  void fill(sealed_bytes&) {}
  void fill(resource_list& v) {
    v["cpu"] = *quantity::parse(std::to_string(++counter) + "00m");
    v["memory"] = *quantity::parse(std::to_string(++counter) + "Gi");
  }
  template <class T>
  void fill(std::optional<T>& v) {
    T inner{};
    fill(inner);
    v = std::move(inner);
  }
  template <class T>
  void fill(boxed<T>& v) {
    T inner{};
    fill(inner);
    v = std::move(inner);
  }
  template <class T>
  void fill(std::vector<T>& v) {
    v.resize(2);
    for (auto& item : v)
      fill(item);
  }
  template <class T>
  void fill(shared_list<T>& v) {
    fill(v.edit());
  }
  void fill(any_object& v) {
    v = pod{};
    fill(std::get<pod>(v));
  }
  template <class T>
  auto fill(T& v) -> decltype(fields(*this, v)) {
    fields(*this, v);
  }
};

template <class T>
T filled() {
  T value{};
  field_filler filler;
  filler.fill(value);
  return value;
}

inline any_object filled_object(object_kind kind) {
  any_object object = make_object(kind);
  std::visit([](auto& o) { field_filler{}.fill(o); }, object);
  return object;
}

}  // namespace capstan::test
