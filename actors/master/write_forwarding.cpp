#include "actors/master/write_forwarding.hpp"

#include <thread>


namespace capstan::actors {

namespace {

// The leader's registry answers within a minute (master.cpp's command_timeout); a few seconds
// more for the way there and back.
constexpr std::chrono::milliseconds forward_timeout{65000};

}  // namespace

command_reply forward_to_leader(store::peer_forward_channel& channel, uint64_t own_id,
                                const store::replicated_membership& membership,
                                const forwarded_command& command, uint64_t& leader_seq) {
  leader_seq = 0;
  if (membership.leader_id == 0 || membership.leader_id == own_id ||
      membership.leader_address.empty())
    return command_reply::failure(error_code::unavailable,
                                  "the cluster has no leader now (an election is under way, or "
                                  "no majority of the masters is reachable): retry");
  store::peer_forward_request request;
  request.peer_id = membership.leader_id;
  request.peer_address = membership.leader_address;
  try {
    request.body = encode_forwarded_command(command);
  } catch (const std::exception& e) {
    return command_reply::failure(error_code::unavailable,
                                  std::string("this master does not lead, and cannot forward "
                                              "the write: ") + e.what());
  }
  // Not sent, or refused unread (no channel to the leader yet, its forwarded writes' queue
  // full): nothing happened there, so it is tried again a few times over about a second before
  // the client hears of it. A leader that does not answer at all is not waited for again.
  using outcome = store::peer_forward_result::outcome;
  store::peer_forward_result result;
  for (int attempt = 0;; ++attempt) {
    const auto started = std::chrono::steady_clock::now();
    result = channel.forward(request, forward_timeout);
    if (result.result != outcome::not_sent || attempt == 5 ||
        std::chrono::steady_clock::now() - started > std::chrono::seconds(1))
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20 << attempt));
  }
  switch (result.result) {
    case outcome::answered:
      try {
        return decode_forwarded_reply(result.text, &leader_seq);
      } catch (const std::exception& e) {
        return command_reply::failure(error_code::internal,
                                      std::string("the leader's answer is unreadable (the write "
                                                  "may have been applied): ") + e.what());
      }
    case outcome::not_sent:
      return command_reply::failure(error_code::unavailable,
                                    "cannot reach the leader to forward the write: " +
                                        result.text + ": retry");
    case outcome::unanswered:
      break;
  }
  return command_reply::failure(error_code::internal,
                                "the leader took the write and did not answer (it may or may "
                                "not have been applied): " + result.text);
}

// Never throws (an answer that cannot be made leaves the follower to time out).
void forwarded_write_pool::answer_with(const store::raft_tls_config::forward_answer& answer,
                                       const command_reply& reply) const {
  try {
    answer(encode_forwarded_reply(reply, applied_ ? applied_() : 0));
  } catch (...) {
  }
}

forwarded_write_pool::forwarded_write_pool(executor execute, progress applied,
                                           std::size_t threads, std::size_t queue_bound,
                                           std::chrono::milliseconds budget)
    : execute_(std::move(execute)),
      applied_(std::move(applied)),
      queue_bound_(queue_bound),
      budget_(budget) {
  for (std::size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this] { work(); });
}

void forwarded_write_pool::close() {
  std::deque<job> left;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_)
      return;
    stopping_ = true;
    left.swap(queue_);
  }
  wake_.notify_all();
  for (auto& j : left)
    answer_with(j.answer, command_reply::failure(
                              error_code::unavailable,
                              "the leader is stopping: the write was not applied; retry"));
  for (auto& t : threads_)
    t.join();
}

void forwarded_write_pool::serve(uint64_t member, std::string request,
                                 store::raft_tls_config::forward_answer answer) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!stopping_ && queue_.size() < queue_bound_) {
      queue_.push_back({member, std::move(request), std::move(answer),
                        std::chrono::steady_clock::now() + budget_});
      wake_.notify_one();
      return;
    }
  }
  answer_with(answer, command_reply::failure(
                          error_code::unavailable,
                          "the leader has too many forwarded writes waiting, or is stopping: "
                          "retry"));
}

void forwarded_write_pool::work() {
  for (;;) {
    job next;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty())
        return;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    command_reply reply;
    try {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          next.deadline - std::chrono::steady_clock::now());
      if (left < std::chrono::seconds(1)) {
        reply = command_reply::failure(error_code::unavailable,
                                       "the leader had too many writes to take this one in "
                                       "time: it was not applied; retry");
      } else {
        forwarded_command command;
        try {
          command = decode_forwarded_command(next.request);
        } catch (const std::exception& e) {
          throw forwarding_error("member " + std::to_string(next.member) +
                                 " forwarded no command capstan reads: " + e.what());
        }
        reply = execute_(std::move(command), left);
      }
    } catch (const forwarding_error& e) {
      reply = command_reply::failure(error_code::bad_request, e.what());
    } catch (const std::exception& e) {
      reply = command_reply::failure(error_code::internal, e.what());
    } catch (...) {
      reply = command_reply::failure(error_code::internal, "the write failed");
    }
    answer_with(next.answer, reply);
  }
}

}  // namespace capstan::actors
