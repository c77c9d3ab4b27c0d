// Tests nodeagent/container_logs.cpp: `kubectl logs --tail=N` gets exactly the last N lines,
// and `kubectl logs -f` gets each byte once, from where the previous read ended, even when the
// log is replaced under it.
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "nodeagent/container_logs.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::nodeagent;

namespace {

void write(const std::string& path, const std::string& text, bool append = false) {
  std::ofstream out(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  out << text;
}

}  // namespace

BOOST_AUTO_TEST_CASE(tail_returns_the_last_lines) {
  test::temp_dir dir;
  const std::string log = dir.str() + "/web.log";
  write(log, "one\ntwo\nthree\n");
  auto last2 = read_container_log(log, 0, 2);
  BOOST_TEST(last2.bytes == "two\nthree\n");
  BOOST_TEST(last2.next_offset == 14u);
  BOOST_TEST(last2.error == "");
  BOOST_TEST(read_container_log(log, 0, 1).bytes == "three\n");
  BOOST_TEST(read_container_log(log, 0, 10).bytes == "one\ntwo\nthree\n");
  write(log, "one\ntwo\npartial");  // a last line without its newline yet
  BOOST_TEST(read_container_log(log, 0, 1).bytes == "partial");
  BOOST_TEST(read_container_log(log, 0, 2).bytes == "two\npartial");
}

BOOST_AUTO_TEST_CASE(a_follow_reads_what_was_added_since_its_offset) {
  test::temp_dir dir;
  const std::string log = dir.str() + "/web.log";
  write(log, "one\n");
  auto first = read_container_log(log, 0, 0);  // no tail: everything
  BOOST_TEST(first.bytes == "one\n");
  BOOST_TEST(first.next_offset == 4u);
  auto none = read_container_log(log, first.next_offset, 0);
  BOOST_TEST(none.bytes == "");
  BOOST_TEST(none.next_offset == 4u);
  write(log, "two\n", true);
  auto more = read_container_log(log, first.next_offset, 0);
  BOOST_TEST(more.bytes == "two\n");
  BOOST_TEST(more.next_offset == 8u);
  // An offset (other than 0) reads from it even with a tail.
  BOOST_TEST(read_container_log(log, 4, 1).bytes == "two\n");
}

BOOST_AUTO_TEST_CASE(a_replaced_log_is_read_from_its_start) {
  test::temp_dir dir;
  const std::string log = dir.str() + "/web.log";
  write(log, "a long first life\n");
  auto before = read_container_log(log, 0, 0);
  write(log, "new\n");
  auto after = read_container_log(log, before.next_offset, 0);
  BOOST_TEST(after.bytes == "new\n");
  BOOST_TEST(after.next_offset == 4u);
}

BOOST_AUTO_TEST_CASE(a_missing_log_reads_as_empty) {
  test::temp_dir dir;
  const std::string log = dir.str() + "/none.log";
  for (auto [offset, tail] : {std::pair<uint64_t, uint64_t>{0, 0}, {0, 5}, {7, 0}}) {
    auto r = read_container_log(log, offset, tail);
    BOOST_TEST(r.bytes == "");
    BOOST_TEST(r.next_offset == 0u);
    BOOST_TEST(r.error == "");
  }
}
