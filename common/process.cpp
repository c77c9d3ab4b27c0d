#include "common/process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace capstan::common {

namespace {

std::vector<char*> c_args(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  return args;
}

process_result spawn_and_wait(const std::vector<std::string>& argv, int out_fd, bool capture,
                              int read_fd) {
  auto args = c_args(argv);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 2);
  if (capture)
    posix_spawn_file_actions_addclose(&actions, read_fd);
  pid_t pid = 0;
  int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  process_result result;
  if (spawned != 0) {
    result.output = "cannot run " + argv[0];
    return result;
  }
  if (capture) {
    close(out_fd);
    char buffer[4096];
    ssize_t n;
    while ((n = read(read_fd, buffer, sizeof buffer)) > 0)
      result.output.append(buffer, static_cast<std::size_t>(n));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace

process_result run_process(const std::vector<std::string>& argv) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0)
    return {-1, "no pipe"};
  auto result = spawn_and_wait(argv, pipe_fds[1], true, pipe_fds[0]);
  close(pipe_fds[0]);
  if (result.exit_code == -1)
    close(pipe_fds[1]);
  return result;
}

process_result run_process_logging_to(const std::vector<std::string>& argv,
                                      const std::string& log_path) {
  int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0)
    return {-1, "cannot open " + log_path};
  auto result = spawn_and_wait(argv, fd, false, -1);
  close(fd);
  return result;
}

pid_t start_process(const std::vector<std::string>& argv) {
  auto args = c_args(argv);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return spawned == 0 ? pid : -1;
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& a : argv)
    line += (line.empty() ? "" : " ") + a;
  return line;
}

}  // namespace capstan::common
