// Reading ahead: one thread reads and decodes (the journal's records, a snapshot's objects)
// while the caller's thread applies what was decoded, so a replay uses two cores instead of one.
//
// Contract of read_ahead(produce, consume):
// - `produce(emit)` runs on a thread of its own and calls emit(item) for each item, in order;
//   every item reaches consume(item) on the calling thread, in the same order.
// - Memory is bounded: items travel in batches of `batch_items`, and the producer waits while
//   `max_batches` are ready and not yet consumed.
// - The first error wins and nothing is left running: when `consume` throws, the producer is
//   stopped at its next hand-over and joined, and the exception is rethrown; when `produce`
//   throws, the items it emitted before are consumed first, then its exception is rethrown (as
//   the same work done on one thread would have behaved).
// - `backlog`, when given, holds the number of batches handed over and not yet taken by the
//   consumer, for a producer that can leave part of its work to the consumer (the replay
//   decodes records itself only while the consumer has batches waiting): read it relaxed, it
//   changes as the threads go.
// - Blocking: it waits for the producer; for the journal's own threads and tools, as the replay
//   it replaces, never for a CAF scheduler thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace capstan::store {

namespace detail {
// Thrown inside the producer's thread when the consumer has stopped; never leaves it.
struct reading_stopped {};
}  // namespace detail

template <class Item>
void read_ahead(const std::function<void(const std::function<void(Item&&)>& emit)>& produce,
                const std::function<void(Item&&)>& consume, std::size_t batch_items = 256,
                std::size_t max_batches = 16, std::atomic<std::size_t>* backlog = nullptr) {
  auto count_ready = [&](std::size_t n) {  // under the mutex
    if (backlog)
      backlog->store(n, std::memory_order_relaxed);
  };
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::vector<Item>> ready;
  bool produced = false;  // the producer has returned (or failed)
  bool stop = false;      // the consumer has stopped: the producer should too
  std::exception_ptr producer_error;

  batch_items = std::max<std::size_t>(1, batch_items);
  max_batches = std::max<std::size_t>(1, max_batches);
  std::thread producer([&] {
    std::vector<Item> batch;
    auto hand_over = [&] {
      std::unique_lock<std::mutex> lock(mutex);
      changed.wait(lock, [&] { return stop || ready.size() < max_batches; });
      if (stop)
        throw detail::reading_stopped{};
      ready.push_back(std::move(batch));
      count_ready(ready.size());
      changed.notify_all();
      lock.unlock();
      batch = std::vector<Item>();
      batch.reserve(batch_items);
    };
    std::exception_ptr error;
    try {
      batch.reserve(batch_items);
      produce([&](Item&& item) {
        batch.push_back(std::move(item));
        if (batch.size() >= batch_items)
          hand_over();
      });
      if (!batch.empty())
        hand_over();
    } catch (const detail::reading_stopped&) {
    } catch (...) {
      error = std::current_exception();
      try {
        if (!batch.empty())
          hand_over();  // what was emitted before the error is consumed before it is rethrown
      } catch (...) {
        // Stopped, or out of memory: the error already recorded is the one to report.
      }
    }
    std::lock_guard<std::mutex> lock(mutex);
    producer_error = error;
    produced = true;
    changed.notify_all();
  });

  auto stop_and_join = [&] {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stop = true;
    }
    changed.notify_all();
    producer.join();
  };
  try {
    for (;;) {
      std::vector<Item> batch;
      {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] { return !ready.empty() || produced; });
        if (ready.empty())
          break;  // produced, and every batch consumed
        batch = std::move(ready.front());
        ready.pop_front();
        count_ready(ready.size());
      }
      changed.notify_all();
      for (auto& item : batch)
        consume(std::move(item));
    }
  } catch (...) {
    stop_and_join();
    throw;
  }
  stop_and_join();
  if (producer_error)
    std::rethrow_exception(producer_error);
}

}  // namespace capstan::store
