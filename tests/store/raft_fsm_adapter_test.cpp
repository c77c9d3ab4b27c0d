// Tests store/raft_fsm_adapter.cpp's packing of entries in the Raft log: a packed entry unpacks
// to itself, is a multiple of 8 bytes and smaller when the entry repeats itself; bytes that are
// no packed entry are handed on unchanged; a stated size over the bound is refused before any
// memory is taken.
#include <boost/test/unit_test.hpp>

#include <random>
#include <stdexcept>

#include "store/raft_fsm_adapter.hpp"

using namespace capstan::store;

BOOST_AUTO_TEST_CASE(a_packed_entry_unpacks_to_itself) {
  std::string entry;
  for (int i = 0; i < 2000; ++i)
    entry += "pod-" + std::to_string(i) + std::string(40, '\0');
  std::string packed = pack_raft_entry(entry);
  BOOST_TEST(packed.size() % 8 == 0u);
  BOOST_TEST(packed.size() < entry.size() / 2);
  BOOST_TEST(unpack_raft_entry(packed) == entry);
  BOOST_TEST(unpack_raft_entry(pack_raft_entry("")) == "");
  std::string odd = "seven b";
  BOOST_TEST(unpack_raft_entry(pack_raft_entry(odd)) == odd);
}

BOOST_AUTO_TEST_CASE(bytes_that_are_no_packed_entry_pass_unchanged) {
  BOOST_TEST(unpack_raft_entry("CSJ1 an entry of old") == "CSJ1 an entry of old");
  std::string packed = pack_raft_entry(std::string(5000, 'x'));
  // Compressed size beyond the bytes: handed on as it is (the journal then refuses it).
  std::string cut = packed.substr(0, 30);
  BOOST_TEST(unpack_raft_entry(cut) == cut);
  // Damage inside the block: never read or written out of bounds (ASan watches), handed on.
  std::mt19937 random(3);
  for (int round = 0; round < 500; ++round) {
    std::string damaged = packed;
    damaged[20 + random() % (damaged.size() - 20)] = static_cast<char>(random());
    std::string out = unpack_raft_entry(damaged);
    BOOST_TEST((out == damaged || out.size() == 5000u));
  }
}

BOOST_AUTO_TEST_CASE(a_stated_size_over_the_bound_is_refused) {
  std::string packed = pack_raft_entry("small");
  for (int i = 0; i < 8; ++i)
    packed[4 + i] = static_cast<char>(0xff);
  BOOST_CHECK_THROW(unpack_raft_entry(packed), std::length_error);
}
