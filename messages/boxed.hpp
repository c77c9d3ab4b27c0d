// boxed<T>: an optional value kept on the heap. It reads and writes like std::optional<T>, but
// costs one pointer when empty, for the large parts most objects lack (probes, lifecycle hooks,
// volume sources, a pod template): an object's size is the sum of its fields' inline sizes, and
// the read model holds millions of objects.
#pragma once

#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace capstan::messages {

template <class T>
class boxed {
public:
  using value_type = T;

  boxed() noexcept = default;
  boxed(std::nullopt_t) noexcept {}
  boxed(const T& value) : value_(std::make_unique<T>(value)) {}
  boxed(T&& value) : value_(std::make_unique<T>(std::move(value))) {}
  boxed(const std::optional<T>& value) {
    if (value)
      value_ = std::make_unique<T>(*value);
  }
  boxed(const boxed& other) : value_(other.value_ ? std::make_unique<T>(*other.value_) : nullptr) {}
  boxed(boxed&&) noexcept = default;

  boxed& operator=(const boxed& other) {
    if (this != &other)
      assign_from(other.value_.get());
    return *this;
  }
  boxed& operator=(boxed&&) noexcept = default;
  boxed& operator=(std::nullopt_t) noexcept {
    value_.reset();
    return *this;
  }
  boxed& operator=(const T& value) {
    assign_from(&value);
    return *this;
  }
  boxed& operator=(T&& value) {
    if (value_)
      *value_ = std::move(value);
    else
      value_ = std::make_unique<T>(std::move(value));
    return *this;
  }
  boxed& operator=(const std::optional<T>& value) {
    assign_from(value ? &*value : nullptr);
    return *this;
  }

  template <class... Args>
  T& emplace(Args&&... args) {
    value_ = std::make_unique<T>(std::forward<Args>(args)...);
    return *value_;
  }
  void reset() noexcept { value_.reset(); }

  bool has_value() const noexcept { return value_ != nullptr; }
  explicit operator bool() const noexcept { return has_value(); }

  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return value_.get(); }
  const T* operator->() const { return value_.get(); }
  T& value() {
    if (!value_)
      throw std::bad_optional_access();
    return *value_;
  }
  const T& value() const {
    if (!value_)
      throw std::bad_optional_access();
    return *value_;
  }
  template <class U>
  T value_or(U&& fallback) const {
    return value_ ? *value_ : static_cast<T>(std::forward<U>(fallback));
  }

  friend bool operator==(const boxed& a, const boxed& b) {
    return a.has_value() == b.has_value() && (!a.has_value() || *a == *b);
  }
  friend bool operator!=(const boxed& a, const boxed& b) { return !(a == b); }
  friend bool operator==(const boxed& a, std::nullopt_t) { return !a.has_value(); }
  friend bool operator!=(const boxed& a, std::nullopt_t) { return a.has_value(); }

private:
  void assign_from(const T* value) {
    if (!value)
      value_.reset();
    else if (value_)
      *value_ = *value;
    else
      value_ = std::make_unique<T>(*value);
  }

  std::unique_ptr<T> value_;
};

}  // namespace capstan::messages
