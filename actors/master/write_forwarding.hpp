// Writes sent to a follower go to the leader (issue #20: a client may talk to any member).
// The follower forwards the create or object command over the members' port and answers with
// the leader's reply; the leader carries forwarded commands out on a few threads of its own
// (never on the TLS thread nor on CAF's scheduler), as if a client of its own had sent them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "actors/master/forwarded_commands.hpp"
#include "store/raft_peer_forward.hpp"
#include "store/raft_tls_transport.hpp"
#include "store/replicated_log.hpp"

namespace capstan::actors {

// Sends `command` to the leader `membership` names on `channel`, waits for its reply (60 s for
// the command plus 5 s), and returns it; `leader_seq` is set to how far the leader's read model
// was when it answered (0: unknown). When no leader is known or it cannot be reached:
// unavailable (nothing happened; a client may retry). When it took the command but gave no
// answer: internal (it may or may not have been carried out). Blocks the calling thread.
command_reply forward_to_leader(store::peer_forward_channel& channel, uint64_t own_id,
                                const store::replicated_membership& membership,
                                const forwarded_command& command, uint64_t& leader_seq);

// The leader's side: a bounded queue of forwarded commands and the threads that decode them and
// carry them out with `execute` (the master's own, which never forwards again).
class forwarded_write_pool {
public:
  // Carries out a command within the time given (the follower stops waiting after that).
  using executor = std::function<command_reply(forwarded_command, std::chrono::milliseconds)>;
  // How far the leader's read model is (sent with every answer).
  using progress = std::function<uint64_t()>;
  // `threads` workers, at most `queue_bound` commands waiting; beyond, a command is answered
  // unavailable at once. A command has `budget` from its arrival: one that waited too long to
  // be carried out in what is left (1 s) is answered unavailable, not carried out, since its
  // follower is about to give up on it.
  forwarded_write_pool(executor execute, progress applied, std::size_t threads = 4,
                       std::size_t queue_bound = 28,
                       std::chrono::milliseconds budget = std::chrono::seconds(55));
  // Answers what waits (unavailable), lets the running commands finish, joins the threads;
  // commands served later are answered unavailable at once. Idempotent.
  void close();
  ~forwarded_write_pool() { close(); }
  forwarded_write_pool(const forwarded_write_pool&) = delete;
  forwarded_write_pool& operator=(const forwarded_write_pool&) = delete;

  // raft_tls_config::serve_forward: queues the request (decoded on a worker: a request that is
  // no command is answered bad_request); never blocks.
  void serve(uint64_t member, std::string request, store::raft_tls_config::forward_answer answer);

private:
  struct job {
    uint64_t member = 0;
    std::string request;
    store::raft_tls_config::forward_answer answer;
    std::chrono::steady_clock::time_point deadline;
  };
  void work();

  void answer_with(const store::raft_tls_config::forward_answer& answer,
                   const command_reply& reply) const;

  executor execute_;
  progress applied_;
  std::size_t queue_bound_;
  std::chrono::milliseconds budget_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<job> queue_;  // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace capstan::actors
