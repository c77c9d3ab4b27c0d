// Tests actors/nodes/config_volumes.cpp: a secret or configMap volume's files (all keys, or
// items with their paths and modes), optional volumes, and FailedMount reasons.
#include <boost/test/unit_test.hpp>

#include "actors/nodes/config_volumes.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;

namespace {

messages::pod pod_with(messages::volume v) {
  auto p = small_pod("web", "team-a");
  p.spec.volumes.push_back(std::move(v));
  return p;
}

messages::volume secret_volume(const std::string& secret_name) {
  messages::volume v;
  v.name = "creds";
  v.secret.emplace();
  v.secret->secret_name = secret_name;
  v.secret->default_mode = 0400;
  return v;
}

messages::secret db_secret() {
  messages::secret s;
  s.metadata.name = "db";
  s.metadata.namespace_ = "team-a";
  s.data = {{"password", "hunter2"}, {"user", "app"}};
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_key_is_a_file_with_the_default_mode) {
  auto out = config_volumes_of(pod_with(secret_volume("db")), state_with({db_secret()}));
  BOOST_TEST_REQUIRE(std::holds_alternative<std::vector<messages::config_volume>>(out));
  const auto& volumes = std::get<std::vector<messages::config_volume>>(out);
  BOOST_TEST_REQUIRE(volumes.size() == 1u);
  BOOST_TEST(volumes[0].volume == "creds");
  BOOST_TEST(volumes[0].pod_uid == "uid-web");
  BOOST_TEST_REQUIRE(volumes[0].files.size() == 2u);
  BOOST_TEST(volumes[0].files[0].path == "password");
  BOOST_TEST(volumes[0].files[0].bytes == "hunter2");
  BOOST_TEST(volumes[0].files[0].mode == 0400);
}

BOOST_AUTO_TEST_CASE(items_choose_keys_paths_and_modes) {
  auto v = secret_volume("db");
  v.secret->items = {{"password", "conf/pw", 0440}, {"user", "user.txt", std::nullopt}};
  auto out = config_volumes_of(pod_with(v), state_with({db_secret()}));
  BOOST_TEST_REQUIRE(std::holds_alternative<std::vector<messages::config_volume>>(out));
  const auto& files = std::get<std::vector<messages::config_volume>>(out)[0].files;
  BOOST_TEST_REQUIRE(files.size() == 2u);
  BOOST_TEST(files[0].path == "conf/pw");
  BOOST_TEST(files[0].mode == 0440);
  BOOST_TEST(files[1].path == "user.txt");
  BOOST_TEST(files[1].mode == 0400);
}

BOOST_AUTO_TEST_CASE(a_config_map_gives_its_data_and_binary_data) {
  messages::config_map c;
  c.metadata.name = "settings";
  c.metadata.namespace_ = "team-a";
  c.data = {{"app.conf", "x=1\n"}};
  c.binary_data = {{"logo.png", std::string("\x89PNG\0", 5)}};
  messages::volume v;
  v.name = "conf";
  v.config_map.emplace();
  v.config_map->name = "settings";
  auto out = config_volumes_of(pod_with(v), state_with({c}));
  BOOST_TEST_REQUIRE(std::holds_alternative<std::vector<messages::config_volume>>(out));
  const auto& files = std::get<std::vector<messages::config_volume>>(out)[0].files;
  BOOST_TEST_REQUIRE(files.size() == 2u);
  BOOST_TEST(files[1].bytes == std::string("\x89PNG\0", 5));
  BOOST_TEST(files[0].mode == 0644);  // no defaultMode: Kubernetes' 0644
}

BOOST_AUTO_TEST_CASE(what_is_missing_is_a_failed_mount_unless_optional) {
  auto missing = config_volumes_of(pod_with(secret_volume("absent")), state_with({}));
  BOOST_TEST_REQUIRE(std::holds_alternative<std::string>(missing));
  BOOST_TEST(std::get<std::string>(missing) ==
             "MountVolume.SetUp failed for volume \"creds\" : secret \"absent\" not found");
  auto v = secret_volume("db");
  v.secret->items = {{"token", "t", std::nullopt}};
  auto no_key = config_volumes_of(pod_with(v), state_with({db_secret()}));
  BOOST_TEST_REQUIRE(std::holds_alternative<std::string>(no_key));
  BOOST_TEST(std::get<std::string>(no_key) ==
             "MountVolume.SetUp failed for volume \"creds\" : secret references non-existent "
             "secret key: token");
  auto optional = secret_volume("absent");
  optional.secret->optional_ = true;
  auto empty = config_volumes_of(pod_with(optional), state_with({}));
  BOOST_TEST_REQUIRE(std::holds_alternative<std::vector<messages::config_volume>>(empty));
  BOOST_TEST(std::get<std::vector<messages::config_volume>>(empty)[0].files.empty());
}
