// Text checks shared by the readers of untrusted input (JSON, YAML): UTF-8 validity, field
// paths for error messages, and quoting input safely inside a message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace capstan::messages {

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF). NUL is valid UTF-8; callers that refuse it check for it separately.
bool valid_utf8(std::string_view text);

// Field paths as error messages show them: field_path_child("metadata.labels", "app") ==
// "metadata.labels.app"; a name that is not a plain identifier ([A-Za-z0-9_-]) is bracketed:
// field_path_child("metadata.labels", "app.kubernetes.io/name") ==
// "metadata.labels[app.kubernetes.io/name]"; field_path_index("spec.containers", 0) ==
// "spec.containers[0]". Names are made printable (printable_text) and cut at 64 bytes.
std::string field_path_child(const std::string& path, std::string_view name);
std::string field_path_index(const std::string& path, std::size_t index);

// `text` made safe to print inside a message: control characters become \n, \t or \xNN,
// bytes that are not UTF-8 become \xNN, and anything past `max_bytes` becomes "...". The
// result is always valid UTF-8, so a JSON dump of a message holding it cannot throw.
std::string printable_text(std::string_view text, std::size_t max_bytes = 200);

// 1-based line and column of byte `offset` in `text` (columns count bytes).
struct text_position {
  std::size_t line = 1;
  std::size_t column = 1;
};
text_position position_in(std::string_view text, std::size_t offset);

}  // namespace capstan::messages
