// Tests messages/input_text.cpp: UTF-8 validity by RFC 3629, field paths, printable quoting.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "messages/input_text.hpp"

using namespace capstan::messages;

BOOST_AUTO_TEST_CASE(utf8_validity_follows_rfc_3629) {
  for (const std::string& good :
       std::vector<std::string>{"", "ascii", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf", std::string("nul\0inside", 10)})
    BOOST_TEST(valid_utf8(good), good);
  for (const std::string& bad : std::vector<std::string>{
           "\xff", "\xc3", "\xc3\x28", "\xc0\xaf" /* overlong '/' */, "\xe0\x80\xaf" /* overlong */,
           "\xed\xa0\x80" /* surrogate */, "\xf4\x90\x80\x80" /* above U+10FFFF */,
           "\xf8\x88\x80\x80\x80", "ok\xe2\x82" /* truncated */})
    BOOST_TEST(!valid_utf8(bad), bad.size());
}

BOOST_AUTO_TEST_CASE(field_paths_read_like_kubernetes_field_paths) {
  BOOST_TEST(field_path_child("", "metadata") == "metadata");
  BOOST_TEST(field_path_child("metadata.labels", "app") == "metadata.labels.app");
  BOOST_TEST(field_path_child("metadata.labels", "app.kubernetes.io/name") ==
             "metadata.labels[app.kubernetes.io/name]");
  BOOST_TEST(field_path_index("spec.containers", 0) == "spec.containers[0]");
  BOOST_TEST(field_path_child("a", "x\ny") == "a[x\\ny]");
  BOOST_TEST(field_path_child("a", std::string(100, 'k')) == "a." + std::string(64, 'k') + "...");
}

BOOST_AUTO_TEST_CASE(printable_text_is_valid_utf8_without_control_characters) {
  BOOST_TEST(printable_text("caf\xc3\xa9") == "caf\xc3\xa9");
  BOOST_TEST(printable_text("a\x1b[2J\xff\tb\n") == "a\\x1b[2J\\xff\\tb\\n");
  BOOST_TEST(printable_text(std::string(300, 'x'), 10) == std::string(10, 'x') + "...");
  // A cut never splits a character.
  BOOST_TEST(printable_text("abc\xe2\x82\xac\xe2\x82\xac", 4) == "abc\xe2\x82\xac...");
  BOOST_TEST(valid_utf8(printable_text("\xe2\x82\xac\xe2\x82", 5)));
}

BOOST_AUTO_TEST_CASE(positions_are_one_based_lines_and_columns) {
  BOOST_TEST(position_in("ab\ncd", 0).line == 1u);
  BOOST_TEST(position_in("ab\ncd", 4).line == 2u);
  BOOST_TEST(position_in("ab\ncd", 4).column == 2u);
}
