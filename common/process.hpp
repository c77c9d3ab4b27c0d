// Running the node's tools (runc, ip, umoci, skopeo, iptables-restore) as child processes, and the
// one place in the process that collects children's exit statuses.
//
// One reaper owns every exit status: a thread, started on first use of anything below, is the
// only caller of waitpid in the process. It blocks in waitid(P_ALL, WNOWAIT) outside its lock and
// collects the child it sees with waitpid under the lock, so under that lock a PID is either
// still a child (running or a zombie) or its exit has been recorded. Processes are started under
// the same lock and registered before it is released: no exit can be collected before its waiter
// is known. Exits nobody registered (orphans re-parented to a child subreaper, such as the init
// processes of runc's containers) are kept, the last `unclaimed_exits_kept` of them, for
// exit_status or wait_for_exit to claim by PID.
//
// Why a thread and not SIGCHLD: a handler is process-wide state that CAF, the mains' sigwait
// loops and the tests would share; the thread has all signals blocked and needs none of them.
//
// Nothing else may wait for children (waitpid, wait, std::system, pclose): what it collects is
// lost to the reaper, and the waiter of a lost PID reads exit code -1, never success.
//
// Memory: one entry per started process until its exit is claimed (run_process claims its own),
// plus at most `unclaimed_exits_kept` unregistered exits.
//
// Blocking: for the callers' own threads (the runtime's, the proxies'), never for an actor. All
// functions are thread-safe; each PID from start_process is claimed once, by one caller.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace capstan::common {

// How a child ended. exit_code is its exit status, 128 + the signal when a signal killed it, or
// -1 when it did not start or its status is unknown (not a child of this process, collected by
// something else, or dropped from the unclaimed exits kept).
struct child_exit {
  int exit_code = -1;
  int signal = 0;  // the signal that killed it; 0 when it exited
  bool ok() const { return exit_code == 0; }
};

struct process_result {
  int exit_code = -1;  // as child_exit::exit_code
  std::string output;  // stdout and stderr together
  bool ok() const { return exit_code == 0; }
};

// How many exits of unregistered children are kept for a later claim; the oldest go first.
inline constexpr std::size_t unclaimed_exits_kept = 1024;

// Runs argv[0] (searched in PATH) with `argv` and stdin from /dev/null, waits, and returns its
// exit code and output.
process_result run_process(const std::vector<std::string>& argv);

// The same, with the child's stdout and stderr appended to `log_path` instead of captured.
process_result run_process_logging_to(const std::vector<std::string>& argv,
                                      const std::string& log_path);

// Starts argv[0] (searched in PATH) with stdout to `stdout_fd` (/dev/null when -1) and stdin and
// stderr inherited, without waiting; returns its PID, or -1 when it cannot start. The caller
// claims its exit once, with wait_for_exit or exit_status; until then the reaper keeps it.
pid_t start_process(const std::vector<std::string>& argv, int stdout_fd = -1);

// The same with the child's stdin, stdout and stderr from the given descriptors (each dup'ed
// into place; pass the same one three times for a terminal).
pid_t start_process_with_stdio(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd,
                               int stderr_fd);

// Blocks until `pid` has exited and returns how; the exit is handed over once and then forgotten.
// For a PID from start_process; also for any other child of this process (an orphan re-parented
// here), which is recognised through /proc/PID/stat, and for a kept exit of one. Anything else
// returns exit code -1 at once.
child_exit wait_for_exit(pid_t pid);

// The same without blocking: nothing while `pid` runs (or has exited and is not collected yet).
// While an unregistered PID is a child, any exit kept for it was an earlier process's (the PID
// was reused) and is dropped.
std::optional<child_exit> exit_status(pid_t pid);

// Forks this process without exec, for work on a copy-on-write image of its memory
// (store/snapshot_process.hpp). The fork happens under the reaper's lock, which registers the
// child for wait_forked alone. `in_child` runs in the child and must end it with _exit; after a
// fork in a threaded process it may only do what is safe there (see the snapshot process).
// Returns the PID, or -1 with errno set.
pid_t fork_child(const std::function<void()>& in_child);
// Blocks until a child from fork_child has exited and returns how; once per PID.
child_exit wait_forked(pid_t pid);
// Sends `signal` to a child from fork_child unless its exit was already collected (its PID may
// then be another process's).
void signal_forked(pid_t pid, int signal);

// "ip netns add x": the argv as one line, for messages.
std::string command_line(const std::vector<std::string>& argv);

}  // namespace capstan::common
