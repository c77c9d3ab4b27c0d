// Tests nodeagent/runc_bundle.cpp: image references, the host directories volumes mount, and
// the runc config a container gets (command/args, env, namespaces, cgroup limits as seed 000
// computes them).
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "nodeagent/runc_bundle.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::nodeagent;

namespace {

// What umoci unpack writes, reduced to the parts the runtime changes.
const char* const base = R"({
  "process": {"terminal": true, "args": ["/entry", "default"], "env": ["PATH=/bin", "A=image"],
              "cwd": "/", "capabilities": {"bounding": ["CAP_KILL"], "inheritable": []}},
  "root": {"path": "rootfs"},
  "hostname": "umoci",
  "mounts": [],
  "linux": {"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "mount"}]}
})";

}  // namespace

BOOST_AUTO_TEST_CASE(image_references_default_to_latest_and_drop_docker_hub_prefixes) {
  BOOST_TEST((image_reference("nginx") == std::make_pair(std::string("nginx"), std::string("latest"))));
  BOOST_TEST((image_reference("kubeguide/redis-master:v2") ==
              std::make_pair(std::string("kubeguide/redis-master"), std::string("v2"))));
  BOOST_TEST((image_reference("docker.io/library/nginx:1.25") ==
              std::make_pair(std::string("nginx"), std::string("1.25"))));
  BOOST_TEST((image_reference("127.0.0.1:5000/busybox") ==
              std::make_pair(std::string("127.0.0.1:5000/busybox"), std::string("latest"))));
}

BOOST_AUTO_TEST_CASE(a_container_config_has_the_pods_namespace_limits_env_and_mounts) {
  auto p = test::small_pod("web");
  auto& c = p.spec.containers[0];
  c.command = {"/bin/sh", "-c"};
  c.args = {"echo hi"};
  c.env = {{"A", "spec", {}}, {"GET_HOSTS_FROM", "env", {}}};
  c.resources.limits["cpu"] = *messages::quantity::parse("500m");
  c.resources.limits["memory"] = *messages::quantity::parse("128Mi");
  c.resources.requests["cpu"] = *messages::quantity::parse("250m");
  auto cfg = nlohmann::json::parse(container_config(base, p, c, "/run/netns/cp-1", "/capstan/x/web",
                                                    {{"/data/vol", "/cache", false},
                                                     {"/srv/conf", "/etc/conf", true}}));
  BOOST_TEST(cfg["process"]["terminal"] == false);
  BOOST_TEST((cfg["process"]["args"] ==
              nlohmann::json::array({"/bin/sh", "-c", "echo hi"})));  // command + args
  auto env = cfg["process"]["env"].get<std::vector<std::string>>();
  BOOST_TEST((std::count(env.begin(), env.end(), "A=spec") == 1));
  BOOST_TEST((std::count(env.begin(), env.end(), "A=image") == 0));  // the spec wins
  BOOST_TEST((std::count(env.begin(), env.end(), "GET_HOSTS_FROM=env") == 1));
  BOOST_TEST(cfg["hostname"] == "web");
  BOOST_TEST(cfg["linux"]["namespaces"][1]["path"] == "/run/netns/cp-1");
  BOOST_TEST(!cfg["linux"]["namespaces"][0].contains("path"));
  BOOST_TEST(cfg["linux"]["cgroupsPath"] == "/capstan/x/web");
  // Seed 000: shares = cpu x 1024 (of the request); the limit is a quota per 100 ms.
  BOOST_TEST(cfg["linux"]["resources"]["cpu"]["shares"] == 256);
  BOOST_TEST(cfg["linux"]["resources"]["cpu"]["quota"] == 50000);
  BOOST_TEST(cfg["linux"]["resources"]["cpu"]["period"] == 100000);
  BOOST_TEST(cfg["linux"]["resources"]["memory"]["limit"] == 128 * 1024 * 1024);
  BOOST_TEST(cfg["mounts"][0]["source"] == "/data/vol");
  BOOST_TEST(cfg["mounts"][0]["destination"] == "/cache");
  BOOST_TEST((cfg["mounts"][0]["options"] == nlohmann::json::array({"rbind", "rw"})));
  BOOST_TEST((cfg["mounts"][1]["options"] == nlohmann::json::array({"rbind", "ro"})));
  auto caps = cfg["process"]["capabilities"]["bounding"].get<std::vector<std::string>>();
  BOOST_TEST((std::count(caps.begin(), caps.end(), "CAP_CHOWN") == 1));
}

BOOST_AUTO_TEST_CASE(args_alone_keep_the_image_entrypoint) {
  auto p = test::small_pod("web");
  auto& c = p.spec.containers[0];
  c.args = {"--port", "8080"};
  auto cfg = nlohmann::json::parse(container_config(base, p, c, "/run/netns/x", "/c", {}));
  BOOST_TEST((cfg["process"]["args"] == nlohmann::json::array({"/entry", "--port", "8080"})));
}

BOOST_AUTO_TEST_CASE(empty_dirs_live_with_the_pod_and_host_paths_are_the_nodes) {
  auto p = test::small_pod("web");
  p.spec.volumes.resize(2);
  p.spec.volumes[0].name = "cache";  // emptyDir
  p.spec.volumes[1].name = "host";
  p.spec.volumes[1].host_path = messages::host_path_volume_source{};
  p.spec.volumes[1].host_path->path = "/var/lib/data";
  auto& c = p.spec.containers[0];
  c.volume_mounts.resize(3);
  c.volume_mounts[0].name = "host";
  c.volume_mounts[0].mount_path = "/data";
  c.volume_mounts[1].name = "missing";  // names no volume of the pod
  c.volume_mounts[1].mount_path = "/nowhere";
  c.volume_mounts[2].name = "cache";
  c.volume_mounts[2].mount_path = "/cache";
  auto mounts = volume_mounts("/data/pods/uid-web", p, c);
  BOOST_TEST((mounts == std::vector<bind_mount>{{"/var/lib/data", "/data", false},
                                                {"/data/pods/uid-web/volumes/cache", "/cache", false}}));
}

BOOST_AUTO_TEST_CASE(nfs_volumes_are_mounted_with_the_pod_and_read_only_when_asked) {
  auto p = test::small_pod("web");
  p.spec.volumes.resize(2);
  p.spec.volumes[0].name = "share";
  p.spec.volumes[0].nfs = messages::nfs_volume_source{"nfs.example", "/exports", true};
  p.spec.volumes[1].name = "cache";  // emptyDir
  auto& c = p.spec.containers[0];
  c.volume_mounts.resize(2);
  c.volume_mounts[0].name = "share";
  c.volume_mounts[0].mount_path = "/share";
  c.volume_mounts[1].name = "cache";
  c.volume_mounts[1].mount_path = "/cache";
  c.volume_mounts[1].read_only = true;  // the mount's own readOnly
  auto mounts = volume_mounts("/data/pods/uid-web", p, c);
  BOOST_TEST((mounts == std::vector<bind_mount>{{"/data/pods/uid-web/volumes/share", "/share", true},
                                                {"/data/pods/uid-web/volumes/cache", "/cache", true}}));
}
