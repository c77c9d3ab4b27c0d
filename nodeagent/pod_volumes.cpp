#include "nodeagent/pod_volumes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/process.hpp"

namespace capstan::nodeagent {

namespace fs = std::filesystem;
using namespace messages;

namespace {

constexpr int mount_timeout_seconds = 15;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string volume_dir(const std::string& pod_dir, const std::string& name) {
  return pod_dir + "/volumes/" + name;
}

path_kind kind_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return path_kind::missing;
  if (S_ISDIR(st.st_mode))
    return path_kind::directory;
  if (S_ISREG(st.st_mode))
    return path_kind::regular_file;
  if (S_ISSOCK(st.st_mode))
    return path_kind::socket;
  if (S_ISCHR(st.st_mode))
    return path_kind::char_device;
  if (S_ISBLK(st.st_mode))
    return path_kind::block_device;
  return path_kind::other;
}

// The mount points of this process's mount namespace (/proc/self/mountinfo's fifth field,
// with the kernel's octal escapes for spaces, tabs and backslashes undone).
std::vector<std::string> mount_points() {
  std::vector<std::string> points;
  std::istringstream in(read_file("/proc/self/mountinfo"));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root, mount_point;
    fields >> id >> parent >> device >> root >> mount_point;
    std::string unescaped;
    for (std::size_t i = 0; i < mount_point.size(); ++i) {
      if (mount_point[i] == '\\' && i + 3 < mount_point.size()) {
        unescaped.push_back(static_cast<char>(std::stoi(mount_point.substr(i + 1, 3), nullptr, 8)));
        i += 3;
      } else {
        unescaped.push_back(mount_point[i]);
      }
    }
    points.push_back(std::move(unescaped));
  }
  return points;
}

// The path with its directory's symlinks resolved; the last component itself is not looked at:
// a mount there (a user-space nfs client that hangs or has died) is never touched.
std::string canonical(const std::string& path) {
  const fs::path p = fs::path(path).lexically_normal();
  if (!p.has_parent_path() || !p.has_filename())
    return p.string();
  std::error_code ec;
  auto dir = fs::weakly_canonical(p.parent_path(), ec);
  return ec ? p.string() : (dir / p.filename()).string();
}

// Whether `path` is a mount point in this process's mount namespace.
bool is_mount_point(const std::string& path) {
  const auto target = canonical(path);
  for (const auto& p : mount_points())
    if (p == target)
      return true;
  return false;
}

// The mount points at or under `dir`, deepest first.
std::vector<std::string> mounts_under(const std::string& dir) {
  const auto base = canonical(dir);
  std::vector<std::string> found;
  for (auto& p : mount_points())
    if (p == base || p.rfind(base + "/", 0) == 0)
      found.push_back(std::move(p));
  std::sort(found.begin(), found.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return found;
}

std::string kernel_release() {
  struct utsname u {};
  return ::uname(&u) == 0 ? u.release : "";
}

// The node's NFS support, read once per attempt (cheap: two stats and one small file).
std::string nfs_support_problem() {
  const std::string release = kernel_release();
  bool module = false;
  std::error_code ec;
  for (const char* name : {"nfs.ko", "nfs.ko.xz", "nfs.ko.zst", "nfs.ko.gz"})
    module |= fs::exists("/lib/modules/" + release + "/kernel/fs/nfs/" + name, ec);
  bool helper = fs::exists("/sbin/mount.nfs", ec) || fs::exists("/usr/sbin/mount.nfs", ec);
  return nfs_unsupported_reason(read_file("/proc/filesystems"), module, helper, release);
}

// This process's binary (the agent's capstan-node), "" when /proc does not say.
std::string own_binary() {
  char path[4096];
  ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  return n > 0 ? std::string(path, static_cast<std::size_t>(n)) : std::string();
}

// Whether the file system at `target` answers: a stat, by a process of its own bounded by
// 5 s (a hung user-space client holds that process, not the caller). A user-space client that
// died leaves a mount that answers ENOTCONN, which a kernel mount never does.
bool mount_answers(const std::string& target) {
  return common::run_process({"timeout", "-k", "1", "5", "stat", "-c", "%i", "--", target}).ok();
}

std::string set_up_nfs(const nfs_volume_source& nfs, const std::string& target) {
  if (is_mount_point(target)) {
    if (mount_answers(target))
      return "";
    common::run_process({"umount", "-l", target});  // mounted again below
    if (is_mount_point(target))
      return "the volume's mount at " + target + " does not answer and cannot be unmounted";
  }
  fs::create_directories(target);
  // The kernel's client when the node has one, else the agent's own in user space.
  std::vector<std::string> argv;
  const std::string kernel_problem = nfs_support_problem();
  if (kernel_problem.empty()) {
    argv = nfs_mount_command(nfs, target, mount_timeout_seconds);
  } else {
    const std::string binary = own_binary();
    if (binary.empty())
      return "this node cannot mount NFS: its kernel has no NFS client and the agent cannot "
             "find its own binary for a mount in user space";
    argv = nfs_user_mount_command(nfs, target, mount_timeout_seconds, binary);
  }
  auto r = common::run_process(argv);
  if (r.ok())
    return "";
  std::string output = r.output.substr(0, 512);
  while (!output.empty() && (output.back() == '\n' || output.back() == ' '))
    output.pop_back();
  std::string why = r.exit_code == 124 ? "mount timed out after " +
                                             std::to_string(mount_timeout_seconds) + " s"
                                       : "mount failed: exit status " + std::to_string(r.exit_code);
  // In user space: say why the kernel's client was not used (the event tells it as it is).
  if (!kernel_problem.empty())
    why += " (mounted in user space, as " + kernel_problem + ")";
  // As the kubelet words it: the command's arguments without "timeout -k 5 N COMMAND".
  return why + "\nMounting command: " + argv[4] + "\nMounting arguments: " +
         common::command_line(std::vector<std::string>(argv.begin() + 5, argv.end())) +
         "\nOutput: " + output;
}

std::string set_up_host_path(const host_path_volume_source& hp) {
  path_kind kind = kind_of(hp.path);
  if (auto problem = host_path_type_problem(hp.type, hp.path, kind); !problem.empty())
    return problem;
  if (kind != path_kind::missing)
    return "";
  if (hp.type == "DirectoryOrCreate") {
    std::error_code ec;
    fs::create_directories(hp.path, ec);
    if (ec)
      return "hostPath type check failed: cannot create directory " + hp.path + ": " +
             ec.message();
  } else if (hp.type == "FileOrCreate") {
    int fd = ::open(hp.path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      return "hostPath type check failed: cannot create file " + hp.path + ": " +
             std::string(std::strerror(errno));
    ::close(fd);
  }
  return "";
}

}  // namespace

std::chrono::milliseconds mount_retry_delay(int failures) {
  constexpr std::chrono::milliseconds initial{500}, ceiling{122000};
  auto delay = initial;
  for (int i = 1; i < failures && delay < ceiling; ++i)
    delay *= 2;
  return std::min(delay, ceiling);
}

std::string nfs_unsupported_reason(const std::string& proc_filesystems, bool nfs_module_present,
                                   bool mount_helper_installed, const std::string& release) {
  bool built_in = false;
  std::istringstream in(proc_filesystems);
  std::string line;
  while (std::getline(in, line)) {
    auto tab = line.rfind('\t');
    std::string name = tab == std::string::npos ? line : line.substr(tab + 1);
    built_in |= name == "nfs" || name == "nfs4";
  }
  if (!built_in && !nfs_module_present)
    return "this node cannot mount NFS: its kernel (" + release +
           ") has no NFS client (no nfs in /proc/filesystems and no nfs module in /lib/modules/" +
           release + ")";
  if (!mount_helper_installed)
    return "this node cannot mount NFS: mount.nfs is not installed (apt-get install nfs-common)";
  return "";
}

std::vector<std::string> nfs_mount_command(const nfs_volume_source& nfs,
                                           const std::string& target, int timeout_seconds) {
  std::string options = std::string(nfs.read_only ? "ro" : "rw") + ",soft,retry=0,timeo=50,retrans=1";
  // An IPv6 server is written in brackets, as mount.nfs expects.
  std::string server = nfs.server.find(':') != std::string::npos && nfs.server.front() != '['
                           ? "[" + nfs.server + "]"
                           : nfs.server;
  return {"timeout", "-k", "5", std::to_string(timeout_seconds), "mount", "-t", "nfs", "-o",
          options, "--", server + ":" + nfs.path, target};
}

std::vector<std::string> nfs_user_mount_command(const nfs_volume_source& nfs,
                                                const std::string& target, int timeout_seconds,
                                                const std::string& agent_binary) {
  std::vector<std::string> argv = {"timeout", "-k", "5", std::to_string(timeout_seconds),
                                   agent_binary, "nfs-mount"};
  if (nfs.read_only)
    argv.push_back("--read-only");
  argv.push_back("--");
  for (const auto& word : {nfs.server, nfs.path, target})
    argv.push_back(word);
  return argv;
}

std::string host_path_type_problem(const std::string& type, const std::string& path,
                                   path_kind kind) {
  auto failed = [&](const std::string& what) {
    return "hostPath type check failed: " + path + " is not " + what;
  };
  if (type.empty())
    return "";
  if (type == "DirectoryOrCreate")
    return kind == path_kind::missing || kind == path_kind::directory ? "" : failed("a directory");
  if (type == "Directory")
    return kind == path_kind::directory ? "" : failed("a directory");
  if (type == "FileOrCreate")
    return kind == path_kind::missing || kind == path_kind::regular_file ? "" : failed("a file");
  if (type == "File")
    return kind == path_kind::regular_file ? "" : failed("a file");
  if (type == "Socket")
    return kind == path_kind::socket ? "" : failed("a socket file");
  if (type == "CharDevice")
    return kind == path_kind::char_device ? "" : failed("a character device");
  if (type == "BlockDevice")
    return kind == path_kind::block_device ? "" : failed("a block device");
  return "hostPath type check failed: unknown type " + type;
}

std::string config_file_path_problem(const std::string& path) {
  if (path.empty())
    return "empty file path";
  if (path[0] == '/')
    return "file path " + path + " is absolute";
  if (path.rfind("..", 0) == 0)
    return "file path " + path + " starts with '..'";
  if (path.size() > 4096 || path.find('\0') != std::string::npos)
    return "file path is too long or holds NUL";
  for (std::size_t start = 0; start <= path.size();) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos)
      end = path.size();
    const std::string part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..")
      return "file path " + path + " has a component \"" + part + "\"";
    start = end + 1;
  }
  return "";
}

std::string write_config_volume(const std::string& dir, const std::vector<volume_file>& files) {
  try {
    for (const auto& f : files)
      if (auto problem = config_file_path_problem(f.path); !problem.empty())
        return problem;
    fs::create_directories(dir);
    const auto stamp = std::chrono::system_clock::now().time_since_epoch().count();
    const std::string data_name = ".." + std::to_string(stamp);
    const std::string data_dir = dir + "/" + data_name;
    fs::create_directory(data_dir);
    ::chmod(data_dir.c_str(), 0755);
    // A write that fails (a full tmpfs, say) leaves nothing behind: the next try starts clean.
    struct partial_data {
      std::string path;
      bool done = false;
      ~partial_data() {
        std::error_code ignored;
        if (!done)
          fs::remove_all(path, ignored);
      }
    } partial{data_dir};
    std::set<std::string> top_level;
    for (const auto& f : files) {
      const std::string target = data_dir + "/" + f.path;
      fs::create_directories(fs::path(target).parent_path());
      int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0)
        return "cannot write " + f.path + ": " + std::strerror(errno);
      std::size_t written = 0;
      while (written < f.bytes.size()) {
        ssize_t n = ::write(fd, f.bytes.data() + written, f.bytes.size() - written);
        if (n < 0 && errno == EINTR)
          continue;
        if (n <= 0)
          break;
        written += static_cast<std::size_t>(n);
      }
      // Permission bits only: no setuid, setgid or sticky bit from what the master sent.
      const bool ok = written == f.bytes.size() && ::fchmod(fd, f.mode & 0777) == 0;
      ::close(fd);
      if (!ok)
        return "cannot write " + f.path + ": " + std::strerror(errno);
      top_level.insert(f.path.substr(0, f.path.find('/')));
    }
    // The swap: a new link to the new data, renamed over ..data in one step.
    const std::string link_tmp = dir + "/..data_tmp";
    ::unlink(link_tmp.c_str());
    if (::symlink(data_name.c_str(), link_tmp.c_str()) != 0 ||
        ::rename(link_tmp.c_str(), (dir + "/..data").c_str()) != 0)
      return std::string("cannot switch to the new data: ") + std::strerror(errno);
    partial.done = true;  // ..data points at it now
    for (const auto& name : top_level) {
      const std::string link = dir + "/" + name;
      struct stat st {};
      if (::lstat(link.c_str(), &st) != 0 &&
          ::symlink(("..data/" + name).c_str(), link.c_str()) != 0)
        return "cannot link " + name + ": " + std::strerror(errno);
    }
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("..", 0) == 0) {
        if (name != "..data" && name != data_name)
          fs::remove_all(entry.path());  // an older data directory
      } else if (!top_level.count(name) && fs::is_symlink(entry.symlink_status())) {
        fs::remove(entry.path());  // a key that is gone
      }
    }
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

std::string mount_secret_volume(const std::string& dir) {
  try {
    fs::create_directories(dir);
    if (is_mount_point(dir))
      return "";
    // A directory with files already is a volume an older agent set up on disk, bound into
    // containers that run: mounting over it would hide what they see. It stays as it is.
    if (!fs::is_empty(dir))
      return "";
    auto r = common::run_process(
        {"mount", "-t", "tmpfs", "-o", "mode=0755,nosuid,nodev", "capstan-secret", dir});
    if (r.exit_code != 0 || !is_mount_point(dir))
      return "cannot mount a tmpfs for the secret: " +
             (r.output.empty() ? std::string("mount failed") : r.output);
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

bool is_config_volume(const pod& p, const std::string& name) {
  return std::any_of(p.spec.volumes.begin(), p.spec.volumes.end(), [&](const volume& v) {
    return v.name == name && (v.secret || v.config_map);
  });
}

std::optional<volume_failure> set_up_volumes(const pod& p, const std::string& pod_dir) {
  for (const auto& v : p.spec.volumes) {
    std::string problem;
    try {
      if (v.host_path)
        problem = set_up_host_path(*v.host_path);
      else if (v.nfs)
        problem = set_up_nfs(*v.nfs, volume_dir(pod_dir, v.name));
      else
        fs::create_directories(volume_dir(pod_dir, v.name));
    } catch (const std::exception& e) {
      problem = e.what();
    }
    if (!problem.empty())
      return volume_failure{v.name, "MountVolume.SetUp failed for volume \"" + v.name +
                                        "\" : " + problem};
  }
  return std::nullopt;
}

bool has_slow_volumes(const pod& p) {
  for (const auto& v : p.spec.volumes)
    if (v.nfs)
      return true;
  return false;
}

bool tear_down_volumes(const pod& p, const std::string& pod_dir) {
  bool all = true;
  for (const auto& v : p.spec.volumes) {
    if (!v.nfs)
      continue;
    std::string target = volume_dir(pod_dir, v.name);
    if (!is_mount_point(target))
      continue;
    common::run_process({"umount", "-l", target});
    all &= !is_mount_point(target);
  }
  return all;
}

bool remove_pod_dir(const std::string& pod_dir) {
  try {
    for (const auto& m : mounts_under(pod_dir))
      common::run_process({"umount", "-l", m});
    if (!mounts_under(pod_dir).empty())
      return false;
    std::error_code ignored;
    fs::remove_all(pod_dir, ignored);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace capstan::nodeagent
