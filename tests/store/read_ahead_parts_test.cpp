// Tests store/read_ahead_parts.hpp: every item arrives once, parts in order and items in order,
// whatever the number of threads; the threads stay a bounded number of parts ahead; an error in
// a part comes after everything before it, and an error of the consumer stops every thread.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "store/read_ahead_parts.hpp"

using capstan::store::read_ahead_parts;

namespace {

using emit_fn = std::function<void(int&&)>;
constexpr int items_per_part = 10;

// Part p holds p * items_per_part .. (p + 1) * items_per_part - 1.
void produce(std::size_t part, const emit_fn& emit) {
  for (int i = 0; i < items_per_part; ++i)
    emit(int(part) * items_per_part + i);
}

// produce, counting in `begun` the parts it started.
auto counting_producer(std::atomic<std::size_t>& begun) {
  return [&begun](std::size_t part, const emit_fn& emit) {
    begun.fetch_add(1);
    produce(part, emit);
  };
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_item_arrives_once_in_order_whatever_the_threads) {
  for (unsigned threads : {1u, 2u, 3u, 8u}) {
    constexpr std::size_t parts = 1001, max_ready = 2;
    std::atomic<std::size_t> parts_begun{0};
    std::vector<int> seen;
    std::size_t most_ahead = 0;
    read_ahead_parts<int>(
        parts,
        counting_producer(parts_begun),
        [&](int&& i) {
          seen.push_back(i);
          const std::size_t consumed_parts = seen.size() / items_per_part;
          most_ahead = std::max(most_ahead, parts_begun.load() - consumed_parts);
        },
        threads, max_ready);
    BOOST_TEST(seen.size() == parts * items_per_part, threads << " threads");
    bool in_order = true;
    for (std::size_t i = 0; i < seen.size(); ++i)
      in_order = in_order && seen[i] == int(i);
    BOOST_TEST(in_order, threads << " threads");
    // Per thread: the parts ready, the one being produced, and the one being consumed.
    BOOST_TEST(most_ahead <= threads * (max_ready + 1) + 1, threads << " threads");
  }
}

BOOST_AUTO_TEST_CASE(no_parts_consume_nothing) {
  int consumed = 0, produced = 0;
  read_ahead_parts<int>(
      0, [&](std::size_t, const emit_fn&) { ++produced; }, [&](int&&) { ++consumed; });
  BOOST_TEST(consumed == 0);
  BOOST_TEST(produced == 0);
}

BOOST_AUTO_TEST_CASE(an_error_in_a_part_comes_after_everything_before_it) {
  for (unsigned threads : {1u, 2u, 4u}) {
    std::vector<int> seen;
    try {
      read_ahead_parts<int>(
          100,
          [](std::size_t part, const emit_fn& emit) {
            if (part == 37) {
              emit(370);
              emit(371);
              throw std::runtime_error("chunk 37 is corrupt");
            }
            produce(part, emit);
          },
          [&](int&& i) { seen.push_back(i); }, threads, 2);
      BOOST_FAIL("the part's error was not rethrown");
    } catch (const std::runtime_error& e) {
      BOOST_TEST(std::string(e.what()) == "chunk 37 is corrupt");
    }
    // Parts 0-36 whole, then the two items of part 37 emitted before its error; nothing after.
    BOOST_TEST(seen.size() == 37u * items_per_part + 2, threads << " threads");
    bool in_order = true;
    for (std::size_t i = 0; i < seen.size(); ++i)
      in_order = in_order && seen[i] == int(i);
    BOOST_TEST(in_order, threads << " threads");
  }
}

BOOST_AUTO_TEST_CASE(a_consumer_error_stops_every_thread_and_is_rethrown) {
  constexpr std::size_t parts = 1000000, max_ready = 2;
  constexpr unsigned threads = 3;
  std::atomic<std::size_t> parts_begun{0};
  try {
    read_ahead_parts<int>(
        parts,
        counting_producer(parts_begun),
        [&](int&& i) {
          if (i == 500)
            throw std::invalid_argument("cannot apply item 500");
        },
        threads, max_ready);
    BOOST_FAIL("the consumer's error was not rethrown");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()) == "cannot apply item 500");
  }
  // Joined: every thread stopped at a hand-over, a bounded number of parts past part 50.
  BOOST_TEST(parts_begun.load() <= 51 + threads * (max_ready + 1));
}
