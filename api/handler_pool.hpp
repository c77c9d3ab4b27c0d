// A fixed set of threads that run the API's request handlers, which may wait (on the journal,
// on a node). The network threads hand work here and never block.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace capstan::api {

// Thread-safe. Tasks run in submission order on `threads` threads; the queue is bounded by the
// caller (the API server admits at most its in-flight limits). A task that throws is caught
// and reported on stderr; the thread goes on.
class handler_pool {
public:
  explicit handler_pool(std::size_t threads);
  // Runs the queued tasks, then joins the threads.
  ~handler_pool();
  handler_pool(const handler_pool&) = delete;
  handler_pool& operator=(const handler_pool&) = delete;

  void submit(std::function<void()> task);
  std::size_t queued() const;

private:
  void run();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;  // guarded by mutex_
  bool stopping_ = false;                    // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace capstan::api
