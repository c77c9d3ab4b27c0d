// Tests actors/nodes/pull_secrets.cpp: a pod's imagePullSecrets merged into one containers auth
// file; Secrets missing, of another type or unreadable are skipped; the first listed wins.
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "actors/nodes/pull_secrets.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;

namespace {

messages::secret registry_secret(const std::string& name, const std::string& type,
                                 const std::string& key, const std::string& json) {
  messages::secret s;
  s.metadata.namespace_ = "default";
  s.metadata.name = name;
  s.type = type;
  s.data[key] = json;
  return s;
}

messages::pod pulling(std::vector<std::string> secrets) {
  auto p = small_pod("web", "default");
  for (auto& name : secrets) {
    messages::local_object_reference ref;
    ref.name = name;
    p.spec.image_pull_secrets.push_back(ref);
  }
  return p;
}

}  // namespace

BOOST_AUTO_TEST_CASE(pull_secrets_merge_into_one_auth_file_first_listed_wins) {
  auto a = registry_secret("a", "kubernetes.io/dockerconfigjson", ".dockerconfigjson",
                           R"({"auths":{"reg:5001":{"auth":"YTpi"},"one.example":{"auth":"eDp5"}}})");
  auto b = registry_secret("b", "kubernetes.io/dockerconfigjson", ".dockerconfigjson",
                           R"({"auths":{"reg:5001":{"auth":"bG9zZXI6eA=="}}})");
  auto legacy = registry_secret("legacy", "kubernetes.io/dockercfg", ".dockercfg",
                                R"({"old.example":{"auth":"bzpw"}})");
  auto s = state_with({a, b, legacy});
  auto file = pull_auth_file(pulling({"a", "b", "legacy"}), s);
  BOOST_REQUIRE(file);
  auto doc = nlohmann::json::parse(*file);
  BOOST_TEST(doc["auths"]["reg:5001"]["auth"] == "YTpi");  // a's, listed first
  BOOST_TEST(doc["auths"]["one.example"]["auth"] == "eDp5");
  BOOST_TEST(doc["auths"]["old.example"]["auth"] == "bzpw");
  BOOST_TEST(doc["auths"].size() == 3u);
}

BOOST_AUTO_TEST_CASE(missing_foreign_or_broken_secrets_give_nothing) {
  auto opaque = registry_secret("opaque", "Opaque", ".dockerconfigjson",
                                R"({"auths":{"reg:5001":{"auth":"YTpi"}}})");
  auto broken = registry_secret("broken", "kubernetes.io/dockerconfigjson", ".dockerconfigjson",
                                "{not json");
  auto no_auths = registry_secret("no-auths", "kubernetes.io/dockerconfigjson",
                                  ".dockerconfigjson", R"({"credsStore":"x"})");
  auto s = state_with({opaque, broken, no_auths});
  BOOST_TEST(!pull_auth_file(pulling({"missing", "opaque", "broken", "no-auths"}), s));
  BOOST_TEST(!pull_auth_file(pulling({}), s));
  BOOST_TEST(pulls_with_secret(pulling({"x", "opaque"}), "opaque"));
  BOOST_TEST(!pulls_with_secret(pulling({"x"}), "opaque"));
}
