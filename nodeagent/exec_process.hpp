// One command run in a container for `kubectl exec` or `attach`: the `runc exec` process, its
// stdin, stdout and stderr (or one pseudo-terminal for a tty), and the thread that moves bytes
// between them and bounded buffers. The exec session actor (exec_session.hpp) drives it.
//
// Bounds: at most `max_buffered` bytes of output are held; while they are, the command's output
// is not read (it blocks writing, as a slow terminal would make it). Input is taken while less
// than `max_buffered` bytes wait to be written.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace capstan::nodeagent {

class exec_process {
public:
  static constexpr std::size_t max_buffered = 256 * 1024;

  struct options {
    std::vector<std::string> argv;  // runc --root R exec ID (the command is appended)
    std::vector<std::string> command;
    bool stdin_ = false;
    bool tty = false;
    std::string pid_file;  // where runc writes the command's PID (to kill it on terminate)
    // With a tty, the command's stdio is a terminal made here, and these options go before the
    // container id ("--tty": runc makes a terminal in the container and copies between the
    // two, resizes included).
    std::vector<std::string> tty_options;
  };

  struct output {
    std::string out, err;
    bool exited = false;
    int exit_code = 0;
  };

  // Starts the command. `wake` is called from the I/O thread whenever output arrives into empty
  // buffers, the command ends, or waiting input was written; it must not block. Throws
  // std::runtime_error (with the reason) when the command cannot start.
  exec_process(options opts, std::function<void()> wake);
  // Kills the command if it still runs and waits for the I/O thread.
  ~exec_process();
  exec_process(const exec_process&) = delete;
  exec_process& operator=(const exec_process&) = delete;

  // What the command wrote since the last call (at most `limit` bytes of each), and whether it
  // has ended; `exited` is reported only once everything it wrote has been taken.
  output take(std::size_t limit);
  bool has_news();
  // Queues bytes for the command's stdin; false (nothing taken) while max_buffered wait.
  bool give_input(const std::string& bytes);
  // The command's stdin ends once what is queued is written (a tty gets ^D instead).
  void close_input();
  void resize(uint16_t width, uint16_t height);
  // Kills the command (SIGKILL to it and to runc).
  void kill();

private:
  void pump();
  void notify();

  const options opts_;
  std::function<void()> wake_;
  pid_t pid_ = -1;
  int in_fd_ = -1, out_fd_ = -1, err_fd_ = -1;  // ours; with a tty in_fd_ == out_fd_ (the master)
  int wake_pipe_[2] = {-1, -1};
  std::thread io_;

  std::mutex mutex_;
  std::string out_, err_, in_;
  bool input_closed_ = false;
  bool exited_ = false;
  int exit_code_ = 0;
  bool stopping_ = false;
};

}  // namespace capstan::nodeagent
