#include "messages/base64.hpp"

#include <array>
#include <cstdint>

namespace capstan::messages {

namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> decoding_table() {
  std::array<int8_t, 256> table{};
  for (auto& v : table)
    v = -1;
  for (int i = 0; i < 64; ++i)
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
  return table;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16 | static_cast<uint8_t>(bytes[i + 1]) << 8 |
                 static_cast<uint8_t>(bytes[i + 2]);
    out += alphabet[n >> 18 & 63];
    out += alphabet[n >> 12 & 63];
    out += alphabet[n >> 6 & 63];
    out += alphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2)
      n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += alphabet[n >> 18 & 63];
    out += alphabet[n >> 12 & 63];
    out += rest == 2 ? alphabet[n >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text, std::string* why) {
  static constexpr auto table = decoding_table();
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t group = 0;
  int filled = 0;   // sextets in `group`
  int padding = 0;  // '=' seen
  auto fail = [&](std::size_t at) -> std::optional<std::string> {
    if (why)
      *why = "illegal base64 data at input byte " + std::to_string(at);
    return std::nullopt;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\r' || c == '\n')
      continue;
    if (c == '=') {
      // Padding completes a group of 2 or 3 sextets; nothing but padding may follow it.
      if (filled + padding < 2)
        return fail(i);
      ++padding;
      if (filled + padding > 4)
        return fail(i);
      continue;
    }
    if (padding > 0 || table[c] < 0)
      return fail(i);
    group = group << 6 | static_cast<uint32_t>(table[c]);
    if (++filled == 4) {
      out += static_cast<char>(group >> 16 & 0xff);
      out += static_cast<char>(group >> 8 & 0xff);
      out += static_cast<char>(group & 0xff);
      group = 0;
      filled = 0;
    }
  }
  if (padding > 0) {
    if (filled + padding != 4)
      return fail(text.size());
    if (filled == 2) {
      out += static_cast<char>(group >> 4 & 0xff);
    } else {  // 3
      out += static_cast<char>(group >> 10 & 0xff);
      out += static_cast<char>(group >> 2 & 0xff);
    }
  } else if (filled != 0) {
    return fail(text.size());
  }
  return out;
}

}  // namespace capstan::messages
