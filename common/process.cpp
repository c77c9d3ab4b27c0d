#include "common/process.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <functional>
#include <mutex>
#include <thread>

extern char** environ;

namespace capstan::common {

namespace {

child_exit decode(int status) {
  if (WIFEXITED(status))
    return {WEXITSTATUS(status), 0};
  if (WIFSIGNALED(status))
    return {128 + WTERMSIG(status), WTERMSIG(status)};
  return {};
}

// Whether `pid` is a child of this process that nobody has collected yet (running or a zombie).
bool uncollected_child(pid_t pid) {
  char path[32];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  char text[1024];
  ssize_t n = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  if (n <= 0)
    return false;
  text[n] = '\0';
  // "PID (COMM) STATE PPID ...": COMM may hold anything, ')' included, so search from the end.
  const char* paren = std::strrchr(text, ')');
  char state = 0;
  int ppid = 0;
  return paren && std::sscanf(paren + 1, " %c %d", &state, &ppid) == 2 && ppid == getpid();
}

// The process's one owner of child exit statuses; see process.hpp.
class reaper {
public:
  // Started on first use and never destroyed: its detached thread runs until the process exits.
  static reaper& instance() {
    static reaper* the_reaper = new reaper;
    return *the_reaper;
  }

  // posix_spawnp under the lock, the PID registered before the lock is released. Returns -1 and
  // sets errno when it cannot start. The exit of a `private_wait` PID is for wait_private() only:
  // wait_for_exit and exit_status, which name PIDs that may have been reused, never take it.
  pid_t spawn(const std::vector<std::string>& argv, const posix_spawn_file_actions_t* actions,
              bool private_wait) {
    std::vector<char*> args;
    for (const auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    // The child starts with no signal blocked and SIGPIPE at its default, whatever this
    // process's threads block (the mains block SIGINT and SIGTERM for sigwait) or ignore: a
    // `timeout` or a daemon it starts must be stoppable by SIGTERM.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    std::lock_guard<std::mutex> lock(mutex_);
    pid_t pid = 0;
    int error = posix_spawnp(&pid, args[0], actions, &attributes, args.data(), environ);
    posix_spawnattr_destroy(&attributes);
    if (error != 0) {
      errno = error;
      return -1;
    }
    drop_unclaimed(pid);  // an earlier process's, with the PID since reused
    awaited_[pid] = awaited{++generation_, private_wait, std::nullopt};
    idle_.notify_one();
    return pid;
  }

  // fork() under the lock, the child registered with `private_wait` before the lock is
  // released. The child runs `in_child`, which ends it; the lock it inherits held is never
  // touched there.
  pid_t fork_private(const std::function<void()>& in_child) {
    std::lock_guard<std::mutex> lock(mutex_);
    pid_t pid = ::fork();
    if (pid == 0) {
      // Whatever happens in the child ends there: an exception must never unwind into the
      // parent's code (its lock guard, its callers) running in the child.
      try {
        in_child();
      } catch (...) {
      }
      ::_exit(127);
    }
    if (pid < 0)
      return -1;
    drop_unclaimed(pid);
    try {
      awaited_[pid] = awaited{++generation_, true, std::nullopt};
    } catch (...) {  // out of memory: no child may run unregistered
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
      throw;
    }
    idle_.notify_one();
    return pid;
  }

  // Sends `signal` to a registered child whose exit is not collected yet: under the lock it is
  // still this process's child (running or a zombie), so its PID is no other process's.
  void signal_private(pid_t pid, int signal) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = awaited_.find(pid);
    if (it != awaited_.end() && it->second.private_wait && !it->second.exit)
      ::kill(pid, signal);
  }

  // For run_process: the exit of a PID spawn() registered with `private_wait`.
  child_exit wait_private(pid_t pid) {
    std::unique_lock<std::mutex> lock(mutex_);
    return wait_registered(lock, pid);
  }

  child_exit wait(pid_t pid) {
    if (pid <= 0)
      return {};
    std::unique_lock<std::mutex> lock(mutex_);
    auto it = awaited_.find(pid);
    if (it != awaited_.end())  // private: the PID was reused by a run_process child
      return it->second.private_wait ? child_exit{} : wait_registered(lock, pid);
    bool woken = false;
    while (uncollected_child(pid)) {
      drop_unclaimed(pid);
      if (!woken) {  // a child forked elsewhere may have been born while the reaper was idle
        ++generation_;
        idle_.notify_one();
        woken = true;
      }
      collected_.wait(lock);
    }
    return take_unclaimed(pid).value_or(child_exit{});
  }

  std::optional<child_exit> poll(pid_t pid) {
    if (pid <= 0)
      return child_exit{};
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = awaited_.find(pid);
    if (it != awaited_.end()) {
      if (it->second.private_wait)
        return child_exit{};
      if (!it->second.exit)
        return std::nullopt;
      return take_registered(pid);
    }
    if (uncollected_child(pid)) {
      drop_unclaimed(pid);
      return std::nullopt;
    }
    return take_unclaimed(pid).value_or(child_exit{});
  }

private:
  struct awaited {
    uint64_t generation;             // generation_ when it was registered
    bool private_wait;               // see spawn()
    std::optional<child_exit> exit;  // set once collected (or known lost)
  };

  reaper() {
    // The thread inherits a full signal mask: no signal meant for the process lands on it.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    std::thread([this] { run(); }).detach();
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  }

  void run() {
    for (;;) {
      uint64_t seen;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        seen = generation_;
      }
      siginfo_t info;
      std::memset(&info, 0, sizeof info);
      if (waitid(P_ALL, 0, &info, WEXITED | WNOWAIT) == 0) {
        collect(info.si_pid);
        continue;
      }
      if (errno == EINTR)
        continue;
      // ECHILD: no child at all. What was registered before `seen` was read was a child then,
      // so something else collected it: its status is lost.
      std::unique_lock<std::mutex> lock(mutex_);
      for (auto& [pid, a] : awaited_)
        if (!a.exit && a.generation <= seen)
          a.exit = child_exit{};
      collected_.notify_all();
      idle_.wait(lock, [&] { return generation_ != seen; });
    }
  }

  void collect(pid_t pid) {
    std::lock_guard<std::mutex> lock(mutex_);
    int status = 0;
    pid_t collected = waitpid(pid, &status, WNOHANG);
    auto it = awaited_.find(pid);
    bool registered = it != awaited_.end() && !it->second.exit;
    if (collected == pid) {
      if (registered)
        it->second.exit = decode(status);
      else
        keep_unclaimed(pid, decode(status));  // an orphan, or a child started by other code
    } else if (collected < 0 && registered) {
      it->second.exit = child_exit{};  // collected behind the reaper's back
    }
    collected_.notify_all();
  }

  // The helpers below run under mutex_.

  // Waits until the registered `pid` has an exit, then takes it. Looked up by PID on each
  // wake-up: a second waiter for the same PID (against the contract) may have taken it.
  child_exit wait_registered(std::unique_lock<std::mutex>& lock, pid_t pid) {
    collected_.wait(lock, [&] {
      auto it = awaited_.find(pid);
      return it == awaited_.end() || it->second.exit.has_value();
    });
    return take_registered(pid);
  }

  child_exit take_registered(pid_t pid) {
    auto it = awaited_.find(pid);
    if (it == awaited_.end() || !it->second.exit)
      return {};
    child_exit e = *it->second.exit;
    awaited_.erase(it);
    return e;
  }

  void keep_unclaimed(pid_t pid, child_exit e) {
    drop_unclaimed(pid);
    if (unclaimed_.size() == unclaimed_exits_kept)
      unclaimed_.pop_front();
    unclaimed_.emplace_back(pid, e);
  }

  void drop_unclaimed(pid_t pid) { take_unclaimed(pid); }

  std::optional<child_exit> take_unclaimed(pid_t pid) {
    for (auto it = unclaimed_.begin(); it != unclaimed_.end(); ++it)
      if (it->first == pid) {
        child_exit e = it->second;
        unclaimed_.erase(it);
        return e;
      }
    return std::nullopt;
  }

  std::mutex mutex_;                   // guards everything below; waitpid runs under it
  std::condition_variable collected_;  // an exit was collected or found lost
  std::condition_variable idle_;       // the reaper, with no child left, waits for a new one
  uint64_t generation_ = 0;            // bumped by each start and by waits for other children
  std::map<pid_t, awaited> awaited_;   // started here, not yet claimed
  // Exits nobody registered, oldest first, at most unclaimed_exits_kept.
  std::deque<std::pair<pid_t, child_exit>> unclaimed_;
};

}  // namespace

process_result run_process(const std::vector<std::string>& argv) {
  if (argv.empty())
    return {-1, "no command"};
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0)
    return {-1, "no pipe"};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  pid_t pid = reaper::instance().spawn(argv, &actions, true);
  int error = errno;
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  process_result result;
  if (pid < 0) {
    close(pipe_fds[0]);
    result.output = "cannot run " + argv[0] + ": " + std::strerror(error);
    return result;
  }
  char buffer[4096];
  ssize_t n;
  while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      result.output.append(buffer, static_cast<std::size_t>(n));
  close(pipe_fds[0]);
  result.exit_code = reaper::instance().wait_private(pid).exit_code;
  return result;
}

process_result run_process_logging_to(const std::vector<std::string>& argv,
                                      const std::string& log_path) {
  if (argv.empty())
    return {-1, "no command"};
  int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0)
    return {-1, "cannot open " + log_path};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fd, 1);
  posix_spawn_file_actions_adddup2(&actions, fd, 2);
  pid_t pid = reaper::instance().spawn(argv, &actions, true);
  int error = errno;
  posix_spawn_file_actions_destroy(&actions);
  close(fd);
  if (pid < 0)
    return {-1, "cannot run " + argv[0] + ": " + std::strerror(error)};
  return {reaper::instance().wait_private(pid).exit_code, ""};
}

pid_t start_process_with_stdio(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd,
                               int stderr_fd) {
  if (argv.empty())
    return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
  pid_t pid = reaper::instance().spawn(argv, &actions, false);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

pid_t start_process(const std::vector<std::string>& argv, int stdout_fd) {
  if (argv.empty())
    return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdout_fd < 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  else
    posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
  pid_t pid = reaper::instance().spawn(argv, &actions, false);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

child_exit wait_for_exit(pid_t pid) {
  return reaper::instance().wait(pid);
}

pid_t fork_child(const std::function<void()>& in_child) {
  return reaper::instance().fork_private(in_child);
}

child_exit wait_forked(pid_t pid) {
  return reaper::instance().wait_private(pid);
}

void signal_forked(pid_t pid, int signal) {
  reaper::instance().signal_private(pid, signal);
}

std::optional<child_exit> exit_status(pid_t pid) {
  return reaper::instance().poll(pid);
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& a : argv)
    line += (line.empty() ? "" : " ") + a;
  return line;
}

}  // namespace capstan::common
