// Fuzz target: journal records and snapshot chunks as read back from disk (store/event_log.hpp,
// messages/capnp_codec.hpp, store/apply.hpp): what a master's restart and the audit tools read.
//
// Input: one byte choosing what the rest is, then
//   even: the values of the `log` family under keys 1, 2, 3, ...: each a 4-byte little-endian
//         length and that many bytes. Each is decoded by decode_stored_record (as
//         event_log::read does) and applied in order to a state that starts empty, as a
//         restart replays the log; the first error ends the replay.
//   odd:  one snapshot chunk (a value of the `snapshots` family), decoded and loaded into a
//         state as a restart loads a snapshot.
// Asserts, besides no crash and no sanitizer report (memory included):
//   - a corrupt value raises store_error (decode_error for a chunk), nothing else;
//   - a record read is the one stored under its key (its seq equals the key), and it encodes to
//     bytes that read back as the same record;
//   - applying a record either raises store_error and leaves the state as it was, or advances
//     the state to the record's seq and stamps that seq as the changed object's resourceVersion;
//   - the state never holds an object under a key other than its own namespace and name, and
//     a snapshot of it (encode_snapshot_chunk) loads back as the same state: a record that could
//     make replay and snapshot disagree is refused, not applied.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.hpp"
#include "messages/capnp_codec.hpp"
#include "messages/decode_memo.hpp"
#include "store/apply.hpp"
#include "store/event_log.hpp"

using namespace capstan;
using messages::any_object;

namespace {

// Every object of `state` as its snapshot bytes, in table order, with the key it is held under.
std::string state_image(const store::cluster_state& state) {
  std::string out = std::to_string(state.seq) + "\n";
  for (std::size_t k = 0; k < messages::object_kind_count; ++k)
    for (const auto& [key, object] : state.tables[k])
      out += std::to_string(k) + "/" + key.namespace_ + "/" + key.name + "=" +
             messages::encode_object(object) + "\n";
  return out;
}

void check_state(const store::cluster_state& state) {
  for (std::size_t k = 0; k < messages::object_kind_count; ++k)
    for (const auto& [key, object] : state.tables[k]) {
      const auto& meta = messages::meta_of(object);
      FUZZ_CHECK(static_cast<std::size_t>(messages::kind_of(object)) == k,
                 "an object is held in another kind's table");
      FUZZ_CHECK(meta.namespace_ == key.namespace_ && meta.name == key.name,
                 "an object named " + meta.namespace_ + "/" + meta.name + " is held as " +
                     key.namespace_ + "/" + key.name);
    }
  // What a snapshot of this state would hold, loaded back.
  store::cluster_state loaded;
  std::vector<any_object> objects;
  messages::decode_snapshot_chunk(messages::encode_snapshot_chunk(state.all_objects()), objects);
  store::load_objects(loaded, state.seq, std::move(objects));
  FUZZ_CHECK(state_image(loaded) == state_image(state),
             "a snapshot of the state loads back as another state");
}

// `value` read as a record while `memo` is in use, encoded again; empty when refused.
std::string read_with_memo(messages::decode_memo& memo, uint64_t seq, std::string_view value) {
  messages::decode_memo::use in_use(memo);
  try {
    return messages::encode_record(store::decode_stored_record(seq, value, "fuzz"));
  } catch (const store::store_error&) {
    return {};
  }
}

void replay(std::string_view input) {
  store::cluster_state state;
  messages::decode_memo memo;
  for (uint64_t seq = 1; input.size() >= 4; ++seq) {
    uint32_t length;
    std::memcpy(&length, input.data(), 4);
    input.remove_prefix(4);
    const std::string_view value = input.substr(0, length);
    input.remove_prefix(value.size());

    const std::string read_by_memo = read_with_memo(memo, seq, value);
    messages::journal_record record;
    try {
      record = store::decode_stored_record(seq, value, "fuzz");
    } catch (const store::store_error& e) {
      FUZZ_CHECK(std::string(e.what()).find("record " + std::to_string(seq)) != std::string::npos,
                 "the error does not name the record");
      return;
    }
    FUZZ_CHECK(record.seq == seq, "a record was read under another key");
    const std::string encoded = messages::encode_record(record);
    FUZZ_CHECK(messages::encode_record(store::decode_stored_record(seq, encoded, "fuzz")) ==
                   encoded,
               "a record read changes when written and read again");
    FUZZ_CHECK(read_by_memo.empty() || read_by_memo == encoded,
               "a record reads as another with a decode memo");
    FUZZ_CHECK(read_with_memo(memo, seq, encoded) == encoded,
               "capstan's encoding of a record reads as another with a decode memo");

    const std::string before = state_image(state);
    const auto kind = record.kind;
    const store::object_key key{record.namespace_, record.name};
    try {
      store::apply(state, std::move(record));
    } catch (const store::store_error&) {
      FUZZ_CHECK(state_image(state) == before, "a refused record changed the state");
      return;
    }
    FUZZ_CHECK(state.seq == seq, "the state did not advance to the record");
    if (const any_object* changed = state.find(kind, key))
      FUZZ_CHECK(messages::meta_of(*changed).resource_version == std::to_string(seq),
                 "the changed object's resourceVersion is not the record's seq");
    check_state(state);
  }
}

void load_chunk(std::string_view value) {
  std::vector<any_object> objects;
  try {
    messages::decode_snapshot_chunk(value, objects);
  } catch (const messages::decode_error&) {
    return;
  }
  std::vector<const any_object*> pointers;
  for (const auto& o : objects)
    pointers.push_back(&o);
  const std::string encoded = messages::encode_snapshot_chunk(pointers);
  std::vector<any_object> again;
  {
    messages::decode_memo memo;  // read twice: the second read takes the lists from the memo
    messages::decode_memo::use in_use(memo);
    messages::decode_snapshot_chunk(encoded, again);
    again.clear();
    messages::decode_snapshot_chunk(encoded, again);
  }
  FUZZ_CHECK(again.size() == objects.size(), "a chunk read back holds another number of objects");
  for (std::size_t i = 0; i < again.size(); ++i)
    FUZZ_CHECK(messages::encode_object(again[i]) == messages::encode_object(objects[i]),
               "an object of a chunk changes when written and read again");
  store::cluster_state state;
  store::load_objects(state, 1, std::move(objects));
  check_state(state);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0)
    replay(rest);
  else
    load_chunk(rest);
  return 0;
}
