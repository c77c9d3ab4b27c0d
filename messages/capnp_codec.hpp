// Cap'n Proto encoding of objects, journal records and snapshot chunks. Byte strings are
// flat (unpacked) Cap'n Proto messages; messages/schema/*.capnp define them.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/domain_event.hpp"

namespace capstan::messages {

// Thrown by the decoders when bytes are not a valid message of the expected schema.
struct decode_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string encode_object(const any_object& object);
any_object decode_object(std::string_view bytes);

std::string encode_record(const journal_record& record);
journal_record decode_record(std::string_view bytes);
// Only the sequence number, without decoding the rest (cheap integrity checks).
uint64_t decode_record_seq(std::string_view bytes);

struct snapshot_manifest {
  uint64_t seq = 0;
  int64_t time_nanos = 0;
  uint32_t chunk_count = 0;
  uint64_t object_count = 0;
};
std::string encode_snapshot_manifest(const snapshot_manifest& manifest);
snapshot_manifest decode_snapshot_manifest(std::string_view bytes);

std::string encode_snapshot_chunk(const std::vector<const any_object*>& objects);
// Appends the chunk's objects to `out`.
void decode_snapshot_chunk(std::string_view bytes, std::vector<any_object>& out);
// Gives the chunk's objects to `take` one by one, in order (no vector of them all).
void decode_snapshot_chunk(std::string_view bytes, const std::function<void(any_object&&)>& take);

}  // namespace capstan::messages
