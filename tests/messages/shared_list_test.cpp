// Tests messages/shared_list.hpp (copy on write) and messages/boxed.hpp (an optional on the heap).
#include <boost/test/unit_test.hpp>

#include <string>

#include "messages/boxed.hpp"
#include "messages/shared_list.hpp"

using namespace capstan::messages;

BOOST_AUTO_TEST_CASE(copies_share_one_block_until_one_of_them_changes) {
  shared_list<std::string> a{"x", "y"};
  shared_list<std::string> b = a;
  BOOST_TEST(b.shares_with(a));
  BOOST_TEST(a.holders() == 2);
  const auto& read_only = b;
  BOOST_TEST(read_only[1] == "y");
  BOOST_TEST(b.shares_with(a));  // const reads never copy

  b.push_back("z");
  BOOST_TEST(!b.shares_with(a));
  BOOST_TEST(a.size() == 2u);  // the other holder's items are untouched
  BOOST_TEST(b.size() == 3u);
  BOOST_TEST(a.holders() == 1);

  shared_list<std::string> c = a;
  c[0] = "changed";  // a non-const element access copies first
  BOOST_TEST(a[0] == "x");
  BOOST_TEST(c[0] == "changed");
}

BOOST_AUTO_TEST_CASE(an_empty_list_holds_no_block_and_reads_like_an_empty_vector) {
  shared_list<int> empty;
  BOOST_TEST(empty.empty());
  BOOST_TEST(empty.holders() == 0);
  BOOST_TEST(empty.size() == 0u);
  const std::vector<int>& as_vector = empty;
  BOOST_TEST(as_vector.empty());
  shared_list<int> cleared{1, 2};
  cleared.clear();
  BOOST_TEST(cleared.holders() == 0);
  BOOST_TEST(cleared == empty);
}

BOOST_AUTO_TEST_CASE(erase_and_insert_on_a_shared_block_leave_the_other_holder_alone) {
  shared_list<int> a{1, 2, 3, 4};
  shared_list<int> b = a;
  b.erase(b.begin() + 1);  // the iterator of b's copy, taken after the copy
  BOOST_TEST((b.items() == std::vector<int>{1, 3, 4}));
  shared_list<int> c = a;
  const shared_list<int>& c_read = c;
  c.erase(c_read.begin() + 2);  // an iterator into the shared block still names a position
  BOOST_TEST((c.items() == std::vector<int>{1, 2, 4}));
  c.insert(c.begin(), 0);
  BOOST_TEST((c.items() == std::vector<int>{0, 1, 2, 4}));
  BOOST_TEST((a.items() == std::vector<int>{1, 2, 3, 4}));
}

BOOST_AUTO_TEST_CASE(a_boxed_value_reads_and_writes_like_an_optional) {
  boxed<std::string> none;
  BOOST_TEST(!none.has_value());
  BOOST_TEST(none.value_or("fallback") == "fallback");
  BOOST_CHECK_THROW(none.value(), std::bad_optional_access);

  boxed<std::string> one = std::string("v");
  boxed<std::string> copy = one;
  *copy += "2";  // a deep copy: the original keeps its value
  BOOST_TEST(*one == "v");
  BOOST_TEST(*copy == "v2");
  BOOST_TEST(!(one == copy));
  copy = one;
  BOOST_TEST((one == copy));
  copy = std::nullopt;
  BOOST_TEST(!copy);
  copy.emplace(3, 'a');
  BOOST_TEST(*copy == "aaa");
  BOOST_TEST(copy->size() == 3u);
  std::optional<std::string> from_optional{"o"};
  boxed<std::string> converted = from_optional;
  BOOST_TEST(*converted == "o");
}
