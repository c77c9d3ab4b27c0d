// Tests actors/controllers/namespace_controller.cpp: which objects a missing namespace orphans.
#include <boost/test/unit_test.hpp>

#include "actors/controllers/namespace_controller.hpp"
#include "store/apply.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;

namespace {

store::cluster_state with(const std::vector<any_object>& objects) {
  store::cluster_state s;
  for (const auto& o : objects) {
    auto record = created(o);
    record.seq = s.seq + 1;
    store::apply(s, record);
  }
  return s;
}

namespace_object ns(const std::string& name) {
  namespace_object n;
  n.metadata.name = name;
  n.metadata.uid = "uid-ns-" + name;
  return n;
}

replication_controller rc(const std::string& name, const std::string& namespace_) {
  replication_controller r;
  r.metadata.name = name;
  r.metadata.namespace_ = namespace_;
  r.metadata.uid = "uid-rc-" + name;
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(objects_of_a_missing_namespace_are_orphans_rcs_first) {
  auto s = with({ns("default"), small_pod("kept", "default"), small_pod("a", "gone"),
                 rc("web", "gone"), small_pod("b", "gone"), small_pod("c", "zzz")});
  auto orphans = orphaned_by_namespace(s);
  BOOST_REQUIRE(orphans.size() == 4u);
  BOOST_TEST((orphans[0].first == object_kind::replication_controller));
  BOOST_TEST(orphans[0].second.name == "web");
  std::set<std::string> pods;
  for (std::size_t i = 1; i < orphans.size(); ++i) {
    BOOST_TEST((orphans[i].first == object_kind::pod));
    pods.insert(orphans[i].second.namespace_ + "/" + orphans[i].second.name);
  }
  BOOST_TEST((pods == std::set<std::string>{"gone/a", "gone/b", "zzz/c"}));
}

BOOST_AUTO_TEST_CASE(one_namespace_can_be_asked_for_and_existing_ones_have_no_orphans) {
  auto s = with(
      {ns("default"), small_pod("kept", "default"), small_pod("a", "gone"), small_pod("c", "zzz")});
  auto orphans = orphaned_by_namespace(s, "gone");
  BOOST_REQUIRE(orphans.size() == 1u);
  BOOST_TEST(orphans[0].second.name == "a");
  BOOST_TEST(orphaned_by_namespace(s, "default").empty());
}
