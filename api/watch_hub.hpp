// One journal subscription for every watch the API serves: each committed batch is copied once
// off the commit thread and handed to the watches of its kinds, which filter and encode it on
// their own connections' strands. A watch costs memory, never a thread.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include "actors/master/master.hpp"

namespace capstan::api {

using record_batch = std::shared_ptr<const std::vector<messages::journal_record>>;

// Thread-safe. Deliveries to one watcher come in sequence order, on an io thread; the
// watcher's function must not block (it queues and posts to its own strand).
class watch_hub {
public:
  watch_hub(actors::master& master, boost::asio::io_context& io);
  ~watch_hub();  // ends the subscription; watchers must be removed before
  watch_hub(const watch_hub&) = delete;
  watch_hub& operator=(const watch_hub&) = delete;

  struct registration {
    uint64_t id = 0;
    // Every record with seq <= delivered_through was delivered before the registration; every
    // later record of the kind will be delivered to `deliver` (possibly with earlier ones in
    // the same batch, which the watcher skips by seq).
    uint64_t delivered_through = 0;
  };
  registration add(messages::object_kind kind, std::function<void(const record_batch&)> deliver);
  void remove(uint64_t id);
  std::size_t watchers() const;
  // Stops fanning out into the io_context (call before destroying it); watchers may still be
  // removed afterwards.
  void detach();

private:
  using deliver_fn = std::shared_ptr<std::function<void(const record_batch&)>>;
  // Shared with the journal subscription, which may still run once after the hub is gone
  // (unsubscribing takes effect on the commit thread's next round): all guarded by mutex.
  struct shared_state {
    std::mutex mutex;
    boost::asio::io_context* io = nullptr;  // null once the hub is detached or destroyed
    // Fan-outs run one at a time, in commit order (two io threads could otherwise hand a
    // watcher batch k+1 before batch k).
    std::optional<boost::asio::strand<boost::asio::io_context::executor_type>> strand;
    uint64_t delivered = 0;
    uint64_t next_id = 1;
    std::array<std::unordered_map<uint64_t, deliver_fn>, messages::object_kind_count> by_kind;
    std::unordered_map<uint64_t, messages::object_kind> kinds;
  };
  static void on_commit(shared_state& state,
                        const std::vector<messages::journal_record>& records);

  actors::master& master_;
  std::shared_ptr<shared_state> state_;
  uint64_t subscription_ = 0;
};

}  // namespace capstan::api
