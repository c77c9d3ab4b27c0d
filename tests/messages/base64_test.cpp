// Tests messages/base64.cpp: RFC 4648's test vectors both ways, and Go's refusals.
#include <boost/test/unit_test.hpp>

#include "messages/base64.hpp"

using namespace capstan::messages;

BOOST_AUTO_TEST_CASE(rfc_4648_vectors_encode_and_decode) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    BOOST_TEST(base64_encode(plain) == encoded);
    auto decoded = base64_decode(encoded);
    BOOST_TEST_REQUIRE(decoded.has_value());
    BOOST_TEST(*decoded == plain);
  }
}

BOOST_AUTO_TEST_CASE(every_byte_value_round_trips) {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all.push_back(static_cast<char>(i));
  auto decoded = base64_decode(base64_encode(all));
  BOOST_TEST_REQUIRE(decoded.has_value());
  BOOST_TEST(*decoded == all);
}

BOOST_AUTO_TEST_CASE(line_breaks_are_skipped_as_go_does) {
  auto decoded = base64_decode("Zm9v\r\nYmFy\n");
  BOOST_TEST_REQUIRE(decoded.has_value());
  BOOST_TEST(*decoded == "foobar");
}

BOOST_AUTO_TEST_CASE(malformed_text_is_refused_with_the_position) {
  std::string why;
  BOOST_TEST(!base64_decode("Zm9v!", &why));
  BOOST_TEST(why == "illegal base64 data at input byte 4");
  BOOST_TEST(!base64_decode("Zm9", &why));  // padding required
  BOOST_TEST(why == "illegal base64 data at input byte 3");
  BOOST_TEST(!base64_decode("Zg==Zg==", &why));  // nothing after padding
  BOOST_TEST(!base64_decode("Z===", &why));
  BOOST_TEST(!base64_decode("=", &why));
  BOOST_TEST(!base64_decode("secret value", &why));
}
