// rare_string: a string field most objects leave empty (a pod's status message and reason, its
// hostname and subdomain). It reads like a const std::string and costs one pointer when empty,
// where a std::string costs 32 bytes set or not: the read model holds millions of objects, and
// an object's size is the sum of its fields' inline sizes (see boxed.hpp).
//
// Codecs treat it as a string (JSON string, capnp Text): records and snapshots written with a
// std::string field read back the same.
#pragma once

#include <cstring>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace capstan::messages {

class rare_string {
public:
  rare_string() noexcept = default;
  rare_string(const std::string& value) { assign(value); }
  rare_string(std::string&& value) { assign(std::move(value)); }
  rare_string(const char* value) { assign(std::string(value)); }
  rare_string(const rare_string& other) {
    if (other.value_)
      value_ = std::make_unique<std::string>(*other.value_);
  }
  rare_string(rare_string&&) noexcept = default;

  rare_string& operator=(const rare_string& other) {
    if (this != &other)
      assign(other.str());
    return *this;
  }
  rare_string& operator=(rare_string&&) noexcept = default;
  rare_string& operator=(const std::string& value) {
    assign(value);
    return *this;
  }
  rare_string& operator=(std::string&& value) {
    assign(std::move(value));
    return *this;
  }
  rare_string& operator=(const char* value) {
    assign(std::string(value));
    return *this;
  }

  // The value; "" when empty. The reference lives until the next change of this field.
  const std::string& str() const noexcept { return value_ ? *value_ : empty_value(); }
  operator const std::string&() const noexcept { return str(); }
  operator std::string_view() const noexcept { return str(); }

  bool empty() const noexcept { return !value_; }
  std::size_t size() const noexcept { return str().size(); }
  const char* c_str() const noexcept { return str().c_str(); }
  const char* data() const noexcept { return str().data(); }
  void clear() noexcept { value_.reset(); }

  friend bool operator==(const rare_string& a, const rare_string& b) { return a.str() == b.str(); }
  friend bool operator!=(const rare_string& a, const rare_string& b) { return !(a == b); }
  friend bool operator<(const rare_string& a, const rare_string& b) { return a.str() < b.str(); }
  friend bool operator==(const rare_string& a, const std::string& b) { return a.str() == b; }
  friend bool operator==(const std::string& a, const rare_string& b) { return a == b.str(); }
  friend bool operator!=(const rare_string& a, const std::string& b) { return a.str() != b; }
  friend bool operator!=(const std::string& a, const rare_string& b) { return a != b.str(); }
  friend bool operator==(const rare_string& a, const char* b) { return a.str() == b; }
  friend bool operator==(const char* a, const rare_string& b) { return a == b.str(); }
  friend bool operator!=(const rare_string& a, const char* b) { return a.str() != b; }
  friend bool operator!=(const char* a, const rare_string& b) { return a != b.str(); }
  friend std::string operator+(const std::string& a, const rare_string& b) { return a + b.str(); }
  friend std::string operator+(const rare_string& a, const std::string& b) { return a.str() + b; }
  friend std::string operator+(const char* a, const rare_string& b) { return a + b.str(); }
  friend std::string operator+(const rare_string& a, const char* b) { return a.str() + b; }
  friend std::ostream& operator<<(std::ostream& out, const rare_string& s) { return out << s.str(); }

private:
  static const std::string& empty_value() noexcept {
    static const std::string empty;
    return empty;
  }
  // Never holds "": an empty value is no allocation.
  template <class S>
  void assign(S&& value) {
    if (value.empty())
      value_.reset();
    else if (value_)
      *value_ = std::forward<S>(value);
    else
      value_ = std::make_unique<std::string>(std::forward<S>(value));
  }

  std::unique_ptr<std::string> value_;
};

}  // namespace capstan::messages

template <>
struct std::hash<capstan::messages::rare_string> {
  std::size_t operator()(const capstan::messages::rare_string& s) const noexcept {
    return std::hash<std::string>{}(s.str());
  }
};
