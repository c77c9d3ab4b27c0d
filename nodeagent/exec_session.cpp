#include "nodeagent/exec_session.hpp"

#include <chrono>
#include <mutex>
#include <optional>

#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace capstan::nodeagent {

namespace {

using namespace messages;
using steady = std::chrono::steady_clock;

constexpr auto poll_hold = std::chrono::seconds(5);
constexpr auto idle_limit = std::chrono::seconds(60);
constexpr auto clock_tick = std::chrono::seconds(1);
constexpr std::size_t reply_bytes = 64 * 1024;  // of each of stdout and stderr per reply

// The actor the I/O thread wakes: set once the actor exists (wakes before then are not needed:
// the first poll looks for news itself).
struct wake_target {
  std::mutex mutex;
  caf::actor_addr session;
  void wake() {
    std::lock_guard<std::mutex> lock(mutex);
    if (auto handle = caf::actor_cast<exec_session_actor>(session))
      caf::anon_send(handle, exec_wake_atom::value);
  }
};

struct session_state {
  uint64_t stream = 0;
  std::shared_ptr<wake_target> target;
  std::shared_ptr<exec_process> process;
  steady::time_point last_message = steady::now();
  // A poll waiting for news, and when it is answered empty.
  std::optional<caf::typed_response_promise<exec_reply>> poll;
  steady::time_point poll_until{};
  // Input the process could not take yet (its buffer was full), with its answer.
  std::optional<caf::typed_response_promise<exec_reply>> input_answer;
  std::string input;
  bool close_after_input = false;
  static inline const char* name = "exec-session";
};

using session_self = exec_session_actor::stateful_pointer<session_state>;

exec_reply plain_reply(session_self self) {
  exec_reply r;
  r.stream = self->state.stream;
  return r;
}

// Answers the waiting poll with the news, or empty once it has waited long enough; after the
// command's end is answered the session is over.
void answer_poll(session_self self, bool force) {
  auto& s = self->state;
  if (!s.poll || (!force && !s.process->has_news() && steady::now() < s.poll_until))
    return;
  auto news = s.process->take(reply_bytes);
  exec_reply r = plain_reply(self);
  r.output = std::move(news.out);
  r.errors = std::move(news.err);
  r.exited = news.exited;
  r.exit_code = news.exit_code;
  s.poll->deliver(std::move(r));
  s.poll.reset();
  if (news.exited)
    self->quit();
}

// Retries input the process could not take before.
void pass_input(session_self self) {
  auto& s = self->state;
  if (!s.input_answer || !s.process->give_input(s.input))
    return;
  s.input.clear();
  if (s.close_after_input)
    s.process->close_input();
  s.input_answer->deliver(plain_reply(self));
  s.input_answer.reset();
}

exec_session_actor::behavior_type exec_session(session_self self, uint64_t stream,
                                               std::shared_ptr<exec_process> process) {
  auto& s = self->state;
  s.stream = stream;
  s.process = std::move(process);
  self->delayed_send(self, clock_tick, exec_tick_atom::value);
  return {
      [=](execio_atom, exec_io& io) -> caf::result<exec_reply> {
        auto& s = self->state;
        s.last_message = steady::now();
        if (io.terminate) {
          s.process->kill();
          self->quit();
          return plain_reply(self);
        }
        s.process->resize(static_cast<uint16_t>(std::min<uint32_t>(io.width, 0xffff)),
                          static_cast<uint16_t>(std::min<uint32_t>(io.height, 0xffff)));
        if (io.poll) {
          if (s.poll)  // one poll at a time: the older one is answered as it stands
            answer_poll(self, true);
          s.poll = self->make_response_promise<exec_reply>();
          s.poll_until = steady::now() + poll_hold;
          auto answer = *s.poll;
          answer_poll(self, false);
          return answer;
        }
        if (s.input_answer) {
          exec_reply r = plain_reply(self);
          r.refused = {refusal_reason::too_large, "input sent before the last was taken"};
          return r;
        }
        if (!io.input.empty() && !s.process->give_input(io.input)) {
          // The command does not read as fast as input comes: the answer waits until it does.
          s.input = std::move(io.input);
          s.close_after_input = io.close_input;
          s.input_answer = self->make_response_promise<exec_reply>();
          return *s.input_answer;
        }
        if (io.close_input)
          s.process->close_input();
        return plain_reply(self);
      },
      [=](exec_wake_atom) {
        pass_input(self);
        answer_poll(self, false);
      },
      [=](exec_tick_atom) {
        auto& s = self->state;
        pass_input(self);
        answer_poll(self, false);
        if (steady::now() - s.last_message > idle_limit && !s.poll && !s.input_answer) {
          s.process->kill();
          self->quit();
          return;
        }
        self->delayed_send(self, clock_tick, exec_tick_atom::value);
      },
  };
}

}  // namespace

exec_session_actor spawn_exec_session(caf::actor_system& system, uint64_t stream,
                                      exec_process::options options) {
  auto target = std::make_shared<wake_target>();
  auto process = std::make_shared<exec_process>(std::move(options), [target] { target->wake(); });
  auto session = system.spawn(exec_session, stream, process);
  std::lock_guard<std::mutex> lock(target->mutex);
  target->session = session.address();
  return session;
}

}  // namespace capstan::nodeagent
