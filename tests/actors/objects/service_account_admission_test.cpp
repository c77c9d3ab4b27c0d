// Tests actors/objects/service_account_admission.cpp: the account a pod runs as, its token
// mounted where in-cluster clients look, the opt-outs, and the account's pull secrets.
#include <boost/test/unit_test.hpp>

#include "actors/objects/service_account_admission.hpp"
#include "auth/service_account_token.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;

namespace {

messages::service_account account(const std::string& name) {
  messages::service_account a;
  a.metadata.namespace_ = "default";
  a.metadata.name = name;
  a.metadata.uid = "uid-" + name;
  return a;
}

messages::pod two_container_pod() {
  auto p = small_pod("web", "default");
  p.spec.containers.push_back(p.spec.containers[0]);
  p.spec.containers[1].name = "sidecar";
  return p;
}

const messages::volume_mount* token_mount(const messages::container& c) {
  for (const auto& m : c.volume_mounts)
    if (m.mount_path == auth::service_account_mount_path)
      return &m;
  return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_pod_runs_as_default_with_its_token_in_every_container) {
  auto s = state_with({account("default")});
  auto p = two_container_pod();
  BOOST_TEST(!admit_service_account(p, s));
  BOOST_TEST(p.spec.service_account_name == "default");
  BOOST_REQUIRE(p.spec.volumes.size() == 1u);
  const auto& v = p.spec.volumes[0];
  BOOST_REQUIRE(v.secret);
  BOOST_TEST(v.secret->secret_name == auth::token_secret_name("default", "default"));
  BOOST_TEST(v.name.rfind("kube-api-access-", 0) == 0u);
  for (const auto& c : p.spec.containers) {
    const auto* m = token_mount(c);
    BOOST_REQUIRE(m);
    BOOST_TEST(m->name == v.name);
    BOOST_TEST(m->read_only);
  }
}

BOOST_AUTO_TEST_CASE(default_may_not_exist_yet_but_a_named_account_must) {
  store::cluster_state empty;
  auto p = small_pod("web", "default");
  BOOST_TEST(!admit_service_account(p, empty));  // the controller is about to create it
  BOOST_TEST(p.spec.volumes.size() == 1u);
  auto q = small_pod("web", "default");
  q.spec.service_account_name = "builder";
  auto refused = admit_service_account(q, empty);
  BOOST_REQUIRE(refused);
  BOOST_TEST(*refused ==
             "error looking up service account default/builder: serviceaccount \"builder\" not "
             "found");
}

BOOST_AUTO_TEST_CASE(automount_false_on_the_pod_or_the_account_mounts_nothing) {
  auto quiet = account("quiet");
  quiet.automount_service_account_token = false;
  auto s = state_with({account("default"), quiet});
  auto p = small_pod("a", "default");
  p.spec.automount_service_account_token = false;
  BOOST_TEST(!admit_service_account(p, s));
  BOOST_TEST(p.spec.volumes.empty());
  auto q = small_pod("b", "default");
  q.spec.service_account_name = "quiet";
  BOOST_TEST(!admit_service_account(q, s));
  BOOST_TEST(q.spec.volumes.empty());
  // The pod's own word wins over its account's.
  auto r = small_pod("c", "default");
  r.spec.service_account_name = "quiet";
  r.spec.automount_service_account_token = true;
  BOOST_TEST(!admit_service_account(r, s));
  BOOST_TEST(r.spec.volumes.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_container_mounting_the_path_itself_keeps_its_own) {
  auto s = state_with({account("default")});
  auto p = two_container_pod();
  messages::volume own;
  own.name = "kube-api-access-" + auth::token_secret_name("default", "default").substr(
                                      auth::token_secret_name("default", "default").size() - 5);
  own.empty_dir.emplace();
  p.spec.volumes.push_back(own);
  messages::volume_mount m;
  m.name = own.name;
  m.mount_path = auth::service_account_mount_path;
  p.spec.containers[0].volume_mounts.push_back(m);
  BOOST_TEST(!admit_service_account(p, s));
  BOOST_REQUIRE(p.spec.volumes.size() == 2u);
  BOOST_TEST(p.spec.volumes[1].name == own.name + "-2");  // a name the pod does not use
  BOOST_TEST(token_mount(p.spec.containers[0])->name == own.name);
  BOOST_TEST(token_mount(p.spec.containers[1])->name == own.name + "-2");
}

BOOST_AUTO_TEST_CASE(the_accounts_pull_secrets_unless_the_pod_has_its_own) {
  auto a = account("default");
  a.image_pull_secrets.resize(1);
  a.image_pull_secrets[0].name = "registry";
  auto s = state_with({a});
  auto p = small_pod("a", "default");
  BOOST_TEST(!admit_service_account(p, s));
  BOOST_REQUIRE(p.spec.image_pull_secrets.size() == 1u);
  BOOST_TEST(p.spec.image_pull_secrets[0].name == "registry");
  auto q = small_pod("b", "default");
  q.spec.image_pull_secrets.resize(1);
  q.spec.image_pull_secrets[0].name = "mine";
  BOOST_TEST(!admit_service_account(q, s));
  BOOST_REQUIRE(q.spec.image_pull_secrets.size() == 1u);
  BOOST_TEST(q.spec.image_pull_secrets[0].name == "mine");
}

BOOST_AUTO_TEST_CASE(a_secret_squatting_the_token_name_is_never_mounted) {
  messages::secret squatter;
  squatter.metadata.namespace_ = "default";
  squatter.metadata.name = auth::token_secret_name("default", "default");
  squatter.type = "Opaque";
  auto s = state_with({account("default"), squatter});
  auto p = small_pod("a", "default");
  auto refused = admit_service_account(p, s);
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->find("is taken by a Secret that is not its token") != std::string::npos);
  // Nor a token Secret of another account under that name.
  squatter.type = auth::service_account_token_type;
  squatter.metadata.annotations[auth::service_account_name_annotation] = "admin-bot";
  auto t = state_with({account("default"), squatter});
  auto q = small_pod("b", "default");
  BOOST_TEST(admit_service_account(q, t).has_value());
  // Opting out mounts nothing, so nothing is refused.
  auto r = small_pod("c", "default");
  r.spec.automount_service_account_token = false;
  BOOST_TEST(!admit_service_account(r, s));
}
