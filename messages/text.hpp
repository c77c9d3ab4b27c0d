// Small text helpers shared across the code base.
#pragma once

#include <cctype>
#include <string>

namespace capstan::messages {

// ASCII lowercase ("TCP" -> "tcp", "Pod" -> "pod").
inline std::string ascii_lower(std::string s) {
  for (auto& ch : s)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace capstan::messages
