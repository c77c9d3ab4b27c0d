// Kubernetes resource quantities ("500m", "0.5", "128Mi", "1e3"), parsed exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace capstan::messages {

// A quantity as the user wrote it plus its exact value in thousandths of the unit
// (milli-cpu for cpu, milli-bytes for memory). Values finer than 1/1000 are rounded up,
// as Kubernetes' MilliValue() does. Range: |value| * 1000 fits an int64 (about 9.2e15 units).
class quantity {
public:
  quantity() = default;

  // Parses the Kubernetes grammar: sign? digits[.digits] (Ki|Mi|Gi|Ti|Pi|Ei | n|u|m|k|M|G|T|P|E
  // | e<int> | E<int>)?. Returns nullopt and sets *error to the reason when malformed.
  static std::optional<quantity> parse(const std::string& text, std::string* error = nullptr);

  // Canonical constructors for values the system produces itself.
  static quantity from_milli(int64_t milli);  // 2000 -> "2", 500 -> "500m"
  static quantity from_bytes(int64_t bytes);  // 1073741824 -> "1Gi", 1000 -> "1000"
  static quantity from_count(int64_t count);  // 110 -> "110"

  const std::string& text() const { return text_; }
  int64_t milli() const { return milli_; }
  // Whole units, rounded up (bytes for memory, cores for cpu, count for pods).
  int64_t value() const;
  bool empty() const { return text_.empty(); }

  friend bool operator==(const quantity& a, const quantity& b) {
    return a.milli_ == b.milli_ && a.text_ == b.text_;
  }
  friend bool operator!=(const quantity& a, const quantity& b) { return !(a == b); }

private:
  quantity(std::string text, int64_t milli) : text_(std::move(text)), milli_(milli) {}
  std::string text_;
  int64_t milli_ = 0;
};

}  // namespace capstan::messages
