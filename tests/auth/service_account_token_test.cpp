// Tests auth/service_account_token.cpp: a token names its Secret and proves its account only
// while the Secret holds exactly it, the account it names exists with the uid it names, and the
// master's key signed it for that uid.
#include <boost/test/unit_test.hpp>

#include "auth/service_account_token.hpp"

using namespace capstan;
using namespace capstan::auth;

namespace {

const std::string random_part(64, 'a');
const std::string key = "master-key-0123456789abcdef0123456789";

std::string token_for(const std::string& ns, const std::string& secret, const std::string& uid) {
  return make_service_account_token(ns, secret, uid, random_part, key);
}

messages::service_account account(const std::string& ns, const std::string& name,
                                  const std::string& uid) {
  messages::service_account a;
  a.metadata.namespace_ = ns;
  a.metadata.name = name;
  a.metadata.uid = uid;
  return a;
}

messages::secret token_secret(const std::string& ns, const std::string& name,
                              const std::string& account_name, const std::string& uid,
                              const std::string& token) {
  messages::secret s;
  s.metadata.namespace_ = ns;
  s.metadata.name = name;
  s.type = service_account_token_type;
  s.metadata.annotations[service_account_name_annotation] = account_name;
  s.metadata.annotations[service_account_uid_annotation] = uid;
  s.data["token"] = token;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_token_names_its_secret) {
  auto token = token_for("team-a", "default-token-x2b4c", "uid-1");
  auto key = token_secret_of(token);
  BOOST_REQUIRE(key);
  BOOST_TEST(key->namespace_ == "team-a");
  BOOST_TEST(key->name == "default-token-x2b4c");
}

BOOST_AUTO_TEST_CASE(text_that_is_not_a_token_names_nothing) {
  for (const char* text :
       {"", "cst1.", "cst1..abc.def", "cst1.zz.abc.def", "cst1.612f62.abc.", "cst1.612f62..def",
        "cst1.612f62.abc" /* no signature */, "cst1.612f62.abc.def.ghi",
        "cst1.2f61.abc.def" /* "/a": no namespace */, "cst1.612f.abc.def" /* "a/": no name */,
        "cst1.616.abc.def" /* odd */, "0123456789abcdef", "Bearer cst1.612f62.abc.def",
        "cst2.612f62.abc.def"})
    BOOST_TEST(!token_secret_of(text), text);
}

BOOST_AUTO_TEST_CASE(the_identity_is_the_accounts_while_secret_and_account_agree) {
  auto token = token_for("team-a", "s", "uid-1");
  auto a = account("team-a", "builder", "uid-1");
  auto s = token_secret("team-a", "s", "builder", "uid-1", token);
  auto who = service_account_identity(token, s, &a, key);
  BOOST_REQUIRE(who);
  BOOST_TEST(who->name == "system:serviceaccount:team-a:builder");
  BOOST_TEST(who->uid == "uid-1");
  std::vector<std::string> groups = {"system:serviceaccounts", "system:serviceaccounts:team-a",
                                     "system:authenticated"};
  BOOST_TEST(who->groups == groups, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(no_identity_when_anything_disagrees) {
  auto token = token_for("team-a", "s", "uid-1");
  auto a = account("team-a", "builder", "uid-1");
  auto good = token_secret("team-a", "s", "builder", "uid-1", token);
  BOOST_REQUIRE(service_account_identity(token, good, &a, key));
  BOOST_TEST(!service_account_identity(token, good, &a, "another-key-0123456789abcdef0123"));
  BOOST_TEST(!service_account_identity(token, good, &a, ""));
  // A token the writer of a Secret chose: held by the Secret, bound by its annotations, but not
  // signed with the master's key (nor for another uid, nor for another Secret).
  for (const auto& chosen :
       {make_service_account_token("team-a", "s", "uid-1", random_part, "guessed-key"),
        make_service_account_token("team-a", "s", "uid-0", random_part, key),
        make_service_account_token("team-a", "t", "uid-1", random_part, key)}) {
    auto forged = token_secret("team-a", "s", "builder", "uid-1", chosen);
    BOOST_TEST(!service_account_identity(chosen, forged, &a, key));
  }

  BOOST_TEST(!service_account_identity(token, good, nullptr, key));  // the account is gone
  auto recreated = account("team-a", "builder", "uid-2");
  BOOST_TEST(!service_account_identity(token, good, &recreated, key));
  auto other_namespace = account("team-b", "builder", "uid-1");
  BOOST_TEST(!service_account_identity(token, good, &other_namespace, key));

  auto s = good;
  s.data["token"] = token.substr(0, token.size() - 1) + "b";  // the Secret holds another token
  BOOST_TEST(!service_account_identity(token, s, &a, key));
  s = good;
  s.data.erase("token");  // not filled yet
  BOOST_TEST(!service_account_identity(token, s, &a, key));
  s = good;
  s.type = "Opaque";  // a look-alike Secret of another type proves nothing
  BOOST_TEST(!service_account_identity(token, s, &a, key));
  s = good;
  s.metadata.annotations[service_account_name_annotation] = "other";
  BOOST_TEST(!service_account_identity(token, s, &a, key));
  s = good;
  s.metadata.annotations.erase(service_account_uid_annotation);  // not bound to the account
  BOOST_TEST(!service_account_identity(token, s, &a, key));
  BOOST_TEST(!service_account_identity(token + "x", good, &a, key));  // longer
  BOOST_TEST(!service_account_identity("", good, &a, key));
}

BOOST_AUTO_TEST_CASE(token_secret_names_are_stable_distinct_and_bounded) {
  auto name = token_secret_name("team-a", "default");
  BOOST_TEST(name == token_secret_name("team-a", "default"));
  BOOST_TEST(name.rfind("default-token-", 0) == 0u);
  BOOST_TEST(name.size() == std::string("default-token-").size() + 5);
  BOOST_TEST(name != token_secret_name("team-b", "default"));
  BOOST_TEST(token_secret_name("team-a", std::string(253, 'a')).size() == 253u);
}
