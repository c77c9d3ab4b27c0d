// Tests store/object_sharing.cpp: equal containers and volumes end up in one block, through
// apply() and load_object() as through share() itself; unequal ones never do.
#include <boost/test/unit_test.hpp>

#include "store/apply.hpp"
#include "store/object_sharing.hpp"
#include "tests/store/records.hpp"

using namespace capstan::store;
using namespace capstan::test;
using namespace capstan::messages;

namespace {

pod templated(const std::string& name, const std::string& image) {
  pod p = small_pod(name);
  container c;
  c.name = "web";
  c.image = image;
  c.resources.requests["cpu"] = quantity::from_milli(10);
  p.spec.containers = {c};
  volume v;
  v.name = "data";
  v.empty_dir = empty_dir_volume_source{};
  p.spec.volumes = {v};
  return p;
}

const pod& stored(const cluster_state& state, const std::string& name) {
  return *state.find<pod>({"default", name});
}

}  // namespace

BOOST_AUTO_TEST_CASE(equal_lists_share_a_block_and_unequal_ones_do_not) {
  object_sharing sharing;
  any_object a = templated("a", "nginx"), b = templated("b", "nginx"), c = templated("c", "redis");
  sharing.share(a);
  sharing.share(b);
  sharing.share(c);
  const auto& pa = std::get<pod>(a).spec;
  const auto& pb = std::get<pod>(b).spec;
  const auto& pc = std::get<pod>(c).spec;
  BOOST_TEST(pa.containers.shares_with(pb.containers));
  BOOST_TEST(pa.volumes.shares_with(pb.volumes));
  BOOST_TEST(!pa.containers.shares_with(pc.containers));
  BOOST_TEST(pa.volumes.shares_with(pc.volumes));  // the volumes of c are equal to a's
  BOOST_TEST(pc.containers[0].image == "redis");
}

BOOST_AUTO_TEST_CASE(apply_shares_and_a_change_to_one_pod_leaves_the_others_alone) {
  cluster_state state = state_with({templated("a", "nginx"), templated("b", "nginx")});
  BOOST_TEST(stored(state, "a").spec.containers.shares_with(stored(state, "b").spec.containers));

  pod changed = stored(state, "b");
  changed.spec.containers[0].image = "nginx:2";
  journal_record update = record_for(changed, object_updated{changed});
  update.seq = state.seq + 1;
  apply(state, update);
  BOOST_TEST(stored(state, "a").spec.containers[0].image == "nginx");
  BOOST_TEST(stored(state, "b").spec.containers[0].image == "nginx:2");
  BOOST_TEST(!stored(state, "a").spec.containers.shares_with(stored(state, "b").spec.containers));
}

BOOST_AUTO_TEST_CASE(objects_loaded_from_a_snapshot_share_too) {
  cluster_state state;
  load_object(state, any_object{templated("a", "nginx")});
  load_object(state, any_object{templated("b", "nginx")});
  BOOST_TEST(stored(state, "a").spec.containers.shares_with(stored(state, "b").spec.containers));
}

BOOST_AUTO_TEST_CASE(lists_no_object_holds_are_swept_once_the_pool_has_doubled) {
  object_sharing sharing;
  for (int i = 0; i < 5000; ++i) {
    any_object one = templated("p", "image-" + std::to_string(i));  // dropped right away
    sharing.share(one);
  }
  // Without sweeping the pool would hold 5,000 container lists and one volume list.
  BOOST_TEST(sharing.entries() <= 2049u);
}

BOOST_AUTO_TEST_CASE(a_pool_keeps_no_block_alive) {
  // Two states that apply the same records (the read model and a watch) both see the record's
  // blocks; neither pool may keep them once no object holds them.
  object_sharing first, second;
  std::weak_ptr<const std::vector<container>> block;
  {
    any_object a = templated("a", "nginx");
    first.share(a);
    any_object copy = a;
    second.share(copy);
    block = std::get<pod>(a).spec.containers.block();
    BOOST_TEST(!block.expired());
  }
  BOOST_TEST(block.expired());
}
