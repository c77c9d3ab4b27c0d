// Tests auth/service_account_token.cpp: a token names its Secret and proves its account only
// while the Secret holds exactly it and the account it names exists with the uid it names.
#include <boost/test/unit_test.hpp>

#include "auth/service_account_token.hpp"

using namespace capstan;
using namespace capstan::auth;

namespace {

const std::string random_part(64, 'a');

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
  auto token = make_service_account_token("team-a", "default-token-x2b4c", random_part);
  auto key = token_secret_of(token);
  BOOST_REQUIRE(key);
  BOOST_TEST(key->namespace_ == "team-a");
  BOOST_TEST(key->name == "default-token-x2b4c");
}

BOOST_AUTO_TEST_CASE(text_that_is_not_a_token_names_nothing) {
  for (const char* text : {"", "cst1.", "cst1..abc", "cst1.zz.abc", "cst1.616263.",
                           "cst1.2f61.abc" /* "/a": no namespace */,
                           "cst1.612f.abc" /* "a/": no name */, "cst1.616.abc" /* odd */,
                           "0123456789abcdef", "Bearer cst1.612f62.abc", "cst2.612f62.abc"})
    BOOST_TEST(!token_secret_of(text), text);
}

BOOST_AUTO_TEST_CASE(the_identity_is_the_accounts_while_secret_and_account_agree) {
  auto token = make_service_account_token("team-a", "s", random_part);
  auto a = account("team-a", "builder", "uid-1");
  auto s = token_secret("team-a", "s", "builder", "uid-1", token);
  auto who = service_account_identity(token, s, &a);
  BOOST_REQUIRE(who);
  BOOST_TEST(who->name == "system:serviceaccount:team-a:builder");
  BOOST_TEST(who->uid == "uid-1");
  std::vector<std::string> groups = {"system:serviceaccounts", "system:serviceaccounts:team-a",
                                     "system:authenticated"};
  BOOST_TEST(who->groups == groups, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(no_identity_when_anything_disagrees) {
  auto token = make_service_account_token("team-a", "s", random_part);
  auto a = account("team-a", "builder", "uid-1");
  auto good = token_secret("team-a", "s", "builder", "uid-1", token);
  BOOST_REQUIRE(service_account_identity(token, good, &a));

  BOOST_TEST(!service_account_identity(token, good, nullptr));  // the account is gone
  auto recreated = account("team-a", "builder", "uid-2");
  BOOST_TEST(!service_account_identity(token, good, &recreated));
  auto other_namespace = account("team-b", "builder", "uid-1");
  BOOST_TEST(!service_account_identity(token, good, &other_namespace));

  auto s = good;
  s.data["token"] = token.substr(0, token.size() - 1) + "b";  // the Secret holds another token
  BOOST_TEST(!service_account_identity(token, s, &a));
  s = good;
  s.data.erase("token");  // not filled yet
  BOOST_TEST(!service_account_identity(token, s, &a));
  s = good;
  s.type = "Opaque";  // a look-alike Secret of another type proves nothing
  BOOST_TEST(!service_account_identity(token, s, &a));
  s = good;
  s.metadata.annotations[service_account_name_annotation] = "other";
  BOOST_TEST(!service_account_identity(token, s, &a));
  s = good;
  s.metadata.annotations.erase(service_account_uid_annotation);  // not bound to the account
  BOOST_TEST(!service_account_identity(token, s, &a));
  BOOST_TEST(!service_account_identity(token + "x", good, &a));  // longer
  BOOST_TEST(!service_account_identity("", good, &a));
}

BOOST_AUTO_TEST_CASE(token_secret_names_are_stable_distinct_and_bounded) {
  auto name = token_secret_name("team-a", "default");
  BOOST_TEST(name == token_secret_name("team-a", "default"));
  BOOST_TEST(name.rfind("default-token-", 0) == 0u);
  BOOST_TEST(name.size() == std::string("default-token-").size() + 5);
  BOOST_TEST(name != token_secret_name("team-b", "default"));
  BOOST_TEST(token_secret_name("team-a", std::string(253, 'a')).size() == 253u);
}
