#include "api/watch_stream.hpp"

#include <deque>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/responses.hpp"

namespace capstan::api {

namespace {

using messages::any_object;
using messages::journal_record;
using messages::json;

// One watch: its own copy of the watched objects (so that each event carries the object exactly
// as its record left it, and DELETED its last state), fed by the hub. After start(), everything
// but enqueue runs on the sink's strand.
class watcher : public std::enable_shared_from_this<watcher> {
public:
  watcher(watch_hub& hub, watch_request request, store::cluster_state mine, uint64_t applied)
      : hub_(hub), events_(std::move(request), std::move(mine), applied) {}

  ~watcher() { hub_.remove(registration_); }

  void set_registration(uint64_t id) { registration_ = id; }
  void set_emit_after(uint64_t seq) { events_.set_emit_after(seq); }
  uint64_t applied() const { return events_.applied(); }

  // Applies one record (from the journal, before start()) to the watch's copy.
  void process(const journal_record& rec, std::string& out) {
    events_.process(rec, out, messages::timestamp::now().seconds);
  }

  // ADDED for every current object that matches (a watch with no starting point).
  std::string initial_events(uint64_t seq) const {
    return events_.initial_events(seq, messages::timestamp::now().seconds);
  }

  // Any thread (the hub's fan-out): queues a batch for the strand.
  void enqueue(const record_batch& batch) {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.push_back(batch);
    if (sink_ && !drain_scheduled_) {
      drain_scheduled_ = true;
      boost::asio::post(sink_->executor(), [self = shared_from_this()] { self->drain(); });
    }
  }

  // On the sink's strand, once the response head is sent.
  void start(std::shared_ptr<stream_sink> sink, std::string first_chunk) {
    deadline_.emplace(sink->executor());
    deadline_->expires_after(events_.request().timeout);
    deadline_->async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (auto self = weak.lock(); self && !ec && self->sink_)
        self->sink_->finish();  // the watch's time is up: the client watches again from here
    });
    if (events_.applied() < events_.emit_after()) {
      // A resourceVersion not reached yet: wait for it a little, then say so.
      future_.emplace(sink->executor());
      future_->expires_after(future_resource_version_wait);
      future_->async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        if (auto self = weak.lock(); self && !ec)
          self->give_up_waiting();
      });
    }
    sink->on_close([self = shared_from_this()] { self->stop(); });
    {
      std::lock_guard<std::mutex> lock(mutex_);
      sink_ = sink;
      drain_scheduled_ = true;
    }
    if (!first_chunk.empty() && !sink->write(std::move(first_chunk)))
      return;
    drain();
  }

private:
  void drain() {
    std::deque<record_batch> batches;
    std::shared_ptr<stream_sink> sink;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      batches.swap(pending_);
      drain_scheduled_ = false;
      sink = sink_;
    }
    if (!sink || stopped_)
      return;
    std::string out;
    try {
      for (const auto& batch : batches)
        for (const auto& rec : *batch)
          process(rec, out);
    } catch (const std::exception& e) {
      // The copy may now differ from the journal: say so and end; the client lists again.
      json status = {{"kind", "Status"},
                     {"apiVersion", "v1"},
                     {"metadata", json::object()},
                     {"status", "Failure"},
                     {"message", std::string("the watch failed: ") + e.what()},
                     {"reason", "InternalError"},
                     {"code", 500}};
      sink->write(out + dump_json(json({{"type", "ERROR"}, {"object", status}})) + "\n");
      sink->finish();
      return;
    }
    if (future_ && events_.applied() >= events_.emit_after()) {
      future_->cancel();
      future_.reset();
    }
    if (!out.empty())
      sink->write(std::move(out));
  }

  void give_up_waiting() {
    future_.reset();
    if (events_.applied() >= events_.emit_after() || !sink_)
      return;
    json status = {
        {"kind", "Status"},
        {"apiVersion", "v1"},
        {"metadata", json::object()},
        {"status", "Failure"},
        {"message", "Too large resource version: " + std::to_string(events_.emit_after()) +
                        ", current: " + std::to_string(events_.applied())},
        {"reason", "Timeout"},
        {"details",
         {{"causes",
           {{{"reason", "ResourceVersionTooLarge"}, {"message", "Too large resource version"}}}},
          {"retryAfterSeconds", 1}}},
        {"code", 504}};
    sink_->write(dump_json(json({{"type", "ERROR"}, {"object", status}})) + "\n");
    sink_->finish();
  }

  void stop() {
    stopped_ = true;
    hub_.remove(registration_);
    if (deadline_)
      deadline_->cancel();
    if (future_)
      future_->cancel();
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.clear();
    sink_.reset();  // breaks the cycle sink -> on_close callback -> watcher -> sink
  }

  watch_hub& hub_;
  watch_events events_;  // strand only, once started
  uint64_t registration_ = 0;
  bool stopped_ = false;
  std::optional<boost::asio::steady_timer> deadline_, future_;

  std::mutex mutex_;
  std::deque<record_batch> pending_;   // guarded by mutex_
  std::shared_ptr<stream_sink> sink_;  // guarded by mutex_ (set once on the strand)
  bool drain_scheduled_ = false;       // guarded by mutex_
};

}  // namespace

http_response start_watch(actors::master& master, watch_hub& hub, watch_request request) {
  const auto kind = request.kind;
  const std::string ns = request.namespace_;
  auto snapshot = master.model().list(kind, ns);
  const uint64_t rv = request.resource_version.value_or(0);
  store::cluster_state mine;
  uint64_t base = snapshot.seq;
  if (rv > 0 && rv < snapshot.seq) {
    // The journal keeps everything: rebuild the watched objects as they were at `rv`; the
    // changes since are replayed below.
    base = rv;
    master.with_state_at(rv, [&](const store::cluster_state& then) {
      for (const auto& [key, o] : then.of(kind))
        if (ns.empty() || key.namespace_ == ns)
          mine.of(kind).emplace(key, o);
    });
  } else {
    for (auto& o : snapshot.items) {
      const auto& meta = messages::meta_of(o);
      mine.of(kind).emplace(store::object_key{meta.namespace_, meta.name}, std::move(o));
    }
  }
  auto w = std::make_shared<watcher>(hub, request, std::move(mine), base);
  std::string first;
  if (rv == 0)
    first = w->initial_events(snapshot.seq);
  else if (rv > snapshot.seq)
    w->set_emit_after(rv);
  // From here on the hub queues every later batch for the watcher; what committed between the
  // starting state and the registration comes from the journal.
  auto registration = hub.add(kind, [weak = std::weak_ptr<watcher>(w)](const record_batch& b) {
    if (auto self = weak.lock())
      self->enqueue(b);
  });
  w->set_registration(registration.id);
  bool too_much = false;
  uint64_t scanned = 0;
  if (registration.delivered_through > w->applied()) {
    master.read_journal(
        w->applied() + 1, registration.delivered_through, [&](journal_record&& rec) {
          w->process(rec, first);
          too_much =
              first.size() > max_watch_catch_up_bytes || ++scanned > max_watch_catch_up_records;
          return !too_much;
        });
  }
  if (too_much)
    return status_error(410, "Expired",
                        "too old resource version: " + std::to_string(rv) + " (" +
                            std::to_string(snapshot.seq) +
                            "): the changes since are too many to replay; list again");
  http_response response;
  response.content_type = "application/json";
  response.stream = [w, first = std::move(first)](std::shared_ptr<stream_sink> sink) mutable {
    w->start(std::move(sink), std::move(first));
  };
  return response;
}

}  // namespace capstan::api
