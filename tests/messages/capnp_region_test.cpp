// Tests messages/detail/capnp_region.hpp: the region below a pointer covers every word a
// decoder reads there (here: a journal record's containers, found by walking their words), and
// the walk gives up on what it cannot bound, hostile pointers included, without reading outside
// the segment.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "messages/detail/capnp_region.hpp"

using capstan::messages::capnp_layout::pointer_shape;
using capstan::messages::capnp_layout::pointer_target;
using capstan::messages::capnp_layout::region_finder;

namespace {

// Words of a segment built by hand, little-endian as capnp's.
struct segment {
  std::vector<uint64_t> words;
  const unsigned char* at(std::size_t word) const {
    return reinterpret_cast<const unsigned char*>(words.data()) + word * 8;
  }
  const unsigned char* begin() const { return at(0); }
  const unsigned char* end() const { return at(words.size()); }
};

// A struct pointer (kind 0) from word `from` to word `to` with the given section sizes.
uint64_t struct_pointer(std::size_t from, std::size_t to, uint16_t data, uint16_t pointers) {
  const int32_t offset = static_cast<int32_t>(to) - static_cast<int32_t>(from) - 1;
  return (static_cast<uint64_t>(static_cast<uint32_t>(offset) << 2)) |
         (static_cast<uint64_t>(data) << 32) | (static_cast<uint64_t>(pointers) << 48);
}
// A list pointer (kind 1) of `count` elements of size code `size` (2: bytes, 7: structs, whose
// count is then the content's words).
uint64_t list_pointer(std::size_t from, std::size_t to, uint32_t size, uint32_t count) {
  const int32_t offset = static_cast<int32_t>(to) - static_cast<int32_t>(from) - 1;
  return 1 | (static_cast<uint64_t>(static_cast<uint32_t>(offset) << 2)) |
         (static_cast<uint64_t>(size | (count << 3)) << 32);
}

}  // namespace

// word 0: root pointer -> a list of 2 structs (1 data word, 1 pointer each) at words 1-5,
// whose pointers lead to texts at words 6 and 7. The region is words 1-7, and not word 0.
BOOST_AUTO_TEST_CASE(the_region_covers_a_list_of_structs_and_their_texts) {
  segment s;
  s.words.resize(9, 0);
  s.words[0] = list_pointer(0, 1, 7, 4);
  s.words[1] = (static_cast<uint64_t>(2) << 2) | (static_cast<uint64_t>(1) << 32) |
               (static_cast<uint64_t>(1) << 48);  // tag: 2 elements, 1 data word, 1 pointer
  s.words[2] = 42;
  s.words[3] = list_pointer(3, 6, 2, 5);  // "abcd\0"
  s.words[4] = 43;
  s.words[5] = list_pointer(5, 7, 2, 5);
  std::memcpy(&s.words[6], "abcd", 5);
  std::memcpy(&s.words[7], "efgh", 5);
  s.words[8] = 0xffffffffffffffffull;  // after the region: not in it
  region_finder finder(s.begin(), s.end());
  BOOST_TEST(finder.add_pointer(s.at(0), 16));
  BOOST_TEST(finder.low() == s.at(1));
  BOOST_TEST(finder.high() == s.at(8));
  BOOST_TEST(pointer_target(s.at(0), s.words[0], s.begin(), s.end()) == s.at(1));
  // A target outside the segment is no pointer at all (offsets reach 4 GiB either way).
  BOOST_TEST(pointer_target(s.at(0), list_pointer(0, 10, 2, 1), s.begin(), s.end()) == nullptr);
  BOOST_TEST(pointer_target(s.at(0), 1 | (0xfffffff0ull << 2 & 0xffffffffull), s.begin(),
                            s.end()) == nullptr);
  BOOST_TEST(pointer_shape(s.words[0]) == (s.words[0] & 0xffffffff00000003ull));
}

// A pointer leading out of the segment, a far pointer, a capability, a list of structs claiming
// more elements than its words, and a struct pointing at itself (a cycle, cut by the depth):
// each is given up, with no read outside the segment (AddressSanitizer's job in its build).
BOOST_AUTO_TEST_CASE(the_walk_gives_up_on_what_it_cannot_bound) {
  auto refused = [](segment s) {
    region_finder finder(s.begin(), s.end());
    return !finder.add_pointer(s.at(0), 16);
  };
  segment out_of_segment{{list_pointer(0, 1, 2, 64), 0}};
  BOOST_TEST(refused(out_of_segment));
  segment before_segment{{struct_pointer(0, 0, 1, 0) - (static_cast<uint64_t>(8) << 2), 0}};
  BOOST_TEST(refused(before_segment));
  segment far{{2 | (static_cast<uint64_t>(1) << 3), 0}};
  BOOST_TEST(refused(far));
  segment capability{{3, 0}};
  BOOST_TEST(refused(capability));
  segment too_many_elements{{list_pointer(0, 1, 7, 1),
                             (static_cast<uint64_t>(5) << 2) | (static_cast<uint64_t>(1) << 32),
                             0}};
  BOOST_TEST(refused(too_many_elements));
  segment cycle{{struct_pointer(0, 1, 0, 1), struct_pointer(1, 1, 0, 1)}};
  BOOST_TEST(refused(cycle));
  // The same shapes in bounds are walked: a struct with one null pointer.
  segment fine{{struct_pointer(0, 1, 0, 1), 0}};
  region_finder finder(fine.begin(), fine.end());
  BOOST_TEST(finder.add_pointer(fine.at(0), 16));
  BOOST_TEST(finder.low() == fine.at(1));
}
