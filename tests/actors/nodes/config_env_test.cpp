// Tests actors/nodes/config_env.cpp: env valueFrom and envFrom resolved from the pod's own
// namespace, Kubernetes' refusals for what is missing, `optional` references.
#include <boost/test/unit_test.hpp>

#include <map>

#include "actors/nodes/config_env.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;

namespace {

messages::secret db_secret(const std::string& ns = "team-a") {
  messages::secret s;
  s.metadata.name = "db";
  s.metadata.namespace_ = ns;
  s.type = "Opaque";
  s.data = {{"password", "hunter2"}, {"user", "app"}, {"bad-name", "x"}};
  return s;
}

messages::config_map settings() {
  messages::config_map c;
  c.metadata.name = "settings";
  c.metadata.namespace_ = "team-a";
  c.data = {{"LOG_LEVEL", "debug"}, {"MODE", "fast"}, {"9lives", "x"}};
  c.binary_data = {{"blob", "\x01\x02"}};
  return c;
}

messages::env_var from_secret(const std::string& name, const std::string& secret,
                              const std::string& key, bool optional = false) {
  messages::env_var e;
  e.name = name;
  e.value_from.emplace();
  e.value_from->secret_key_ref.emplace();
  e.value_from->secret_key_ref->name = secret;
  e.value_from->secret_key_ref->key = key;
  if (optional)
    e.value_from->secret_key_ref->optional_ = true;
  return e;
}

std::vector<std::pair<std::string, std::string>> env_of(const messages::pod& p) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : p.spec.containers.at(0).env)
    out.emplace_back(e.name, e.value);
  return out;
}

using env_list = std::vector<std::pair<std::string, std::string>>;

}  // namespace

BOOST_AUTO_TEST_CASE(value_from_a_secret_key_and_a_config_map_key) {
  auto p = small_pod("web", "team-a");
  p.spec.containers[0].env.push_back({"PLAIN", "1", {}});
  p.spec.containers[0].env.push_back(from_secret("DB_PASSWORD", "db", "password"));
  messages::env_var level;
  level.name = "LOG_LEVEL";
  level.value_from.emplace();
  level.value_from->config_map_key_ref.emplace();
  level.value_from->config_map_key_ref->name = "settings";
  level.value_from->config_map_key_ref->key = "LOG_LEVEL";
  p.spec.containers[0].env.push_back(level);
  auto s = state_with({db_secret(), settings()});
  auto out = with_config_environment(p, s);
  BOOST_TEST_REQUIRE(std::holds_alternative<messages::pod>(out));
  auto env = env_of(std::get<messages::pod>(out));
  BOOST_TEST((env == env_list{{"PLAIN", "1"}, {"DB_PASSWORD", "hunter2"}, {"LOG_LEVEL", "debug"}}));
  for (const auto& e : std::get<messages::pod>(out).spec.containers[0].env)
    BOOST_TEST(!e.value_from.has_value());
}

BOOST_AUTO_TEST_CASE(env_from_expands_valid_names_with_the_prefix_before_the_own_env) {
  auto p = small_pod("web", "team-a");
  messages::env_from_source from_secret_source;
  from_secret_source.prefix = "DB_";
  from_secret_source.secret_ref.emplace();
  from_secret_source.secret_ref->name = "db";
  messages::env_from_source from_config;
  from_config.config_map_ref.emplace();
  from_config.config_map_ref->name = "settings";
  p.spec.containers[0].env_from = {from_secret_source, from_config};
  p.spec.containers[0].env.push_back({"MODE", "own", {}});
  auto out = with_config_environment(p, state_with({db_secret(), settings()}));
  BOOST_TEST_REQUIRE(std::holds_alternative<messages::pod>(out));
  // 9lives is not a variable name (a digit first): skipped; DB_bad-name is one (Kubernetes
  // allows '-' and '.'). binaryData never becomes variables. The own MODE comes last, so the
  // bundle's later-wins rule lets it override the ConfigMap's.
  BOOST_TEST((env_of(std::get<messages::pod>(out)) ==
              env_list{{"DB_bad-name", "x"}, {"DB_password", "hunter2"}, {"DB_user", "app"},
                       {"LOG_LEVEL", "debug"}, {"MODE", "fast"}, {"MODE", "own"}}));
  BOOST_TEST(std::get<messages::pod>(out).spec.containers[0].env_from.empty());
}

BOOST_AUTO_TEST_CASE(missing_objects_and_keys_are_refused_in_kubernetes_words) {
  auto p = small_pod("web", "team-a");
  p.spec.containers[0].env.push_back(from_secret("DB_PASSWORD", "db", "password"));
  auto none = with_config_environment(p, state_with({}));
  BOOST_TEST_REQUIRE(std::holds_alternative<std::string>(none));
  BOOST_TEST(std::get<std::string>(none) == "secret \"db\" not found");
  // Another namespace's Secret of that name is not the pod's.
  auto elsewhere = with_config_environment(p, state_with({db_secret("team-b")}));
  BOOST_TEST(std::holds_alternative<std::string>(elsewhere));
  p.spec.containers[0].env[0] = from_secret("DB_PASSWORD", "db", "token");
  auto no_key = with_config_environment(p, state_with({db_secret()}));
  BOOST_TEST_REQUIRE(std::holds_alternative<std::string>(no_key));
  BOOST_TEST(std::get<std::string>(no_key) == "couldn't find key token in Secret team-a/db");
}

BOOST_AUTO_TEST_CASE(optional_references_that_are_missing_are_left_out) {
  auto p = small_pod("web", "team-a");
  p.spec.containers[0].env.push_back(from_secret("A", "db", "token", true));
  p.spec.containers[0].env.push_back(from_secret("B", "nothing", "x", true));
  messages::env_from_source from;
  from.config_map_ref.emplace();
  from.config_map_ref->name = "absent";
  from.config_map_ref->optional_ = true;
  p.spec.containers[0].env_from.push_back(from);
  auto out = with_config_environment(p, state_with({db_secret()}));
  BOOST_TEST_REQUIRE(std::holds_alternative<messages::pod>(out));
  BOOST_TEST(env_of(std::get<messages::pod>(out)).empty());
}

BOOST_AUTO_TEST_CASE(uses_config_object_finds_env_env_from_and_volumes) {
  auto p = small_pod("web", "team-a");
  BOOST_TEST(!uses_config_object(p, messages::object_kind::secret, "db"));
  p.spec.containers[0].env.push_back(from_secret("A", "db", "k"));
  BOOST_TEST(uses_config_object(p, messages::object_kind::secret, "db"));
  BOOST_TEST(!uses_config_object(p, messages::object_kind::config_map, "db"));
  auto q = small_pod("q", "team-a");
  messages::volume v;
  v.name = "conf";
  v.config_map.emplace();
  v.config_map->name = "settings";
  q.spec.volumes.push_back(v);
  BOOST_TEST(uses_config_object(q, messages::object_kind::config_map, "settings"));
  BOOST_TEST(!uses_config_object(q, messages::object_kind::secret, "settings"));
}
