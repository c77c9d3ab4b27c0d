// Tests nodeagent/pod_volumes.cpp: the mount back-off, what the node needs to mount NFS, the
// mount command, Kubernetes' hostPath type checks, and setting up a pod's volumes on this
// machine (temporary directories; an nfs volume fails here with the reason in the event's words).
#include <boost/test/unit_test.hpp>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/process.hpp"
#include "nodeagent/pod_volumes.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::nodeagent;
namespace fs = std::filesystem;
using std::chrono::milliseconds;

namespace {

// A fresh directory under /tmp, removed at the end of the test.
struct temp_dir {
  std::string path;
  temp_dir() {
    char name[] = "/tmp/capstan-volumes-XXXXXX";
    path = ::mkdtemp(name);
  }
  ~temp_dir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

messages::volume host_path(const std::string& name, const std::string& path,
                           const std::string& type) {
  messages::volume v;
  v.name = name;
  v.host_path = messages::host_path_volume_source{path, type};
  return v;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_failed_mount_is_retried_after_half_a_second_doubling_to_two_minutes) {
  BOOST_TEST(mount_retry_delay(1).count() == 500);
  BOOST_TEST(mount_retry_delay(2).count() == 1000);
  BOOST_TEST(mount_retry_delay(3).count() == 2000);
  BOOST_TEST(mount_retry_delay(8).count() == 64000);
  BOOST_TEST(mount_retry_delay(9).count() == 122000);
  BOOST_TEST(mount_retry_delay(1000).count() == 122000);
}

BOOST_AUTO_TEST_CASE(nfs_needs_a_kernel_client_and_mount_nfs) {
  const std::string without = "nodev\tsysfs\nnodev\tproc\n\text4\n";
  const std::string with = without + "nodev\tnfs\nnodev\tnfs4\n";
  auto no_kernel = nfs_unsupported_reason(without, false, true, "6.1.0");
  BOOST_TEST(no_kernel.find("kernel (6.1.0) has no NFS client") != std::string::npos);
  BOOST_TEST(nfs_unsupported_reason(without, true, true, "6.1.0") == "");  // a loadable module
  BOOST_TEST(nfs_unsupported_reason(with, false, true, "6.1.0") == "");
  auto no_helper = nfs_unsupported_reason(with, false, false, "6.1.0");
  BOOST_TEST(no_helper.find("apt-get install nfs-common") != std::string::npos);
  // "nfsd" (the server) is not a client.
  BOOST_TEST(nfs_unsupported_reason(without + "nodev\tnfsd\n", false, true, "6.1.0") != "");
}

BOOST_AUTO_TEST_CASE(the_nfs_mount_is_soft_bounded_and_read_only_when_asked) {
  messages::nfs_volume_source nfs{"127.0.0.2", "/exports/www", true};
  auto argv = nfs_mount_command(nfs, "/data/pods/u/volumes/www", 15);
  BOOST_TEST((argv == std::vector<std::string>{"timeout", "-k", "5", "15", "mount", "-t", "nfs",
                                               "-o", "ro,soft,retry=0,timeo=50,retrans=1", "--",
                                               "127.0.0.2:/exports/www",
                                               "/data/pods/u/volumes/www"}));
  nfs.read_only = false;
  nfs.server = "2001:db8::7";
  argv = nfs_mount_command(nfs, "/t", 15);
  BOOST_TEST(argv[8].rfind("rw,", 0) == 0);
  BOOST_TEST(argv[10] == "[2001:db8::7]:/exports/www");
}

BOOST_AUTO_TEST_CASE(without_a_kernel_client_the_agent_mounts_nfs_itself_bounded_the_same_way) {
  messages::nfs_volume_source nfs{"127.0.0.2", "/exports/www", true};
  auto argv = nfs_user_mount_command(nfs, "/data/pods/u/volumes/www", 15, "/usr/bin/capstan-node");
  BOOST_TEST((argv == std::vector<std::string>{"timeout", "-k", "5", "15", "/usr/bin/capstan-node",
                                               "nfs-mount", "--read-only", "--", "127.0.0.2",
                                               "/exports/www", "/data/pods/u/volumes/www"}));
  // A path that looks like an option stays an operand (after "--").
  nfs.read_only = false;
  nfs.server = "--foreground";
  argv = nfs_user_mount_command(nfs, "/t", 15, "/b");
  BOOST_TEST((argv == std::vector<std::string>{"timeout", "-k", "5", "15", "/b", "nfs-mount", "--",
                                               "--foreground", "/exports/www", "/t"}));
}

BOOST_AUTO_TEST_CASE(host_path_types_are_checked_as_kubernetes_does) {
  BOOST_TEST(host_path_type_problem("", "/x", path_kind::missing) == "");
  BOOST_TEST(host_path_type_problem("DirectoryOrCreate", "/x", path_kind::missing) == "");
  BOOST_TEST(host_path_type_problem("DirectoryOrCreate", "/x", path_kind::regular_file) ==
             "hostPath type check failed: /x is not a directory");
  BOOST_TEST(host_path_type_problem("Directory", "/x", path_kind::missing) ==
             "hostPath type check failed: /x is not a directory");
  BOOST_TEST(host_path_type_problem("Directory", "/x", path_kind::directory) == "");
  BOOST_TEST(host_path_type_problem("FileOrCreate", "/x", path_kind::missing) == "");
  BOOST_TEST(host_path_type_problem("FileOrCreate", "/x", path_kind::directory) ==
             "hostPath type check failed: /x is not a file");
  BOOST_TEST(host_path_type_problem("File", "/x", path_kind::regular_file) == "");
  BOOST_TEST(host_path_type_problem("File", "/x", path_kind::missing) ==
             "hostPath type check failed: /x is not a file");
  BOOST_TEST(host_path_type_problem("Socket", "/x", path_kind::socket) == "");
  BOOST_TEST(host_path_type_problem("Socket", "/x", path_kind::regular_file) ==
             "hostPath type check failed: /x is not a socket file");
  BOOST_TEST(host_path_type_problem("CharDevice", "/dev/null", path_kind::char_device) == "");
  BOOST_TEST(host_path_type_problem("CharDevice", "/x", path_kind::block_device) ==
             "hostPath type check failed: /x is not a character device");
  BOOST_TEST(host_path_type_problem("BlockDevice", "/x", path_kind::char_device) ==
             "hostPath type check failed: /x is not a block device");
}

BOOST_AUTO_TEST_CASE(volumes_are_set_up_on_the_node_or_the_first_failure_is_named) {
  temp_dir tmp;
  const std::string pod_dir = tmp.path + "/pods/uid-web";
  auto p = test::small_pod("web");
  messages::volume cache;
  cache.name = "cache";  // emptyDir
  p.spec.volumes = {cache, host_path("made", tmp.path + "/made/here", "DirectoryOrCreate"),
                    host_path("file", tmp.path + "/conf", "FileOrCreate"),
                    host_path("dev", "/dev/null", "CharDevice"),
                    host_path("plain", tmp.path + "/anything", "")};
  BOOST_TEST(!set_up_volumes(p, pod_dir).has_value());
  BOOST_TEST(fs::is_directory(pod_dir + "/volumes/cache"));
  BOOST_TEST(fs::is_directory(tmp.path + "/made/here"));
  BOOST_TEST(fs::is_regular_file(tmp.path + "/conf"));
  BOOST_TEST(!fs::exists(tmp.path + "/anything"));  // no type: not the volume's to create
  BOOST_TEST(!set_up_volumes(p, pod_dir).has_value());  // again: nothing changes

  // A Directory that is a file: named, with Kubernetes' words; nothing after it is set up.
  p.spec.volumes = {host_path("data", tmp.path + "/conf", "Directory"),
                    host_path("later", tmp.path + "/later", "DirectoryOrCreate")};
  auto failure = set_up_volumes(p, pod_dir);
  BOOST_REQUIRE(failure.has_value());
  BOOST_TEST(failure->volume == "data");
  BOOST_TEST(failure->message == "MountVolume.SetUp failed for volume \"data\" : hostPath type "
                                 "check failed: " + tmp.path + "/conf is not a directory");
  BOOST_TEST(!fs::exists(tmp.path + "/later"));

  // It passes once the directory is there.
  p.spec.volumes = {host_path("data", tmp.path + "/dir", "Directory")};
  BOOST_TEST(set_up_volumes(p, pod_dir).has_value());
  fs::create_directories(tmp.path + "/dir");
  BOOST_TEST(!set_up_volumes(p, pod_dir).has_value());

  // A socket.
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string socket_path = tmp.path + "/s.sock";
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_path.c_str());
  BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  p.spec.volumes = {host_path("sock", socket_path, "Socket")};
  BOOST_TEST(!set_up_volumes(p, pod_dir).has_value());
  p.spec.volumes = {host_path("sock", socket_path, "File")};
  BOOST_TEST(set_up_volumes(p, pod_dir).has_value());
  ::close(fd);
}

BOOST_AUTO_TEST_CASE(an_nfs_volume_the_node_cannot_mount_fails_with_the_reason) {
  temp_dir tmp;
  auto p = test::small_pod("web");
  messages::volume share;
  share.name = "share";
  // No NFS server listens on this machine. Where the machine has an NFS client the
  // mount itself fails (soft, one try, within the timeout); where it has none (these machines)
  // the reason says so before any mount is tried.
  share.nfs = messages::nfs_volume_source{"127.0.0.1", "/exports", true};
  p.spec.volumes = {share};
  auto failure = set_up_volumes(p, tmp.path + "/pods/uid-web");
  BOOST_REQUIRE(failure.has_value());
  BOOST_TEST(failure->volume == "share");
  BOOST_TEST(failure->message.rfind("MountVolume.SetUp failed for volume \"share\" : ", 0) == 0);
  bool explained = failure->message.find("cannot mount NFS") != std::string::npos ||
                   failure->message.find("mount failed: exit status") != std::string::npos ||
                   failure->message.find("mount timed out") != std::string::npos;
  BOOST_TEST(explained, failure->message);
  // Nothing is left mounted; tearing down is a no-op that succeeds, and the directory goes.
  BOOST_TEST(tear_down_volumes(p, tmp.path + "/pods/uid-web"));
  BOOST_TEST(remove_pod_dir(tmp.path + "/pods/uid-web"));
  BOOST_TEST(!fs::exists(tmp.path + "/pods/uid-web"));
}

// The danger remove_pod_dir guards against: a pod directory with a volume still mounted in it
// (an NFS share; here a bind mount of a "server" directory). Removing the pod must not delete
// the server's files: the mount is lazily unmounted first, then the directory goes.
BOOST_AUTO_TEST_CASE(removing_a_pod_never_deletes_through_a_mount) {
  BOOST_REQUIRE_MESSAGE(::geteuid() == 0, "needs root to mount (the suite runs as root)");
  temp_dir tmp;
  const std::string server = tmp.path + "/server", pod_dir = tmp.path + "/pods/uid-web";
  const std::string target = pod_dir + "/volumes/share";
  fs::create_directories(server);
  fs::create_directories(target);
  std::ofstream(server + "/precious") << "the server's data";
  BOOST_REQUIRE(common::run_process({"mount", "--bind", server, target}).ok());
  BOOST_REQUIRE(fs::exists(target + "/precious"));
  BOOST_TEST(remove_pod_dir(pod_dir));
  BOOST_TEST(!fs::exists(pod_dir));
  BOOST_TEST(fs::exists(server + "/precious"));  // untouched
  common::run_process({"umount", "-l", target});  // in case the test failed before
}

namespace {

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

BOOST_AUTO_TEST_CASE(config_file_paths_stay_inside_the_volume) {
  BOOST_TEST(config_file_path_problem("password").empty());
  BOOST_TEST(config_file_path_problem("conf/app.ini").empty());
  BOOST_TEST(!config_file_path_problem("").empty());
  BOOST_TEST(!config_file_path_problem("/etc/passwd").empty());
  BOOST_TEST(!config_file_path_problem("../escape").empty());
  BOOST_TEST(!config_file_path_problem("a/../../escape").empty());
  BOOST_TEST(!config_file_path_problem("..data").empty());
  BOOST_TEST(!config_file_path_problem("a//b").empty());
  BOOST_TEST(!config_file_path_problem("a/./b").empty());
}

BOOST_AUTO_TEST_CASE(a_config_volume_is_written_and_swapped_atomically) {
  temp_dir dir;
  const std::string volume = dir.path + "/creds";
  BOOST_TEST(write_config_volume(volume, {{"password", 0400, "one"}, {"conf/app.ini", 0644, "x=1"}})
                 .empty());
  BOOST_TEST(file_text(volume + "/password") == "one");
  BOOST_TEST(file_text(volume + "/conf/app.ini") == "x=1");
  BOOST_TEST(fs::is_symlink(volume + "/password"));
  BOOST_TEST(fs::is_symlink(volume + "/..data"));
  struct stat st {};
  BOOST_TEST_REQUIRE(::stat((volume + "/password").c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 07777) == 0400u);
  // New content: a key changes, one goes, one comes; one data directory is left.
  BOOST_TEST(write_config_volume(volume, {{"password", 0400, "two"}, {"token", 0600, "t"}}).empty());
  BOOST_TEST(file_text(volume + "/password") == "two");
  BOOST_TEST(file_text(volume + "/token") == "t");
  BOOST_TEST(!fs::exists(fs::symlink_status(volume + "/conf")));
  int data_dirs = 0;
  for (const auto& entry : fs::directory_iterator(volume)) {
    const auto name = entry.path().filename().string();
    if (name.rfind("..", 0) == 0 && name != "..data")
      ++data_dirs;
  }
  BOOST_TEST(data_dirs == 1);
  // A write that fails half-way ("a" a file, then "a/b" inside it) leaves no data directory.
  BOOST_TEST(!write_config_volume(volume, {{"a", 0644, "x"}, {"a/b", 0644, "y"}}).empty());
  int after_failure = 0;
  for (const auto& entry : fs::directory_iterator(volume)) {
    const auto name = entry.path().filename().string();
    if (name.rfind("..", 0) == 0 && name != "..data")
      ++after_failure;
  }
  BOOST_TEST(after_failure == 1);
  BOOST_TEST(file_text(volume + "/password") == "two");
  // A path that climbs out is refused and nothing changes.
  BOOST_TEST(!write_config_volume(volume, {{"../outside", 0644, "x"}}).empty());
  BOOST_TEST(!fs::exists(dir.path + "/outside"));
  BOOST_TEST(file_text(volume + "/password") == "two");
}
