// Leaf value types shared by every Kubernetes object: int-or-string, timestamps, maps.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "messages/quantity.hpp"
#include "messages/rare_string.hpp"

namespace capstan::messages {

// Kubernetes IntOrString (service targetPort, probe ports): either a number or a name.
struct int_or_string {
  bool is_string = false;
  int32_t int_value = 0;
  std::string string_value;

  static int_or_string of(int32_t v) { return {false, v, {}}; }
  static int_or_string of(std::string v) { return {true, 0, std::move(v)}; }
  bool empty() const { return !is_string && int_value == 0; }
  friend bool operator==(const int_or_string& a, const int_or_string& b) {
    return a.is_string == b.is_string && a.int_value == b.int_value &&
           a.string_value == b.string_value;
  }
};

// A point in time with second precision (metav1.Time); 0 means unset. JSON: RFC 3339 "Z".
struct timestamp {
  int64_t seconds = 0;

  static timestamp now();
  bool empty() const { return seconds == 0; }
  std::string to_rfc3339() const;
  // Accepts "2015-07-01T10:00:00Z" and offsets ("+08:00"); fractional seconds are dropped.
  static std::optional<timestamp> parse_rfc3339(const std::string& text);
  friend bool operator==(timestamp a, timestamp b) { return a.seconds == b.seconds; }
  friend bool operator<(timestamp a, timestamp b) { return a.seconds < b.seconds; }
};

// A JSON object carried verbatim (metav1.FieldsV1): kept as compact JSON text so that this
// header needs no JSON library; the JSON codec writes and reads it as an object (never as a
// string), the Cap'n Proto codec stores the text. Empty text means unset. Whoever sets `text`
// must set the compact text of a JSON object (the JSON decoder does).
struct raw_json_object {
  std::string text;

  bool empty() const { return text.empty(); }
  friend bool operator==(const raw_json_object& a, const raw_json_object& b) {
    return a.text == b.text;
  }
};

using string_map = std::map<std::string, std::string>;

// Keys to byte strings (Secret.data, ConfigMap.binaryData): JSON writes each value in base64
// (Go's []byte), Cap'n Proto as Data. A type of its own so that the codecs can tell it from a
// string_map.
struct byte_map : std::map<std::string, std::string> {
  using std::map<std::string, std::string>::map;
};

// A Secret's data as the journal keeps it: an AES-GCM envelope that only store/secret_sealing
// reads and writes. Never in JSON (neither written nor accepted); empty in every object outside
// the journal's own encoding.
struct sealed_bytes {
  std::string envelope;

  bool empty() const { return envelope.empty(); }
  friend bool operator==(const sealed_bytes& a, const sealed_bytes& b) {
    return a.envelope == b.envelope;
  }
};
// ResourceList: resource name ("cpu", "memory", "pods") to quantity.
using resource_list = std::map<std::string, quantity>;

}  // namespace capstan::messages
