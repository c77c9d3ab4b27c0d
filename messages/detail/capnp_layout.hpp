// The reflective Cap'n Proto layer behind messages/capnp_codec.cpp and
// messages/node_protocol.cpp: C++ structs that list their fields (`fields(f, x)`) are written
// and read straight through capnp's layout layer against the schema struct of the same field
// names (capnp_plan.hpp, capnp_write.hpp, capnp_read.hpp), and flat messages are framed here.
// Included only by those two files (generated capnp code stays inside messages/).
#pragma once

#include <algorithm>
#include <cstring>

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include "messages/decode_memo.hpp"
#include "messages/detail/capnp_plan.hpp"
#include "messages/detail/capnp_read.hpp"
#include "messages/detail/capnp_region.hpp"
#include "messages/detail/capnp_write.hpp"

namespace capstan::messages::capnp_layout {

inline std::string to_bytes(capnp::MessageBuilder& builder) {
  auto words = capnp::messageToFlatArray(builder);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

// Reads a flat message, copying it to word alignment when the source is not aligned, and
// turns every capnp failure into a decode_error.
// A reader may traverse at most twice the message's words (three times while a decode_memo is
// in use), and never more than `limit_words` (capnp's amplification guard). capstan's decoders
// read each word of a message once (a shared list's twice with a memo), so no
// message a capstan wrote comes near; a message whose pointers lead many times into the same
// words, or to a list of empty structs (capnp counts each element as one word), is refused
// before the decoder allocates for more elements than the message has words. With a memo, the
// lists found by their region (capnp_region.hpp) are not read through capnp: their comparisons
// spend a budget of twice the message's bytes instead, so a message whose pointers lead many
// times to one list may be accepted with a memo and refused without (its value is the same).
template <class F>
auto with_reader(std::string_view bytes, const char* what, F&& f,
                 uint64_t limit_words = 1ull << 30) {
  if (bytes.size() % sizeof(capnp::word) != 0)
    throw decode_error(std::string(what) + ": length " + std::to_string(bytes.size()) +
                       " is not a whole number of 8-byte words");
  kj::Array<capnp::word> copy;
  kj::ArrayPtr<const capnp::word> words(reinterpret_cast<const capnp::word*>(bytes.data()),
                                        bytes.size() / sizeof(capnp::word));
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(capnp::word) != 0) {
    copy = kj::heapArray<capnp::word>(words.size());
    std::memcpy(copy.begin(), bytes.data(), bytes.size());
    words = copy;
  }
  try {
    capnp::ReaderOptions options;
    // With a memo in use, a shared list is read twice on a miss: its form, then its items.
    const uint64_t reads = decode_memo::current() ? 3 : 2;
    options.traversalLimitInWords = std::min<uint64_t>(limit_words, reads * words.size() + 16);
    capnp::FlatArrayMessageReader reader(words, options);
    // Region lookups (capnp_region.hpp) in a message of one segment: its first word says so
    // (segment count - 1 = 0) and gives the segment's size in words, which follow.
    const unsigned char* segment_begin = nullptr;
    const unsigned char* segment_end = nullptr;
    if (reads == 3 && words.size() >= 1) {
      uint64_t table;
      std::memcpy(&table, words.begin(), sizeof table);
      const uint64_t segment_words = table >> 32;
      if (static_cast<uint32_t>(table) == 0 && segment_words <= words.size() - 1) {
        segment_begin = reinterpret_cast<const unsigned char*>(words.begin() + 1);
        segment_end = segment_begin + segment_words * sizeof(capnp::word);
      }
    }
    region_scope region(segment_begin, segment_end, 2 * bytes.size());
    return f(reader);
  } catch (const kj::Exception& e) {
    throw decode_error(std::string(what) + ": " + e.getDescription().cStr());
  }
}

template <class T>
layout::StructBuilder raw(typename T::Builder builder) {
  return layout::PointerHelpers<T>::getInternalBuilder(kj::mv(builder));
}
template <class T>
layout::StructReader raw(const typename T::Reader& reader) {
  return layout::PointerHelpers<T>::getInternalReader(reader);
}

}  // namespace capstan::messages::capnp_layout
