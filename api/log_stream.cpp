#include "api/log_stream.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/pod_container.hpp"
#include "api/request_params.hpp"
#include "api/responses.hpp"
#include "messages/node_interfaces.hpp"

namespace capstan::api {

namespace {

using messages::object_kind;

constexpr auto node_timeout = std::chrono::seconds(15);
constexpr auto follow_poll_interval = std::chrono::milliseconds(300);

std::string error_text(caf::actor_system& system, const caf::error& e) {
  return "the node gateway did not answer: " + system.render(e);
}

struct log_target {
  std::string namespace_, name, uid, container;
};

// What one fetch from the node gives: bytes and the next offset, or a failure (with the
// node's refusal reason when the node answered).
struct log_chunk {
  std::string bytes;
  uint64_t next = 0;
  std::string failure;
  messages::refusal_reason reason = messages::refusal_reason::none;
};

messages::log_request request_for(const log_target& t, uint64_t offset, uint64_t tail_lines) {
  messages::log_request r;
  r.namespace_ = t.namespace_;
  r.pod_name = t.name;
  r.container = t.container;
  r.offset = offset;
  r.tail_lines = tail_lines;
  return r;
}

log_chunk from_node(messages::log_chunk& c) {
  if (c.refused)
    return log_chunk{{}, 0, std::move(c.refused.message), c.refused.reason};
  return log_chunk{std::move(c.bytes), c.next_offset, {}, messages::refusal_reason::none};
}

// Blocking fetch, for handler threads.
// Only the leader runs the node gateway: another master cannot reach the nodes.
constexpr const char* not_leading_gateway =
    "this master does not lead the cluster now: logs, exec and port-forward go through the "
    "leader";

log_chunk fetch_blocking(caf::actor_system& system, const messages::node_gateway_actor& gateway,
                         const log_target& t, uint64_t offset, uint64_t tail_lines) {
  if (!gateway)
    return log_chunk{{}, 0, not_leading_gateway};
  caf::scoped_actor self{system};
  log_chunk out;
  self->request(gateway, node_timeout, messages::logs_atom::value,
                request_for(t, offset, tail_lines))
      .receive([&](messages::log_chunk& c) { out = from_node(c); },
               [&](caf::error& e) { out.failure = error_text(system, e); });
  return out;
}

// Asynchronous fetch: a short-lived actor asks the gateway; `done` runs on CAF's thread with
// the answer and must not block.
void fetch_async(caf::actor_system& system, const messages::node_gateway_actor& gateway,
                 const log_target& t, uint64_t offset, std::function<void(log_chunk)> done) {
  if (!gateway) {
    done(log_chunk{{}, 0, not_leading_gateway});
    return;
  }
  system.spawn([&system, gateway, t, offset, done = std::move(done)](caf::event_based_actor* self) {
    self->request(gateway, node_timeout, messages::logs_atom::value, request_for(t, offset, 0))
        .then([done](messages::log_chunk& c) { done(from_node(c)); },
              [done, &system](caf::error& e) {
                done(log_chunk{{}, 0, error_text(system, e)});
              });
  });
}

// A `logs -f`: polls the node for new bytes every follow_poll_interval, on the sink's strand.
class log_follower : public std::enable_shared_from_this<log_follower> {
public:
  log_follower(caf::actor_system& system, actors::master& master, std::shared_ptr<io_gate> gate,
               log_target target, uint64_t offset)
      : system_(system),
        master_(master),
        gate_(std::move(gate)),
        target_(std::move(target)),
        offset_(offset) {}

  void start(std::shared_ptr<stream_sink> sink, std::string first) {
    sink_ = sink;
    timer_.emplace(sink->executor());
    sink->on_close([self = shared_from_this()] {
      self->stopped_ = true;
      if (self->timer_)
        self->timer_->cancel();
      self->sink_.reset();
    });
    if (!first.empty() && !sink->write(std::move(first)))
      return;
    schedule();
  }

private:
  void schedule() {
    timer_->expires_after(follow_poll_interval);
    timer_->async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec && !self->stopped_)
        self->poll();
    });
  }

  void poll() {
    auto now = master_.model().get(object_kind::pod, {target_.namespace_, target_.name});
    if (!now || messages::meta_of(*now).uid != target_.uid) {
      sink_->finish();  // the pod is gone: the stream ends, as kubectl logs -f does
      return;
    }
    auto executor = sink_->executor();
    // The reply comes on a CAF thread, maybe after the stream ended or the server stopped: it
    // holds the follower weakly and posts through the gate.
    fetch_async(system_, master_.node_gateway(), target_, offset_,
                [weak = weak_from_this(), gate = gate_, executor](log_chunk chunk) {
                  gate->post(executor, [weak, chunk = std::move(chunk)]() mutable {
                    auto self = weak.lock();
                    if (!self || self->stopped_ || !self->sink_)
                      return;
                    if (!chunk.failure.empty()) {
                      self->sink_->finish();
                      return;
                    }
                    self->offset_ = chunk.next;
                    if (!chunk.bytes.empty() && !self->sink_->write(std::move(chunk.bytes)))
                      return;
                    self->schedule();
                  });
                });
  }

  caf::actor_system& system_;
  actors::master& master_;
  std::shared_ptr<io_gate> gate_;
  const log_target target_;
  uint64_t offset_;
  // Strand only.
  std::shared_ptr<stream_sink> sink_;
  std::optional<boost::asio::steady_timer> timer_;
  bool stopped_ = false;
};

}  // namespace

http_response pod_log(caf::actor_system& system, actors::master& master,
                      std::shared_ptr<io_gate> gate, const http_request& req,
                      const messages::pod& p) {
  auto chosen = requested_container(req, p);
  if (auto* refused = std::get_if<http_response>(&chosen))
    return std::move(*refused);
  const std::string container = std::get<std::string>(chosen);
  if (!query_number(req, "tailLines", 0) || !query_number(req, "limitBytes", 0) ||
      !query_number(req, "sinceSeconds", 0))
    return status_error(400, "BadRequest",
                        "tailLines, limitBytes and sinceSeconds are non-negative integers");
  if (p.spec.node_name.empty() || p.status.phase == "Pending")
    return status_error(400, "BadRequest",
                        "container \"" + container + "\" in pod \"" + p.metadata.name +
                            "\" is waiting to start: ContainerCreating");
  log_target target{p.metadata.namespace_, p.metadata.name, p.metadata.uid, container};
  auto first =
      fetch_blocking(system, master.node_gateway(), target, 0, *query_number(req, "tailLines", 0));
  // The node's refusal decides the answer: no such container (or none that logs) is the
  // client's mistake; a node that is away or silent is the cluster's.
  if (first.reason == messages::refusal_reason::no_such_pod)
    return status_error(400, "BadRequest", first.failure);
  if (!first.failure.empty())
    return status_error(503, "ServiceUnavailable", first.failure);
  http_response r;
  r.content_type = "text/plain";
  if (!query_flag(req, "follow")) {
    r.body = std::move(first.bytes);
    return r;
  }
  auto follower =
      std::make_shared<log_follower>(system, master, std::move(gate), target, first.next);
  r.stream = [follower, bytes = std::move(first.bytes)](std::shared_ptr<stream_sink> sink) mutable {
    follower->start(std::move(sink), std::move(bytes));
  };
  return r;
}

std::variant<http_response, std::function<void(std::shared_ptr<stream_sink>)>> follow_new_output(
    caf::actor_system& system, actors::master& master, std::shared_ptr<io_gate> gate,
    const messages::pod& p, const std::string& container) {
  log_target target{p.metadata.namespace_, p.metadata.name, p.metadata.uid, container};
  // Where the output ends now: a fetch of the last line tells (its bytes are not sent).
  auto last = fetch_blocking(system, master.node_gateway(), target, 0, 1);
  if (last.reason == messages::refusal_reason::no_such_pod)
    return status_error(400, "BadRequest", last.failure);
  if (!last.failure.empty())
    return status_error(503, "ServiceUnavailable", last.failure);
  const uint64_t end = last.next;
  auto follower = std::make_shared<log_follower>(system, master, std::move(gate), target, end);
  return [follower](std::shared_ptr<stream_sink> sink) { follower->start(std::move(sink), {}); };
}

}  // namespace capstan::api
