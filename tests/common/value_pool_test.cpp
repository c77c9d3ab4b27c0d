// Tests common/value_pool.hpp: equal values held once, freed with their last release.
#include <boost/test/unit_test.hpp>

#include <map>
#include <string>

#include "common/value_pool.hpp"

using capstan::common::value_pool;
using labels = std::map<std::string, std::string>;

BOOST_AUTO_TEST_CASE(equal_values_share_one_copy_until_their_last_release) {
  value_pool<labels> pool;
  const labels* a = pool.hold({{"app", "web"}});
  const labels* b = pool.hold({{"app", "web"}});
  const labels* other = pool.hold({{"app", "db"}});
  BOOST_TEST(a == b);
  BOOST_TEST(a != other);
  BOOST_TEST(pool.size() == 2u);
  pool.release(a);
  BOOST_TEST(pool.size() == 2u);  // b still holds it
  BOOST_TEST(b->at("app") == "web");
  pool.release(b);
  BOOST_TEST(pool.size() == 1u);
  // Held again after it was freed: a fresh copy, equal in value.
  const labels* again = pool.hold({{"app", "web"}});
  BOOST_TEST(again->at("app") == "web");
  BOOST_TEST(pool.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_pointer_the_pool_did_not_hand_out_releases_nothing) {
  value_pool<labels> pool;
  const labels* held = pool.hold({{"app", "web"}});
  labels equal_elsewhere{{"app", "web"}};
  pool.release(&equal_elsewhere);
  pool.release(nullptr);
  BOOST_TEST(pool.size() == 1u);
  BOOST_TEST(held->at("app") == "web");
}
