// The region of a Cap'n Proto message that holds everything below a pointer, for
// messages/decode_memo.hpp's region lookups: a shared list whose region is byte for byte one the
// memo kept is that list, found without reading its form (capnp_form.hpp). Included only by
// capnp_read.hpp and capnp_layout.hpp.
//
// Why equal regions decode to equal values: capnp pointers are offsets relative to the
// pointer's own word. When every word the decoder may read below a pointer (each struct's data
// and pointer sections, each list's content, each text's bytes) lies in a region, a decoder
// started at the same offset into an equal region, through a pointer of the same shape (its
// word but for the offset), reads the same bytes at every step.
#pragma once

#include <cstdint>
#include <cstring>

namespace capstan::messages::capnp_layout {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "region lookups read capnp's little-endian words in place");

// The one segment of the message being decoded on this thread (set by with_reader while a memo
// is in use on a message of one segment; begin == nullptr otherwise), and how many bytes region
// lookups may still compare in it: a message whose pointers lead many times to one region costs
// a bounded multiple of its size, as capnp's traversal limit bounds its own reads.
struct region_context {
  const unsigned char* begin = nullptr;
  const unsigned char* end = nullptr;
  std::size_t budget = 0;
};
inline region_context& this_threads_region() {
  thread_local region_context mine;
  return mine;
}

// Makes `segment` this thread's region context while it lives (the one before again after).
class region_scope {
public:
  region_scope(const unsigned char* begin, const unsigned char* end, std::size_t budget)
      : saved_(this_threads_region()) {
    this_threads_region() = {begin, end, budget};
  }
  ~region_scope() { this_threads_region() = saved_; }
  region_scope(const region_scope&) = delete;
  region_scope& operator=(const region_scope&) = delete;

private:
  region_context saved_;
};

// A pointer word with its offset cleared: the kind, and the list's element size and count or
// the struct's section sizes.
inline uint64_t pointer_shape(uint64_t word) {
  return word & 0xffffffff00000003ull;
}

// Where a struct or list pointer word at `at` points (one word past it, plus its offset), in the
// segment [begin, end); null when that lies outside it (no pointer is formed outside the
// segment: offsets reach 4 GiB either way).
inline const unsigned char* pointer_target(const unsigned char* at, uint64_t word,
                                           const unsigned char* begin, const unsigned char* end) {
  const int32_t offset_words = static_cast<int32_t>(static_cast<uint32_t>(word)) >> 2;
  const int64_t position = (at - begin) + 8 + static_cast<int64_t>(offset_words) * 8;
  if (position < 0 || position > end - begin)
    return nullptr;
  return begin + position;
}

// Finds the smallest span of a segment holding every word below a pointer, walking the
// pointers' own bits, every range checked against the segment before it is read. Gives up
// (false) on far and capability pointers, on more than `max_pointers` pointers or `depth_left`
// levels: such a list is then looked up by its form only.
class region_finder {
public:
  static constexpr int max_pointers = 4096;

  region_finder(const unsigned char* begin, const unsigned char* end) : begin_(begin), end_(end) {}

  // `at`: a pointer word inside the segment.
  bool add_pointer(const unsigned char* at, int depth_left) {
    if (depth_left <= 0 || ++pointers_ > max_pointers || !inside(at, 8))
      return false;
    uint64_t word;
    std::memcpy(&word, at, 8);
    if (word == 0)
      return true;  // null
    const unsigned char* target = pointer_target(at, word, begin_, end_);
    if (!target)
      return false;
    const uint32_t upper = static_cast<uint32_t>(word >> 32);
    switch (word & 3) {
      case 0: {  // struct
        const uint64_t data_words = upper & 0xffff, pointer_count = upper >> 16;
        return add_struct(target, data_words, pointer_count, depth_left - 1);
      }
      case 1:  // list
        return add_list(target, upper & 7, upper >> 3, depth_left - 1);
      default:  // far or capability
        return false;
    }
  }

  const unsigned char* low() const { return low_; }
  const unsigned char* high() const { return high_; }

private:
  // Whether `size` bytes from `p` (a position inside the segment or its end) lie in it.
  bool inside(const unsigned char* p, uint64_t size) const {
    return p >= begin_ && p <= end_ && size <= static_cast<uint64_t>(end_ - p);
  }
  bool cover(const unsigned char* p, uint64_t size) {
    if (!inside(p, size))
      return false;
    if (size > 0) {
      if (!low_ || p < low_)
        low_ = p;
      if (!high_ || p + size > high_)
        high_ = p + size;
    }
    return true;
  }
  // Each add_* covers its object first: the offsets inside it are then inside the segment.
  bool add_struct(const unsigned char* at, uint64_t data_words, uint64_t pointer_count,
                  int depth_left) {
    if (!cover(at, (data_words + pointer_count) * 8))
      return false;
    for (uint64_t i = 0; i < pointer_count; ++i)
      if (!add_pointer(at + (data_words + i) * 8, depth_left))
        return false;
    return true;
  }
  bool add_list(const unsigned char* at, uint32_t element_size, uint64_t count, int depth_left) {
    auto padded_to_words = [](uint64_t bytes) { return (bytes + 7) / 8 * 8; };
    switch (element_size) {
      case 0:  // void
        return true;
      case 1:  // bits
        return cover(at, padded_to_words((count + 7) / 8));
      case 2:
      case 3:
      case 4:
      case 5:  // 1, 2, 4 or 8 bytes
        return cover(at, padded_to_words(count << (element_size - 2)));
      case 6:  // pointers
        if (!cover(at, count * 8))
          return false;
        for (uint64_t i = 0; i < count; ++i)
          if (!add_pointer(at + i * 8, depth_left))
            return false;
        return true;
      default: {  // structs: a tag word (a struct pointer whose offset is the element count)
        if (!cover(at, 8 + count * 8))
          return false;
        uint64_t tag;
        std::memcpy(&tag, at, 8);
        // capnp reads the count as unsigned; a "negative" one is refused here (the list is then
        // looked up by its form only), a count too large for the words by both.
        const int32_t elements = static_cast<int32_t>(static_cast<uint32_t>(tag)) >> 2;
        const uint32_t sizes = static_cast<uint32_t>(tag >> 32);
        const uint64_t data_words = sizes & 0xffff, pointer_count = sizes >> 16;
        const uint64_t step = data_words + pointer_count;
        if ((tag & 3) != 0 || elements < 0 || step * static_cast<uint64_t>(elements) > count)
          return false;
        for (int32_t i = 0; i < elements; ++i)
          if (!add_struct(at + 8 + i * step * 8, data_words, pointer_count, depth_left))
            return false;
        return true;
      }
    }
  }

  const unsigned char* begin_;
  const unsigned char* end_;
  const unsigned char* low_ = nullptr;
  const unsigned char* high_ = nullptr;
  int pointers_ = 0;
};

}  // namespace capstan::messages::capnp_layout
