// Standard base64 (RFC 4648, with padding) as Kubernetes writes byte strings in JSON (Go's
// []byte: Secret.data, ConfigMap.binaryData).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace capstan::messages {

std::string base64_encode(std::string_view bytes);

// The bytes, or nullopt with `why` set ("illegal base64 data at input byte 3", Go's words).
// Padding is required; carriage returns and newlines are skipped, as Go's decoder does.
std::optional<std::string> base64_decode(std::string_view text, std::string* why = nullptr);

}  // namespace capstan::messages
