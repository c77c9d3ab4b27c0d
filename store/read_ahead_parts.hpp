// Reading ahead in parts: several threads decode the parts of one input (a snapshot's chunks)
// while the caller's thread consumes their items in order. For an input whose decoding costs
// more than its consumption (a snapshot: decoding is three quarters of a restore), where one
// reading thread (read_ahead.hpp) would leave the consumer waiting.
//
// Contract of read_ahead_parts(parts, produce_part, consume, threads, max_ready_parts):
// - Part p is produced on thread p % threads: produce_part(p, emit) calls emit(item) for each of
//   the part's items, in order. Every item reaches consume(item) on the calling thread, parts in
//   order 0, 1, ..., parts - 1 and the items of each in the order emitted.
// - Memory is bounded: each thread holds at most `max_ready_parts` parts produced and not yet
//   consumed, and waits while it does.
// - The first error wins and nothing is left running: when `consume` throws, the threads are
//   stopped at their next hand-over and joined, and the exception is rethrown; when
//   `produce_part` throws in part p, the parts before p and the items of p emitted before the
//   error are consumed, then its exception is rethrown (as the same work done on one thread
//   would have behaved); the parts after p are dropped.
// - Blocking: it waits for the threads; for the journal's own threads and tools, never for a CAF
//   scheduler thread.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace capstan::store {

namespace detail {
// Thrown inside a producing thread when the consumer has stopped; never leaves it.
struct parts_stopped {};
}  // namespace detail

template <class Item>
void read_ahead_parts(
    std::size_t parts,
    const std::function<void(std::size_t part, const std::function<void(Item&&)>& emit)>&
        produce_part,
    const std::function<void(Item&&)>& consume, unsigned threads = 2,
    std::size_t max_ready_parts = 4) {
  threads = std::max(1u, threads);
  max_ready_parts = std::max<std::size_t>(1, max_ready_parts);
  if (parts < threads)
    threads = static_cast<unsigned>(std::max<std::size_t>(1, parts));

  struct produced_part {
    std::vector<Item> items;
    std::exception_ptr error;  // produce_part threw after emitting `items`
  };
  struct lane {
    std::deque<produced_part> ready;  // this thread's parts, in part order
    bool finished = false;            // the thread has returned
  };
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<lane> lanes(threads);
  bool stop = false;  // the consumer has stopped: the threads should too

  auto produce_lane = [&](unsigned thread) {
    lane& mine = lanes[thread];
    auto hand_over = [&](produced_part&& part) {
      std::unique_lock<std::mutex> lock(mutex);
      changed.wait(lock, [&] { return stop || mine.ready.size() < max_ready_parts; });
      if (stop)
        throw detail::parts_stopped{};
      mine.ready.push_back(std::move(part));
      changed.notify_all();
    };
    try {
      for (std::size_t p = thread; p < parts; p += threads) {
        produced_part part;
        try {
          produce_part(p, [&](Item&& item) { part.items.push_back(std::move(item)); });
        } catch (...) {
          part.error = std::current_exception();
        }
        const bool failed = part.error != nullptr;
        hand_over(std::move(part));
        if (failed)
          break;  // the consumer stops at this part: the later ones are never asked for
      }
    } catch (...) {
      // Stopped, or out of memory handing a part over: the consumer reports what it has.
    }
    std::lock_guard<std::mutex> lock(mutex);
    mine.finished = true;
    changed.notify_all();
  };

  std::vector<std::thread> producers;
  auto stop_and_join = [&] {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stop = true;
    }
    changed.notify_all();
    for (auto& t : producers)
      t.join();
  };
  try {
    for (unsigned t = 0; t < threads; ++t)
      producers.emplace_back(produce_lane, t);
    for (std::size_t p = 0; p < parts; ++p) {
      lane& from = lanes[p % threads];
      produced_part part;
      {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] { return !from.ready.empty() || from.finished; });
        if (from.ready.empty())
          throw std::runtime_error("a reading thread stopped before part " + std::to_string(p) +
                                   " (out of memory?)");
        part = std::move(from.ready.front());
        from.ready.pop_front();
      }
      changed.notify_all();
      for (auto& item : part.items)
        consume(std::move(item));
      if (part.error)
        std::rethrow_exception(part.error);
    }
  } catch (...) {
    stop_and_join();
    throw;
  }
  stop_and_join();
}

}  // namespace capstan::store
