// Tests store/raft_fsm_adapter.cpp's packing of entries in the Raft log: a packed entry unpacks
// to itself, is a multiple of 8 bytes and smaller when the entry repeats itself; bytes that are
// no packed entry are handed on unchanged; a stated size over the bound is refused before any
// memory is taken; the entries held in C-Raft's memory are counted until a snapshot frees them.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstring>
#include <random>
#include <stdexcept>

#include "store/c_raft.hpp"
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

namespace {

// Applies everything, durable at once; stands where the last entry applied.
class counting_machine : public replicated_state_machine {
public:
  std::string apply(uint64_t index, std::string_view) override {
    applied_ = index;
    return "";
  }
  uint64_t applied_index() const override { return applied_; }
  std::string make_durable() override { return ""; }
  void begin_new_log() override { applied_ = 0; }

private:
  uint64_t applied_ = 0;
};

// Hands `fsm` one entry of `bytes` bytes as C-Raft does: the index after r's last applied.
void apply_entry(raft_fsm* fsm, struct raft& r, std::size_t bytes) {
  std::string entry(bytes, 'e');
  raft_buffer buffer{entry.data(), entry.size()};
  void* result = nullptr;
  BOOST_REQUIRE(fsm->apply(fsm, &buffer, &result) == 0);
  ++r.last_applied;
}

// Has `fsm` take a snapshot as C-Raft does, and frees what it returned.
void take_snapshot(raft_fsm* fsm) {
  raft_buffer* buffers = nullptr;
  unsigned n = 0;
  BOOST_REQUIRE(fsm->snapshot(fsm, &buffers, &n) == 0);
  BOOST_REQUIRE(n == 1u);
  raft_free(buffers[0].base);
  raft_free(buffers);
}

}  // namespace

// Each entry applied counts its bytes; a snapshot lets go of all but the `trailing` newest
// (C-Raft keeps those for followers that lag); entries applied after it count again.
BOOST_AUTO_TEST_CASE(the_entries_held_count_until_a_snapshot_keeps_only_the_trailing_ones) {
  counting_machine machine;
  raft_fsm_adapter adapter(machine);
  std::atomic<uint64_t> held{0};
  adapter.count_held_entries(&held, 4);
  struct raft r;
  std::memset(&r, 0, sizeof r);
  adapter.bind(&r);
  for (int i = 0; i < 10; ++i)
    apply_entry(adapter.fsm(), r, 100);
  BOOST_TEST(held.load() == 1000u);
  take_snapshot(adapter.fsm());
  BOOST_TEST(held.load() == 400u);  // entries 7 to 10
  apply_entry(adapter.fsm(), r, 30);
  BOOST_TEST(held.load() == 430u);
  take_snapshot(adapter.fsm());
  BOOST_TEST(held.load() == 330u);  // entries 8 to 11
  take_snapshot(adapter.fsm());
  BOOST_TEST(held.load() == 330u);  // nothing new applied: nothing more to let go
}

// Without count_held_entries nothing is counted (and nothing breaks).
BOOST_AUTO_TEST_CASE(an_adapter_not_asked_to_count_applies_all_the_same) {
  counting_machine machine;
  raft_fsm_adapter adapter(machine);
  struct raft r;
  std::memset(&r, 0, sizeof r);
  adapter.bind(&r);
  apply_entry(adapter.fsm(), r, 100);
  take_snapshot(adapter.fsm());
  BOOST_TEST(machine.applied_index() == 1u);
}
