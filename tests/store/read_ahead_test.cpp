// Tests store/read_ahead.hpp: every item arrives once and in order, the producer stays a bounded
// number of items ahead, and an error on either side stops both and reaches the caller.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <future>
#include <stdexcept>
#include <vector>

#include "store/read_ahead.hpp"

using capstan::store::read_ahead;

namespace {

using emit_fn = std::function<void(int&&)>;

}  // namespace

BOOST_AUTO_TEST_CASE(every_item_arrives_once_in_order_and_never_too_far_ahead) {
  constexpr int items = 20000;
  constexpr std::size_t batch = 7, max_batches = 3;
  std::atomic<int> emitted{0};
  std::vector<int> seen;
  std::size_t most_ahead = 0;
  read_ahead<int>(
      [&](const emit_fn& emit) {
        for (int i = 0; i < items; ++i) {
          emitted.fetch_add(1);
          emit(int(i));
        }
      },
      [&](int&& i) {
        seen.push_back(i);
        most_ahead = std::max(most_ahead, std::size_t(emitted.load()) - seen.size());
      },
      batch, max_batches);
  BOOST_TEST(seen.size() == std::size_t(items));
  bool in_order = true;
  for (int i = 0; i < items; ++i)
    in_order = in_order && seen[i] == i;
  BOOST_TEST(in_order);
  // The batch being consumed, those ready, and the one being filled (plus the item in hand).
  BOOST_TEST(most_ahead <= batch * (max_batches + 2) + 1);
}

BOOST_AUTO_TEST_CASE(nothing_produced_consumes_nothing) {
  int consumed = 0;
  read_ahead<int>([](const emit_fn&) {}, [&](int&&) { ++consumed; });
  BOOST_TEST(consumed == 0);
}

BOOST_AUTO_TEST_CASE(a_producer_error_comes_after_the_items_emitted_before_it) {
  std::vector<int> seen;
  try {
    read_ahead<int>(
        [](const emit_fn& emit) {
          for (int i = 0; i < 300; ++i)
            emit(int(i));
          throw std::runtime_error("record 301 is corrupt");
        },
        [&](int&& i) { seen.push_back(i); }, 16, 2);
    BOOST_FAIL("the producer's error was not rethrown");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()) == "record 301 is corrupt");
  }
  BOOST_TEST(seen.size() == 300u);
}

BOOST_AUTO_TEST_CASE(a_consumer_error_stops_the_producer_and_is_rethrown) {
  constexpr std::size_t batch = 16, max_batches = 2;
  std::atomic<int> emitted{0};
  std::atomic<bool> producer_returned{false};
  try {
    read_ahead<int>(
        [&](const emit_fn& emit) {
          // Ten million unless stopped: the stop must come from read_ahead.
          for (int i = 0; i < 10000000; ++i) {
            emitted.fetch_add(1);
            emit(int(i));
          }
          producer_returned = true;
        },
        [&](int&& i) {
          if (i == 500)
            throw std::invalid_argument("cannot apply item 500");
        },
        batch, max_batches);
    BOOST_FAIL("the consumer's error was not rethrown");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()) == "cannot apply item 500");
  }
  // read_ahead has joined the producer: it stopped at a hand-over, a bounded way past item 500.
  BOOST_TEST(!producer_returned.load());
  BOOST_TEST(emitted.load() <= int(501 + batch * (max_batches + 2)));
}

BOOST_AUTO_TEST_CASE(the_backlog_counts_the_batches_waiting_for_the_consumer) {
  constexpr std::size_t batch = 4, max_batches = 3;
  std::atomic<std::size_t> backlog{0};
  std::promise<void> counted;
  std::size_t backlog_with_consumer_held = 99, most_seen = 0;
  int consumed = 0;
  read_ahead<int>(
      [&](const emit_fn& emit) {
        // The consumer takes the first batch and holds it; the next three fill the queue.
        for (int i = 0; i < int(batch * (max_batches + 1)); ++i)
          emit(int(i));
        backlog_with_consumer_held = backlog.load();
        counted.set_value();
        for (int i = int(batch * (max_batches + 1)); i < 100; ++i) {
          emit(int(i));
          most_seen = std::max(most_seen, backlog.load());
        }
      },
      [&, held = counted.get_future().share()](int&&) {
        held.wait();
        ++consumed;
      },
      batch, max_batches, &backlog);
  BOOST_TEST(consumed == 100);
  BOOST_TEST(backlog_with_consumer_held == max_batches);
  BOOST_TEST(most_seen <= max_batches);
  BOOST_TEST(backlog.load() == 0u);  // every batch taken
}
