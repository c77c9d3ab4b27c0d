// Tests messages/quantity.cpp: exact parsing of Kubernetes quantities.
#include <boost/test/unit_test.hpp>

#include "messages/quantity.hpp"

using capstan::messages::quantity;

BOOST_AUTO_TEST_CASE(parses_the_seed_and_kubernetes_forms_exactly) {
  struct row {
    const char* text;
    int64_t milli;
  };
  const row rows[] = {
      {"0.5", 500},
      {"500m", 500},
      {"1", 1000},
      {"2", 2000},
      {"0.1", 100},
      {"100m", 100},
      {"1e3", 1000000},
      {"1E3", 1000000},
      {"1k", 1000000},
      {"128Mi", 134217728000LL},
      {"2Gi", 2147483648000LL},
      {"1Ki", 1024000},
      {"1M", 1000000000LL},
      {"+1", 1000},
      {"-1", -1000},
      {".5", 500},
      {"5.", 5000},
      {"0", 0},
      {"1.5Gi", 1610612736000LL},
      {"12e-3", 12},
      {"1n", 1},  // rounds up to a milli
      {"0.0001", 1},
  };
  for (const auto& r : rows) {
    auto q = quantity::parse(r.text);
    BOOST_TEST_INFO("quantity " << r.text);
    BOOST_REQUIRE(q.has_value());
    BOOST_TEST(q->milli() == r.milli);
    BOOST_TEST(q->text() == r.text);
  }
}

BOOST_AUTO_TEST_CASE(rejects_malformed_quantities_with_a_reason) {
  for (const char* bad : {"", "abc", "1x", "1.2.3", "Mi", "1 Mi", "--1", "1e", "1ee3", "1Gib",
                          "12345678901234567890Ei", "1e99999"}) {
    std::string why;
    BOOST_TEST_INFO("quantity " << bad);
    BOOST_TEST(!quantity::parse(bad, &why).has_value());
    BOOST_TEST(!why.empty());
  }
}

BOOST_AUTO_TEST_CASE(value_rounds_up_to_whole_units) {
  BOOST_TEST(quantity::parse("500m")->value() == 1);
  BOOST_TEST(quantity::parse("128Mi")->value() == 134217728);
  BOOST_TEST(quantity::parse("2")->value() == 2);
}

BOOST_AUTO_TEST_CASE(canonical_constructors_print_like_kubernetes) {
  BOOST_TEST(quantity::from_milli(2000).text() == "2");
  BOOST_TEST(quantity::from_milli(500).text() == "500m");
  BOOST_TEST(quantity::from_bytes(1073741824).text() == "1Gi");
  BOOST_TEST(quantity::from_bytes(1000).text() == "1000");
  BOOST_TEST(quantity::from_bytes(3 * 1024 * 1024).text() == "3Mi");
  BOOST_TEST(quantity::from_count(110).milli() == 110000);
  // What the constructors print parses back to the same value.
  for (int64_t b : {int64_t{1}, int64_t{4096}, int64_t{17179869184}}) {
    auto q = quantity::from_bytes(b);
    BOOST_TEST(quantity::parse(q.text())->milli() == q.milli());
  }
}
