// Lets threads outside an io_context (handler threads, CAF's, the journal's) post into it only
// while it lives: the server closes the gate before it destroys the io_context.
#pragma once

#include <mutex>

#include <boost/asio/post.hpp>

namespace capstan::api {

// Thread-safe.
class io_gate {
public:
  // Runs `f` on `executor` (one of the io_context's) unless the gate is closed; then `f` is
  // dropped. Returns whether it was posted.
  template <class Executor, class F>
  bool post(const Executor& executor, F&& f) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_)
      return false;
    boost::asio::post(executor, std::forward<F>(f));
    return true;
  }
  // From now on nothing is posted; call before the io_context is destroyed.
  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
  }

private:
  std::mutex mutex_;
  bool closed_ = false;
};

}  // namespace capstan::api
