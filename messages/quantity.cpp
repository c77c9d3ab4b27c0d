#include "messages/quantity.hpp"

#include <limits>

namespace capstan::messages {

namespace {

using i128 = __int128;
constexpr i128 int64_max = std::numeric_limits<int64_t>::max();

bool fail(std::string* error, const char* why) {
  if (error)
    *error = why;
  return false;
}

// Multiplies by 10^power (power may be negative: divides, rounding away from zero so
// that a positive value is rounded up). Returns false on overflow.
bool scale_decimal(i128& v, int power) {
  for (; power > 0; --power) {
    v *= 10;
    if (v > int64_max || v < -int64_max)
      return false;
  }
  for (; power < 0; ++power) {
    i128 q = v / 10;
    if (v % 10 != 0)
      q += v > 0 ? 1 : -1;
    v = q;
  }
  return true;
}

}  // namespace

std::optional<quantity> quantity::parse(const std::string& text, std::string* error) {
  const char* p = text.c_str();
  const char* end = p + text.size();
  if (p == end) {
    fail(error, "quantity is empty");
    return std::nullopt;
  }
  bool negative = false;
  if (*p == '+' || *p == '-')
    negative = *p++ == '-';

  i128 mantissa = 0;
  int digits = 0, fraction_digits = 0, significant = 0;
  for (; p < end && *p >= '0' && *p <= '9'; ++p, ++digits) {
    if (significant || *p != '0')
      ++significant;
    mantissa = mantissa * 10 + (*p - '0');
    if (significant > 30) {
      fail(error, "quantity has too many digits");
      return std::nullopt;
    }
  }
  if (p < end && *p == '.') {
    ++p;
    for (; p < end && *p >= '0' && *p <= '9'; ++p, ++digits, ++fraction_digits) {
      if (significant || *p != '0')
        ++significant;
      if (significant > 30) {
        fail(error, "quantity has too many digits");
        return std::nullopt;
      }
      mantissa = mantissa * 10 + (*p - '0');
    }
  }
  if (digits == 0) {
    fail(error,
         "quantities must match the regular expression "
         "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    return std::nullopt;
  }

  // Suffix: binary SI, decimal SI or a decimal exponent.
  std::string suffix(p, end);
  int decimal_power = 0;
  int binary_power = 0;
  if (suffix.empty()) {
  } else if (suffix == "n") {
    decimal_power = -9;
  } else if (suffix == "u") {
    decimal_power = -6;
  } else if (suffix == "m") {
    decimal_power = -3;
  } else if (suffix == "k") {
    decimal_power = 3;
  } else if (suffix == "M") {
    decimal_power = 6;
  } else if (suffix == "G") {
    decimal_power = 9;
  } else if (suffix == "T") {
    decimal_power = 12;
  } else if (suffix == "P") {
    decimal_power = 15;
  } else if (suffix == "E") {
    decimal_power = 18;
  } else if (suffix == "Ki") {
    binary_power = 10;
  } else if (suffix == "Mi") {
    binary_power = 20;
  } else if (suffix == "Gi") {
    binary_power = 30;
  } else if (suffix == "Ti") {
    binary_power = 40;
  } else if (suffix == "Pi") {
    binary_power = 50;
  } else if (suffix == "Ei") {
    binary_power = 60;
  } else if (suffix[0] == 'e' || suffix[0] == 'E') {
    const char* q = suffix.c_str() + 1;
    bool exponent_negative = false;
    if (*q == '+' || *q == '-')
      exponent_negative = *q++ == '-';
    if (*q == '\0') {
      fail(error, "quantity exponent has no digits");
      return std::nullopt;
    }
    int exponent = 0;
    for (; *q; ++q) {
      if (*q < '0' || *q > '9' || exponent > 1000) {
        fail(error, "quantity exponent must be an integer");
        return std::nullopt;
      }
      exponent = exponent * 10 + (*q - '0');
    }
    decimal_power = exponent_negative ? -exponent : exponent;
  } else {
    fail(error,
         "unknown suffix: allowed are n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei "
         "or an exponent (e3)");
    return std::nullopt;
  }

  // milli = mantissa * 10^-fraction_digits * 2^binary_power * 10^decimal_power * 10^3.
  i128 v = mantissa;
  for (int i = 0; i < binary_power; ++i) {
    v *= 2;
    if (v > int64_max * i128{1000000000000000000LL}) {
      fail(error, "quantity is too large");
      return std::nullopt;
    }
  }
  if (!scale_decimal(v, decimal_power + 3 - fraction_digits)) {
    fail(error, "quantity is too large");
    return std::nullopt;
  }
  if (v > int64_max) {
    fail(error, "quantity is too large");
    return std::nullopt;
  }
  int64_t milli = static_cast<int64_t>(v);
  return quantity(text, negative ? -milli : milli);
}

quantity quantity::from_milli(int64_t milli) {
  if (milli % 1000 == 0)
    return quantity(std::to_string(milli / 1000), milli);
  return quantity(std::to_string(milli) + "m", milli);
}

quantity quantity::from_bytes(int64_t bytes) {
  static const char* const suffixes[] = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
  int64_t milli = bytes * 1000;
  if (bytes != 0) {
    for (int i = 0; i < 6; ++i) {
      int shift = 60 - 10 * i;
      if (shift < 63 && bytes % (int64_t{1} << shift) == 0)
        return quantity(std::to_string(bytes >> shift) + suffixes[i], milli);
    }
  }
  return quantity(std::to_string(bytes), milli);
}

quantity quantity::from_count(int64_t count) {
  return quantity(std::to_string(count), count * 1000);
}

int64_t quantity::value() const {
  int64_t whole = milli_ / 1000;
  return milli_ % 1000 > 0 ? whole + 1 : whole;
}

}  // namespace capstan::messages
