// Tests store/journal_entry.cpp: an entry decodes to what was encoded, and bytes that are not
// an entry (truncated, lying counts, trailing bytes, another format) are refused with
// store_error, never read past their end.
#include <boost/test/unit_test.hpp>

#include <random>

#include "store/event_log.hpp"
#include "store/journal_entry.hpp"
#include "tests/store/records.hpp"

using namespace capstan::store;
using namespace capstan::test;

namespace {

journal_entry three_pods() {
  journal_entry entry;
  entry.proposal = 0x1122334455667788ull;
  for (int i = 0; i < 3; ++i) {
    entry.records.push_back(created(small_pod("p" + std::to_string(i))));
    entry.records.back().time_nanos = 1000 + i;
  }
  return entry;
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_entry_decodes_to_what_was_encoded) {
  auto entry = three_pods();
  auto decoded = decode_journal_entry(encode_journal_entry(entry, nullptr));
  BOOST_TEST(decoded.proposal == entry.proposal);
  BOOST_REQUIRE(decoded.records.size() == 3u);
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(decoded.records[i].name == "p" + std::to_string(i));
    BOOST_TEST(decoded.records[i].time_nanos == 1000 + i);
  }
  journal_entry empty;
  BOOST_TEST(decode_journal_entry(encode_journal_entry(empty, nullptr)).records.empty());
}

BOOST_AUTO_TEST_CASE(bytes_that_are_no_entry_are_refused) {
  std::string bytes = encode_journal_entry(three_pods(), nullptr);
  for (std::size_t cut = 0; cut < bytes.size(); cut += 7)
    BOOST_CHECK_THROW(decode_journal_entry(std::string_view(bytes).substr(0, cut)), store_error);
  BOOST_CHECK_THROW(decode_journal_entry(bytes + "x"), store_error);
  BOOST_CHECK_THROW(decode_journal_entry(bytes + std::string(8, '\0')), store_error);
  // The replicated log's padding to 8-byte words is no damage.
  BOOST_TEST(decode_journal_entry(bytes + std::string(7, '\0')).records.size() == 3u);
  std::string other = bytes;
  other[3] = '2';
  BOOST_CHECK_THROW(decode_journal_entry(other), store_error);
  // A count of four billion records in a few bytes.
  std::string lying = bytes.substr(0, 12) + std::string("\xff\xff\xff\xff", 4);
  BOOST_CHECK_THROW(decode_journal_entry(lying), store_error);
  // Random damage: refused or decoded, never a crash (ASan watches the reads).
  std::mt19937 random(7);
  for (int round = 0; round < 2000; ++round) {
    std::string damaged = bytes;
    for (int flips = 0; flips < 3; ++flips)
      damaged[random() % damaged.size()] = static_cast<char>(random());
    try {
      decode_journal_entry(damaged);
    } catch (const store_error&) {
    }
  }
}
