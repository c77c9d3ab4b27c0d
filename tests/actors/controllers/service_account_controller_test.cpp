// Tests actors/controllers/service_account_controller.cpp (its pure part): the writes that give
// a namespace its default account, each account its token Secret, and nothing more.
#include <boost/test/unit_test.hpp>

#include "actors/controllers/service_account_controller.hpp"
#include "auth/service_account_token.hpp"
#include "store/apply.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;

namespace {

namespace_object ns(const std::string& name, const std::string& phase = "Active") {
  namespace_object n;
  n.metadata.name = name;
  n.metadata.uid = "uid-ns-" + name;
  n.status.phase = phase;
  return n;
}

messages::service_account account(const std::string& name, const std::string& namespace_,
                                  const std::string& uid) {
  messages::service_account a;
  a.metadata.name = name;
  a.metadata.namespace_ = namespace_;
  a.metadata.uid = uid;
  return a;
}

service_account_settings settings() {
  service_account_settings s;
  s.api_ca_pem = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
  s.random_hex = [] { return std::string(64, 'f'); };
  s.signing_key = "test-signing-key-0123456789abcdef";
  return s;
}

// Puts `object` in the state as it is (a create or an update).
void put(store::cluster_state& s, any_object object) {
  const auto& meta = messages::meta_of(object);
  object_key key{meta.namespace_, meta.name};
  s.of(messages::kind_of(object))[key] = std::move(object);
}

// Applies the actions as the registries would (uids "uid-N", no checks): the next state.
void apply_all(store::cluster_state& s, const std::vector<account_action>& actions) {
  static int uid = 0;
  for (const auto& a : actions) {
    if (auto* c = std::get_if<account_create>(&a)) {
      auto object = c->object;
      messages::meta_of(object).uid = "uid-" + std::to_string(++uid);
      put(s, std::move(object));
    } else if (auto* u = std::get_if<account_update>(&a)) {
      put(s, u->object);
    } else {
      const auto& d = std::get<account_delete>(a);
      s.of(d.kind).erase(d.key);
    }
  }
}

const messages::secret* secret_of(const store::cluster_state& s, const std::string& namespace_,
                                  const std::string& name) {
  return s.find<messages::secret>({namespace_, name});
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_namespace_gets_its_default_account_and_its_token_then_nothing_more) {
  auto s = state_with({ns("team-a")});
  auto first = service_account_actions(s, "team-a", settings());
  BOOST_REQUIRE(first.size() == 1u);
  BOOST_TEST(std::holds_alternative<account_create>(first[0]));
  apply_all(s, first);
  BOOST_REQUIRE(s.find<messages::service_account>({"team-a", "default"}));

  auto second = service_account_actions(s, "team-a", settings());
  BOOST_REQUIRE(second.size() == 2u);  // the token Secret, and the account listing it
  apply_all(s, second);
  const auto name = auth::token_secret_name("team-a", "default");
  const auto* token = secret_of(s, "team-a", name);
  BOOST_REQUIRE(token);
  BOOST_TEST(token->type == auth::service_account_token_type);
  BOOST_TEST(token->metadata.annotations.at(auth::service_account_name_annotation) == "default");
  const auto& a = *s.find<messages::service_account>({"team-a", "default"});
  BOOST_TEST(token->metadata.annotations.at(auth::service_account_uid_annotation) ==
             a.metadata.uid);
  BOOST_REQUIRE(a.secrets.size() == 1u);
  BOOST_TEST(a.secrets[0].name == name);
  BOOST_TEST(token->data.at("namespace") == "team-a");
  BOOST_TEST(token->data.at("ca.crt") == settings().api_ca_pem);
  auto who = auth::service_account_identity(token->data.at("token"), *token, &a,
                                           settings().signing_key);
  BOOST_REQUIRE(who);
  BOOST_TEST(who->name == "system:serviceaccount:team-a:default");

  BOOST_TEST(service_account_actions(s, "team-a", settings()).empty());
}

BOOST_AUTO_TEST_CASE(nothing_for_a_namespace_gone_or_terminating) {
  auto s = state_with({ns("going", "Terminating"), account("builder", "going", "u1")});
  BOOST_TEST(service_account_actions(s, "going", settings()).empty());
  BOOST_TEST(service_account_actions(s, "absent", settings()).empty());
}

BOOST_AUTO_TEST_CASE(a_token_of_a_recreated_account_is_replaced) {
  auto s = state_with({ns("team-a"), account("default", "team-a", "old")});
  apply_all(s, service_account_actions(s, "team-a", settings()));
  const auto name = auth::token_secret_name("team-a", "default");
  BOOST_REQUIRE(secret_of(s, "team-a", name));
  // The account is deleted and created again: its old token must not prove the new one.
  put(s, account("default", "team-a", "new"));
  auto actions = service_account_actions(s, "team-a", settings());
  BOOST_REQUIRE(!actions.empty());
  BOOST_TEST(std::holds_alternative<account_delete>(actions[0]));
  apply_all(s, actions);
  apply_all(s, service_account_actions(s, "team-a", settings()));
  const auto* token = secret_of(s, "team-a", name);
  BOOST_REQUIRE(token);
  BOOST_TEST(token->metadata.annotations.at(auth::service_account_uid_annotation) == "new");
  BOOST_TEST(service_account_actions(s, "team-a", settings()).empty());
}

BOOST_AUTO_TEST_CASE(a_users_token_secret_is_filled_and_a_stale_one_deleted) {
  messages::secret mine;
  mine.metadata.namespace_ = "team-a";
  mine.metadata.name = "builder-long-lived";
  mine.type = auth::service_account_token_type;
  mine.metadata.annotations[auth::service_account_name_annotation] = "builder";
  messages::secret stale = mine;
  stale.metadata.name = "ghost-token";
  stale.metadata.annotations[auth::service_account_name_annotation] = "ghost";
  auto s = state_with({ns("team-a"), account("default", "team-a", "d"),
                       account("builder", "team-a", "b"), mine, stale});
  apply_all(s, service_account_actions(s, "team-a", settings()));
  BOOST_TEST(!secret_of(s, "team-a", "ghost-token"));
  const auto* filled = secret_of(s, "team-a", "builder-long-lived");
  BOOST_REQUIRE(filled);
  BOOST_TEST(filled->data.count("token") == 1u);
  BOOST_TEST(filled->metadata.annotations.at(auth::service_account_uid_annotation) == "b");
  BOOST_TEST(service_account_actions(s, "team-a", settings()).empty());
}

BOOST_AUTO_TEST_CASE(a_foreign_secret_holding_the_name_is_left_alone) {
  messages::secret foreign;
  foreign.metadata.namespace_ = "team-a";
  foreign.metadata.name = auth::token_secret_name("team-a", "default");
  foreign.type = "Opaque";
  foreign.data["x"] = "y";
  auto s = state_with({ns("team-a"), account("default", "team-a", "d"), foreign});
  BOOST_TEST(service_account_actions(s, "team-a", settings()).empty());
  BOOST_TEST(secret_of(s, "team-a", foreign.metadata.name)->data.at("x") == "y");
}

// A token not signed for the account (written by a user with a token of their choosing, even
// with the account's uid annotation) is replaced: a chosen or inherited token never becomes
// valid.
BOOST_AUTO_TEST_CASE(a_token_not_bound_to_the_uid_is_replaced_when_bound) {
  messages::secret chosen;
  chosen.metadata.namespace_ = "team-a";
  chosen.metadata.name = "builder-token";
  chosen.type = auth::service_account_token_type;
  chosen.metadata.annotations[auth::service_account_name_annotation] = "builder";
  chosen.data["token"] = "cst1.chosen";
  auto s = state_with({ns("team-a"), account("default", "team-a", "d"),
                       account("builder", "team-a", "b"), chosen});
  apply_all(s, service_account_actions(s, "team-a", settings()));
  const auto* bound = secret_of(s, "team-a", "builder-token");
  BOOST_REQUIRE(bound);
  BOOST_TEST(bound->data.at("token") != "cst1.chosen");
  BOOST_TEST(bound->metadata.annotations.at(auth::service_account_uid_annotation) == "b");
  BOOST_TEST(auth::token_signed_for(bound->data.at("token"), "team-a", "builder-token", "b",
                                    settings().signing_key));
  BOOST_TEST(service_account_actions(s, "team-a", settings()).empty());

  // Annotated with the uid too, a chosen token is still replaced.
  messages::secret annotated = *bound;
  annotated.data["token"] = auth::make_service_account_token("team-a", "builder-token", "b",
                                                             std::string(64, '0'), "guess");
  put(s, annotated);
  auto actions = service_account_actions(s, "team-a", settings());
  BOOST_REQUIRE(actions.size() == 1u);
  apply_all(s, actions);
  BOOST_TEST(auth::token_signed_for(secret_of(s, "team-a", "builder-token")->data.at("token"),
                                    "team-a", "builder-token", "b", settings().signing_key));
}
