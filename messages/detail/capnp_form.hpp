// The encoded form of a part of a Cap'n Proto message, for messages/decode_memo.hpp: what the
// decoder (capnp_read.hpp) compares before decoding a shared list. Included only by
// capnp_read.hpp.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include <capnp/layout.h>

#include "messages/decode_memo.hpp"

namespace capstan::messages::capnp_layout {

namespace layout = capnp::_;

// The encoded form of a part of a message, for decode_memo: every data byte, pointer and list
// shape below a pointer, each with a tag and its size, so that equal forms are equal messages
// below it and decode to equal values. Written into a buffer of decode_memo::max_form_bytes.
class form_writer {
public:
  std::string_view form() const { return {bytes_, size_}; }
  void clear() { size_ = 0; }

  // Appends the form of what `p` points to. False when it holds what the form leaves out
  // (capabilities, lists of bits, struct data of a part of a byte), nests deeper than
  // `depth_left`, or the form would not fit; the form is then unspecified.
  bool add_pointer(layout::PointerReader p, int depth_left) {
    if (depth_left <= 0)
      return false;
    switch (p.getPointerType()) {
      case capnp::PointerType::NULL_:
        return put_byte('n');
      case capnp::PointerType::STRUCT:
        return put_byte('s') && add_struct(p.getStruct(nullptr), depth_left - 1);
      case capnp::PointerType::LIST:
        return add_list(p.getListAnySize(nullptr), depth_left - 1);
      case capnp::PointerType::CAPABILITY:
        return false;
    }
    return false;
  }

private:
  bool add_struct(layout::StructReader s, int depth_left) {
    const uint32_t data_bits = s.getDataSectionSize();
    const uint16_t pointers = s.getPointerSectionSize();
    if (data_bits % 8 != 0)
      return false;
    auto data = s.getDataSectionAsBlob();
    if (!put(&data_bits, sizeof data_bits) || !put(&pointers, sizeof pointers) ||
        !put(data.begin(), data.size()))
      return false;
    // The pointer section follows the data section (capnp checked both were in the message):
    // a null pointer is a zero word, and most of a struct's pointers are null.
    const auto* words = static_cast<const unsigned char*>(s.getLocation()) + data_bits / 8;
    for (uint16_t i = 0; i < pointers; ++i) {
      uint64_t word;
      std::memcpy(&word, words + i * sizeof word, sizeof word);
      if (word == 0 ? !put_byte('n') : !add_pointer(s.getPointerField(i), depth_left))
        return false;
    }
    return true;
  }

  bool add_list(layout::ListReader list, int depth_left) {
    const auto element = list.getElementSize();
    const uint32_t count = list.size();
    if (!put_byte('l') || !put_byte(static_cast<char>(element)) || !put(&count, sizeof count))
      return false;
    switch (element) {
      case capnp::ElementSize::VOID:
        return true;
      case capnp::ElementSize::BIT:
        return false;
      case capnp::ElementSize::BYTE:
      case capnp::ElementSize::TWO_BYTES:
      case capnp::ElementSize::FOUR_BYTES:
      case capnp::ElementSize::EIGHT_BYTES: {
        auto bytes = list.asRawBytes();
        return put(bytes.begin(), bytes.size());
      }
      case capnp::ElementSize::POINTER:
        for (uint32_t i = 0; i < count; ++i)
          if (!add_pointer(list.getPointerElement(i), depth_left))
            return false;
        return true;
      case capnp::ElementSize::INLINE_COMPOSITE:
        for (uint32_t i = 0; i < count; ++i)
          if (!add_struct(list.getStructElement(i), depth_left))
            return false;
        return true;
    }
    return false;
  }

  bool put_byte(char c) {
    if (size_ == sizeof bytes_)
      return false;
    bytes_[size_++] = c;
    return true;
  }
  bool put(const void* p, std::size_t n) {
    if (n > sizeof bytes_ - size_)
      return false;
    std::memcpy(bytes_ + size_, p, n);
    size_ += n;
    return true;
  }

  char bytes_[decode_memo::max_form_bytes];
  std::size_t size_ = 0;
};

// This thread's form writer (made on its first shared list decoded with a memo).
struct thread_writer {
  std::unique_ptr<form_writer> writer;
  bool in_use = false;
};
inline thread_writer& this_threads_writer() {
  thread_local thread_writer mine;
  return mine;
}

}  // namespace capstan::messages::capnp_layout
