#include "store/snapshot_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <new>

#include "common/process.hpp"

#include "store/restore.hpp"

namespace capstan::store {

namespace {

// A frame on the pipe: a 4-byte length, then that many bytes of one encoded chunk; the end is
// the length end_of_chunks followed by the child's stats.
constexpr uint32_t end_of_chunks = 0xffffffffu;
// A child that sends nothing for this long is taken for stuck and killed.
constexpr int silence_limit_ms = 120'000;

struct wire_stats {
  uint64_t private_bytes;
  double child_seconds;
};

// ---- the child: async-signal-safe calls, malloc and encoding only --------------------------

bool write_all(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Private_Clean + Private_Dirty of this process, from /proc/self/smaps_rollup (0 if unreadable).
uint64_t private_bytes_of_self() {
  int fd = ::open("/proc/self/smaps_rollup", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  char text[4096];
  ssize_t n = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  if (n <= 0)
    return 0;
  text[n] = '\0';
  uint64_t kib = 0;
  for (const char* field : {"Private_Clean:", "Private_Dirty:"})
    if (const char* at = std::strstr(text, field))
      kib += std::strtoull(at + std::strlen(field), nullptr, 10);
  return kib * 1024;
}

// Every failure ends the child with an exit code the parent reports: running out of memory
// (operator new) at once, and an exception (Cap'n Proto's, whose segments come from calloc) in
// the catch below. Unwinding is safe here: GCC 12 on glibc 2.35+ finds unwind tables through
// _dl_find_object, which takes no lock another thread could have held at fork.
[[noreturn]] void run_child(int to_parent, pid_t parent, const cluster_state& state,
                            const std::map<const any_object*, const any_object*>& sealed) {
  std::set_new_handler([] { ::_exit(7); });
  const auto start = std::chrono::steady_clock::now();
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent)
    ::_exit(3);
  // The parent's handlers and mask are not this process's: the default actions, unblocked.
  for (int signal : {SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGUSR1, SIGUSR2})
    ::signal(signal, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // Nothing of the parent's but the pipe: no socket or file stays open because of this child.
  if (to_parent > 3)
    ::close_range(3, to_parent - 1, 0);
  ::close_range(to_parent + 1, ~0u, 0);
  try {
    const auto objects = state.all_objects();
    std::vector<const any_object*> chunk;
    chunk.reserve(snapshot_chunk_objects);
    for (std::size_t i = 0; i < objects.size(); i += snapshot_chunk_objects) {
      chunk.clear();
      for (std::size_t j = i; j < std::min(objects.size(), i + snapshot_chunk_objects); ++j) {
        auto found = sealed.find(objects[j]);
        chunk.push_back(found == sealed.end() ? objects[j] : found->second);
      }
      const std::string encoded = messages::encode_snapshot_chunk(chunk);
      if (encoded.size() >= end_of_chunks)
        ::_exit(4);
      const uint32_t size = static_cast<uint32_t>(encoded.size());
      if (!write_all(to_parent, &size, sizeof size) ||
          !write_all(to_parent, encoded.data(), encoded.size()))
        ::_exit(5);
    }
    wire_stats stats{private_bytes_of_self(),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                         .count()};
    if (!write_all(to_parent, &end_of_chunks, sizeof end_of_chunks) ||
        !write_all(to_parent, &stats, sizeof stats))
      ::_exit(5);
  } catch (...) {
    ::_exit(6);
  }
  ::_exit(0);  // no destructors, no atexit handlers: they are the parent's
}

}  // namespace

snapshot_process::snapshot_process(const event_log& log, const cluster_state& state)
    : seq_(state.seq), object_count_(state.size()) {
  // Secrets are sealed here, where OpenSSL may take its locks; the child finds the sealed
  // copies by the original's address.
  std::vector<const any_object*> secrets;
  for (const auto& [key, object] : state.of(object_kind::secret))
    secrets.push_back(&object);
  std::deque<any_object> sealed_copies;
  const auto stored = log.stored_form(secrets, sealed_copies);
  std::map<const any_object*, const any_object*> sealed;
  for (std::size_t i = 0; i < secrets.size(); ++i)
    if (stored[i] != secrets[i])
      sealed.emplace(secrets[i], stored[i]);

  struct pipe_ends {
    int fds[2] = {-1, -1};
    ~pipe_ends() {
      for (int fd : fds)
        if (fd >= 0)
          ::close(fd);
    }
  } pipe;
  if (::pipe2(pipe.fds, O_CLOEXEC) != 0)
    throw store_error(std::string("cannot start the snapshot process: pipe: ") +
                      std::strerror(errno));
  ::fcntl(pipe.fds[1], F_SETPIPE_SZ, 1 << 20);  // fewer wake-ups; 64 KiB also works
  const pid_t parent = ::getpid();
  const int to_parent = pipe.fds[1];
  // Through the process's one reaper, which would otherwise collect this child's exit.
  const pid_t pid =
      common::fork_child([&] { run_child(to_parent, parent, state, sealed); });
  if (pid < 0)
    throw snapshot_fork_error(std::string("cannot start the snapshot process: fork: ") +
                              std::strerror(errno));
  child_ = pid;
  from_child_ = pipe.fds[0];
  pipe.fds[0] = -1;  // this object's now; the write end is the child's alone
}

snapshot_process::~snapshot_process() {
  if (from_child_ >= 0)
    ::close(from_child_);
  if (child_ > 0) {
    common::signal_forked(child_, SIGKILL);
    common::wait_forked(child_);
  }
}

void snapshot_process::fail(const std::string& why) {
  // Stopped before it is awaited: a child blocked writing to a full pipe would never exit.
  common::signal_forked(child_, SIGKILL);
  common::wait_forked(child_);
  child_ = -1;
  throw store_error(why);
}

void snapshot_process::read_exactly(char* into, std::size_t size) {
  while (size > 0) {
    pollfd p{from_child_, POLLIN, 0};
    int ready = ::poll(&p, 1, silence_limit_ms);
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready < 0)
      fail(std::string("cannot read the snapshot process: ") + std::strerror(errno));
    if (ready == 0)
      fail("the snapshot process sent nothing for " + std::to_string(silence_limit_ms / 1000) +
           " s and was stopped");
    ssize_t n = ::read(from_child_, into, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      fail(std::string("cannot read the snapshot process: ") + std::strerror(errno));
    if (n == 0) {
      reap_and_check();  // the end of its output: it has exited; says how
      throw store_error("the snapshot process stopped in the middle of its output");
    }
    into += n;
    size -= static_cast<std::size_t>(n);
  }
}

void snapshot_process::reap_and_check() {
  const common::child_exit exit = common::wait_forked(child_);
  child_ = -1;
  if (exit.signal != 0)
    throw store_error("the snapshot process was killed by signal " + std::to_string(exit.signal));
  if (!exit.ok())
    throw store_error("the snapshot process failed (exit " + std::to_string(exit.exit_code) +
                      ")");
}

std::optional<std::string> snapshot_process::next_chunk() {
  if (ended_)
    return std::nullopt;
  uint32_t size = 0;
  read_exactly(reinterpret_cast<char*>(&size), sizeof size);
  if (size == end_of_chunks) {
    wire_stats stats{};
    read_exactly(reinterpret_cast<char*>(&stats), sizeof stats);
    reap_and_check();
    stats_.private_bytes = stats.private_bytes;
    stats_.child_seconds = stats.child_seconds;
    ended_ = true;
    return std::nullopt;
  }
  std::string chunk(size, '\0');
  read_exactly(chunk.data(), size);
  return chunk;
}

namespace {

// The state copied under the lock, then written in-process: what snapshots did before the
// snapshot process, for where it cannot run.
uint64_t write_copied_snapshot(
    event_log& log,
    const std::function<void(const std::function<void(const cluster_state&)>&)>& with_state,
    std::size_t keep, std::chrono::steady_clock::time_point start, snapshot_process_stats& out) {
  cluster_state copy;
  with_state([&](const cluster_state& state) { copy = state; });
  out.pause_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.forked = false;
  out.objects = copy.size();
  write_snapshot(log, copy, keep);
  return copy.seq;
}

}  // namespace

uint64_t write_snapshot_in_child(
    event_log& log,
    const std::function<void(const std::function<void(const cluster_state&)>&)>& with_state,
    std::size_t keep, snapshot_process_stats* stats) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  snapshot_process_stats out;
  uint64_t seq = 0;
#if defined(__SANITIZE_ADDRESS__)
  // GCC 12's AddressSanitizer does not hold its allocator's locks across fork(): a child forked
  // while another thread refills its cache can wait forever on that lock.
  seq = write_copied_snapshot(log, with_state, keep, start, out);
#else
  std::unique_ptr<snapshot_process> child;
  try {
    with_state([&](const cluster_state& state) {
      child = std::make_unique<snapshot_process>(log, state);
    });
  } catch (const snapshot_fork_error& e) {
    std::fprintf(stderr, "capstan: %s; this snapshot copies the state instead\n", e.what());
  }
  if (!child) {
    seq = write_copied_snapshot(log, with_state, keep, start, out);
  } else {
    out.pause_seconds = std::chrono::duration<double>(clock::now() - start).count();
    log.write_snapshot(child->seq(), child->object_count(),
                       [&] { return child->next_chunk(); }, keep);
    out.private_bytes = child->stats().private_bytes;
    out.child_seconds = child->stats().child_seconds;
    out.objects = child->object_count();
    seq = child->seq();
  }
#endif
  out.seconds = std::chrono::duration<double>(clock::now() - start).count();
  if (stats)
    *stats = out;
  return seq;
}

}  // namespace capstan::store
