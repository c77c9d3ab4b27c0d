// Tests actors/allocators/range_allocator.cpp.
#include <boost/test/unit_test.hpp>

#include "actors/allocators/range_allocator.hpp"

using namespace capstan::actors;

BOOST_AUTO_TEST_CASE(slots_are_handed_out_once_and_not_reused_at_once) {
  range_allocator ports(30000, 3);
  BOOST_TEST(ports.allocate_specific(30001));
  BOOST_TEST(!ports.allocate_specific(30001));
  BOOST_TEST(!ports.allocate_specific(40000));
  auto a = ports.allocate();
  auto b = ports.allocate();
  BOOST_TEST(*a == 30000u);
  BOOST_TEST(*b == 30002u);
  BOOST_TEST(!ports.allocate().has_value());
  ports.release(30000);
  BOOST_TEST(ports.free_count() == 1u);
  BOOST_TEST(*ports.allocate() == 30000u);
}

BOOST_AUTO_TEST_CASE(cidrs_parse_and_format) {
  auto c = ipv4_cidr::parse("10.254.7.9/16");
  BOOST_REQUIRE(c.has_value());
  BOOST_TEST(c->to_string() == "10.254.0.0/16");
  BOOST_TEST(c->size() == 65536u);
  BOOST_TEST(c->contains(*parse_ipv4("10.254.255.255")));
  BOOST_TEST(!c->contains(*parse_ipv4("10.255.0.0")));
  BOOST_TEST(!ipv4_cidr::parse("10.254.0.0/33").has_value());
  BOOST_TEST(format_ipv4(*parse_ipv4("192.0.2.1")) == "192.0.2.1");
}
