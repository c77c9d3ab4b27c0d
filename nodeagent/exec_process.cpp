#include "nodeagent/exec_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "common/process.hpp"

namespace capstan::nodeagent {

namespace {

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

void close_fd(int& fd) {
  if (fd >= 0)
    ::close(fd);
  fd = -1;
}

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// Reads what `fd` has into `into`; false at its end (or an error: a terminal whose last
// holder closed it reads EIO).
bool read_some(int fd, std::string& into, std::size_t room) {
  char buffer[16 * 1024];
  ssize_t n = ::read(fd, buffer, std::min(room, sizeof buffer));
  if (n > 0) {
    into.append(buffer, static_cast<std::size_t>(n));
    return true;
  }
  return n < 0 && (errno == EAGAIN || errno == EINTR);
}

}  // namespace

exec_process::exec_process(options opts, std::function<void()> wake)
    : opts_(std::move(opts)), wake_(std::move(wake)) {
  auto argv = opts_.argv;
  if (!opts_.pid_file.empty()) {
    // runc exec's options go before the container id, the last word of opts_.argv.
    argv.insert(argv.end() - 1, {"--pid-file", opts_.pid_file});
  }
  if (opts_.tty)
    argv.insert(argv.end() - 1, opts_.tty_options.begin(), opts_.tty_options.end());
  argv.insert(argv.end(), opts_.command.begin(), opts_.command.end());
  if (::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::runtime_error(errno_text("pipe"));
  int child_in = -1, child_out = -1, child_err = -1;
  auto fail = [&](const std::string& why) {
    close_fd(child_in);
    if (child_out != child_in)
      close_fd(child_out);
    else
      child_out = -1;
    close_fd(child_err);
    close_fd(in_fd_);
    if (out_fd_ != in_fd_)
      close_fd(out_fd_);
    close_fd(err_fd_);
    close_fd(wake_pipe_[0]);
    close_fd(wake_pipe_[1]);
    throw std::runtime_error(why);
  };
  if (opts_.tty) {
    int master = -1, slave = -1;
    if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0)
      fail(errno_text("openpty"));
    ::fcntl(master, F_SETFD, FD_CLOEXEC);
    ::fcntl(slave, F_SETFD, FD_CLOEXEC);
    in_fd_ = out_fd_ = master;
    child_in = child_out = slave;
    child_err = ::dup(slave);
    ::fcntl(child_err, F_SETFD, FD_CLOEXEC);
  } else {
    int in[2], out[2], err[2];
    if (opts_.stdin_) {
      if (::pipe2(in, O_CLOEXEC) != 0)
        fail(errno_text("pipe"));
      child_in = in[0];
      in_fd_ = in[1];
    } else {
      child_in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    if (::pipe2(out, O_CLOEXEC) != 0)
      fail(errno_text("pipe"));
    child_out = out[1];
    out_fd_ = out[0];
    if (::pipe2(err, O_CLOEXEC) != 0)
      fail(errno_text("pipe"));
    child_err = err[1];
    err_fd_ = err[0];
  }
  pid_ = common::start_process_with_stdio(argv, child_in, child_out, child_err);
  if (pid_ < 0)
    fail(errno_text("cannot start runc"));
  close_fd(child_in);
  if (child_out != child_in)
    close_fd(child_out);
  close_fd(child_err);
  for (int fd : {in_fd_, out_fd_, err_fd_})
    if (fd >= 0)
      set_nonblocking(fd);
  if (!opts_.stdin_ && opts_.tty)
    input_closed_ = true;  // nothing will be typed; the terminal stays open for output
  io_ = std::thread([this] { pump(); });
}

exec_process::~exec_process() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  notify();
  io_.join();
  if (!opts_.pid_file.empty())
    ::unlink(opts_.pid_file.c_str());
  close_fd(wake_pipe_[0]);
  close_fd(wake_pipe_[1]);
}

exec_process::output exec_process::take(std::size_t limit) {
  output o;
  bool was_full = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    was_full = out_.size() >= max_buffered || err_.size() >= max_buffered;
    auto cut = [limit](std::string& from, std::string& to) {
      if (from.size() <= limit) {
        to = std::move(from);
        from.clear();
      } else {
        to = from.substr(0, limit);
        from.erase(0, limit);
      }
    };
    cut(out_, o.out);
    cut(err_, o.err);
    o.exited = exited_ && out_.empty() && err_.empty();
    o.exit_code = exit_code_;
  }
  if (was_full)
    notify();  // the I/O thread may read again
  return o;
}

bool exec_process::has_news() {
  std::lock_guard<std::mutex> lock(mutex_);
  return !out_.empty() || !err_.empty() || exited_;
}

bool exec_process::give_input(const std::string& bytes) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (in_.size() >= max_buffered)
      return false;
    if (!input_closed_)
      in_ += bytes;  // input after the end of stdin goes nowhere
  }
  notify();
  return true;
}

void exec_process::close_input() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (input_closed_)
      return;
    input_closed_ = true;
    if (opts_.tty)
      in_ += '\x04';  // end of file, as a terminal's user types it
  }
  notify();
}

void exec_process::resize(uint16_t width, uint16_t height) {
  if (!opts_.tty || width == 0 || height == 0)
    return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (out_fd_ < 0)
    return;
  struct winsize size {};
  size.ws_col = width;
  size.ws_row = height;
  ::ioctl(out_fd_, TIOCSWINSZ, &size);
  // The terminal is not runc's controlling one, so the kernel tells it nothing: runc reads
  // the new size on SIGWINCH and passes it on to the container's terminal.
  if (pid_ > 0 && !exited_)
    ::kill(pid_, SIGWINCH);
}

void exec_process::kill() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (exited_)
    return;
  // The command itself (runc does not pass SIGKILL on), then runc.
  if (!opts_.pid_file.empty()) {
    std::ifstream in(opts_.pid_file);
    pid_t command = 0;
    if (in >> command && command > 1)
      ::kill(command, SIGKILL);
  }
  if (pid_ > 0)
    ::kill(pid_, SIGKILL);
}

void exec_process::notify() {
  char one = 1;
  ssize_t ignored = ::write(wake_pipe_[1], &one, 1);  // a full pipe already wakes the thread
  (void)ignored;
}

void exec_process::pump() {
  for (;;) {
    bool want_out, want_err, want_in, end_input;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_)
        break;
      want_out = out_fd_ >= 0 && out_.size() < max_buffered;
      want_err = err_fd_ >= 0 && err_.size() < max_buffered;
      want_in = in_fd_ >= 0 && !in_.empty();
      end_input = !opts_.tty && in_fd_ >= 0 && input_closed_ && in_.empty();
    }
    if (end_input)
      close_fd(in_fd_);
    if (out_fd_ < 0 && err_fd_ < 0) {
      // Every output has ended: the command is done (or has left its output to others).
      auto how = common::wait_for_exit(pid_);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        exited_ = true;
        exit_code_ = how.exit_code;
      }
      wake_();
      break;
    }
    pollfd fds[4];
    int n = 0;
    fds[n++] = {wake_pipe_[0], POLLIN, 0};
    int out_at = -1, err_at = -1, in_at = -1;
    if (want_out) {
      out_at = n;
      fds[n++] = {out_fd_, POLLIN, 0};
    }
    if (want_err) {
      err_at = n;
      fds[n++] = {err_fd_, POLLIN, 0};
    }
    if (want_in && in_fd_ != out_fd_) {
      in_at = n;
      fds[n++] = {in_fd_, POLLOUT, 0};
    } else if (want_in && out_at >= 0) {
      fds[out_at].events |= POLLOUT;  // a terminal: one descriptor both ways
      in_at = out_at;
    } else if (want_in) {
      in_at = n;
      fds[n++] = {in_fd_, POLLOUT, 0};
    }
    if (::poll(fds, n, -1) < 0 && errno != EINTR)
      break;
    if (fds[0].revents) {
      char drain[64];
      while (::read(wake_pipe_[0], drain, sizeof drain) > 0) {
      }
    }
    bool woke = false;
    auto read_from = [&](int at, int& fd, std::string& buffer) {
      if (at < 0 || !(fds[at].revents & (POLLIN | POLLHUP | POLLERR)))
        return;
      std::lock_guard<std::mutex> lock(mutex_);
      std::string got;
      bool open = read_some(fd, got, max_buffered - buffer.size());
      woke |= buffer.empty() && !got.empty();
      buffer += got;
      if (!open) {
        if (fd == in_fd_)
          in_fd_ = -1;  // a terminal's one descriptor
        close_fd(fd);
      }
    };
    if (in_at >= 0 && (fds[in_at].revents & POLLOUT) && in_fd_ >= 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      ssize_t written = ::write(in_fd_, in_.data(), in_.size());
      if (written > 0) {
        in_.erase(0, static_cast<std::size_t>(written));
        woke |= in_.empty();
      } else if (written < 0 && errno != EAGAIN && errno != EINTR) {
        in_.clear();  // the command closed its stdin: what it will not read is dropped
        input_closed_ = true;
        if (in_fd_ != out_fd_)
          close_fd(in_fd_);
      }
    } else if (in_at >= 0 && in_at != out_at && (fds[in_at].revents & (POLLERR | POLLHUP))) {
      std::lock_guard<std::mutex> lock(mutex_);
      in_.clear();
      input_closed_ = true;
      close_fd(in_fd_);
    }
    read_from(out_at, out_fd_, out_);
    read_from(err_at, err_fd_, err_);
    if (woke)
      wake_();
  }
  // Stopped (the session ended) or the command is done: nothing is left running or unclaimed.
  bool done;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    done = exited_;
  }
  if (!done) {
    kill();
    common::wait_for_exit(pid_);
    std::lock_guard<std::mutex> lock(mutex_);
    exited_ = true;
  }
  if (in_fd_ != out_fd_)
    close_fd(in_fd_);
  close_fd(out_fd_);
  close_fd(err_fd_);
  in_fd_ = -1;
}

}  // namespace capstan::nodeagent
