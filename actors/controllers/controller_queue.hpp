// A controller loop's work queue inside its actor: turns (a tick to self when keys are ready, a
// delayed tick when the earliest backed-off key comes due), failure logging with the key and the
// reason, the periodic resync timer, and the queue's metrics. The scheduler, the replication
// manager, the endpoints and the namespace controllers all run on it.
//
// The shape of every loop (Kubernetes' controller shape):
//   event handlers: queue.add(key); queue.request_turn(self);
//   tick handler:   queue.begin_turn(self); while (auto key = queue.next(self)) sync(*key);
//                   queue.request_turn(self);
//   sync(key):      reads the read model, writes; when its writes are answered:
//                   queue.succeeded(self, key) or queue.failed(self, key, reason).
// Every key handed out by next() must be finished by exactly one succeeded/failed call.
// Owned by one actor; all calls come from that actor's handlers.
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "actors/actors.hpp"
#include "actors/controllers/work_queue.hpp"
#include "actors/controllers/work_queue_metrics.hpp"

namespace capstan::actors {

// What every controller loop is started with.
struct controller_options {
  backoff_policy backoff;
  // How often every key is queued again regardless of events (0: never). A safety net for a
  // missed event, as informers' resync; normal work never waits for it.
  std::chrono::steady_clock::duration resync_period = std::chrono::minutes(5);
  // Where failed syncs are reported, one line each; stderr when empty.
  std::function<void(const std::string&)> log;
  // Where the queue's figures go; none when null. Must outlive the actor.
  work_queue_metrics* metrics = nullptr;
};

inline std::string key_text(const object_key& key) {
  return key.to_string();
}
inline std::string key_text(const std::string& key) {
  return key;
}

template <class Key>
class controller_queue {
public:
  using time_point = typename work_queue<Key>::time_point;

  // Called once, before any other member, from the actor's behavior function (CAF constructs
  // actor state without arguments).
  void configure(std::string name, controller_options options) {
    name_ = std::move(name);
    options_ = std::move(options);
    queue_ = work_queue<Key>(options_.backoff);
  }

  void add(const Key& key) {
    queue_.add(key);
    if (options_.metrics)
      options_.metrics->adds.fetch_add(1, std::memory_order_relaxed);
  }

  // Sends the actor a tick now when a key is ready, or at the earliest back-off's end.
  template <class Self>
  void request_turn(Self* self) {
    publish();
    auto now = self->clock().now();
    if (queue_.ready(now)) {
      if (!turn_pending_) {
        turn_pending_ = true;
        self->send(self, tick_atom::value);
      }
      return;
    }
    auto due = queue_.next_due();
    if (due && (!timer_at_ || *due < *timer_at_)) {
      timer_at_ = due;
      self->delayed_send(self, *due - now, tick_atom::value);
    }
  }

  // Called first in the tick handler: the tick that was asked for has come.
  template <class Self>
  void begin_turn(Self* self) {
    turn_pending_ = false;
    if (timer_at_ && *timer_at_ <= self->clock().now())
      timer_at_.reset();
  }

  // The next key to sync, now in flight; nothing when none is ready.
  template <class Self>
  std::optional<Key> next(Self* self) {
    auto now = self->clock().now();
    auto key = queue_.get(now);
    if (key)
      started_[*key] = now;
    return key;
  }

  // The sync of `key` is over and needs no retry (it wrote, or found nothing to write).
  template <class Self>
  void succeeded(Self* self, const Key& key) {
    queue_.forget(key);
    finish(self, key);
  }

  // The sync of `key` failed: logged with its reason, and the key synced again after its
  // back-off, with no other event needed.
  template <class Self>
  void failed(Self* self, const Key& key, const std::string& reason) {
    auto now = self->clock().now();
    auto delay = queue_.add_rate_limited(key, now);
    if (options_.metrics)
      options_.metrics->retries.fetch_add(1, std::memory_order_relaxed);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(delay).count();
    report(key_text(key) + ": " + reason + " (failure " + std::to_string(queue_.failures(key)) +
           ", retried in " + std::to_string(ms) + " ms)");
    finish(self, key);
  }

  // For a sync that writes `count` times: the callback takes each write's answer ("" when it
  // went well, else why not) and finishes `key` at the last one, failed with the first reason
  // if any write failed. `count` must be at least 1.
  template <class Self>
  std::function<void(const std::string&)> await_answers(Self* self, Key key, std::size_t count) {
    struct progress {
      std::size_t outstanding;
      std::string failure;
    };
    auto state = std::make_shared<progress>(progress{count, {}});
    return [this, self, key = std::move(key), state](const std::string& failure) {
      if (state->failure.empty())
        state->failure = failure;
      if (--state->outstanding > 0)
        return;
      if (state->failure.empty())
        succeeded(self, key);
      else
        failed(self, key, state->failure);
    };
  }

  // Reports a failure that is not a key's (one line, where failed syncs go).
  void report(const std::string& what) {
    auto line = "capstan master: " + name_ + ": " + what;
    if (options_.log)
      options_.log(line);
    else
      std::fprintf(stderr, "%s\n", line.c_str());
  }

  // Starts the periodic resync: the actor receives resync_atom every resync_period.
  template <class Self>
  void schedule_resync(Self* self) {
    if (options_.resync_period.count() > 0)
      self->delayed_send(self, options_.resync_period, resync_atom::value);
  }

  bool in_flight(const Key& key) const {
    return queue_.in_flight(key);
  }
  const work_queue<Key>& queue() const {
    return queue_;
  }

private:
  template <class Self>
  void finish(Self* self, const Key& key) {
    if (auto it = started_.find(key); it != started_.end()) {
      if (options_.metrics)
        options_.metrics->observe_sync(self->clock().now() - it->second);
      started_.erase(it);
    }
    queue_.done(key);
    request_turn(self);
  }

  void publish() {
    if (!options_.metrics)
      return;
    options_.metrics->depth.store(queue_.depth(), std::memory_order_relaxed);
    options_.metrics->waiting.store(queue_.waiting(), std::memory_order_relaxed);
    options_.metrics->in_flight.store(queue_.in_flight_count(), std::memory_order_relaxed);
  }

  std::string name_;
  controller_options options_;
  work_queue<Key> queue_;
  std::unordered_map<Key, time_point> started_;  // keys in flight -> when next() handed them out
  bool turn_pending_ = false;
  std::optional<time_point> timer_at_;  // the earliest delayed tick asked for, if any
};

}  // namespace capstan::actors
