// Tests api/patch.cpp: the three PATCH flavours as kubectl sends them, refusals of operations
// that do not fit the document (never a crash), and costs that stay linear in the patch size.
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "api/patch.hpp"
#include "tests/sanitizers/budget.hpp"

using capstan::api::json_patch;
using capstan::api::merge_patch;
using capstan::api::strategic_merge_patch;
using capstan::messages::json;

namespace {

json j(const char* text) {
  return json::parse(text);
}

}  // namespace

BOOST_AUTO_TEST_CASE(merge_patch_sets_replaces_and_removes) {
  auto out = merge_patch(j(R"({"a":1,"b":{"c":2,"d":3},"e":[1,2]})"),
                         j(R"({"a":null,"b":{"c":5},"e":[3],"f":"new"})"));
  BOOST_TEST(out == j(R"({"b":{"c":5,"d":3},"e":[3],"f":"new"})"));
  // Order: kept members stay where they were, new ones come last.
  BOOST_TEST(out.dump() == R"({"b":{"c":5,"d":3},"e":[3],"f":"new"})");
}

BOOST_AUTO_TEST_CASE(strategic_merge_patch_merges_lists_by_their_keys) {
  auto pod = j(R"({"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]}})");
  auto out = strategic_merge_patch(
      pod, j(R"({"spec":{"containers":[{"name":"b","image":"z"},{"name":"c","image":"w"}]}})"));
  BOOST_TEST(out == j(R"({"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"z"},
                                                 {"name":"c","image":"w"}]}})"));
  out = strategic_merge_patch(pod, j(R"({"spec":{"containers":[{"name":"a","$patch":"delete"}]}})"));
  BOOST_TEST(out == j(R"({"spec":{"containers":[{"name":"b","image":"y"}]}})"));
  // Lists without a merge key are replaced.
  out = strategic_merge_patch(j(R"({"args":["a","b"]})"), j(R"({"args":["c"]})"));
  BOOST_TEST(out == j(R"({"args":["c"]})"));
}

BOOST_AUTO_TEST_CASE(json_patch_applies_rfc_6902_operations) {
  std::string error;
  auto out = json_patch(j(R"({"a":[1,2,3],"b":{"c":1}})"),
                        j(R"([{"op":"add","path":"/a/1","value":9},
                              {"op":"add","path":"/a/-","value":7},
                              {"op":"remove","path":"/b/c"},
                              {"op":"replace","path":"/a/0","value":0},
                              {"op":"move","from":"/a/4","path":"/b/m"},
                              {"op":"copy","from":"/b/m","path":"/d"},
                              {"op":"test","path":"/d","value":7}])"),
                        &error);
  BOOST_REQUIRE_MESSAGE(out.has_value(), error);
  BOOST_TEST(*out == j(R"({"a":[0,9,2,3],"b":{"m":7},"d":7})"));
}

// Regression: an index past the end or negative was used as an iterator offset (a crash).
BOOST_AUTO_TEST_CASE(json_patch_refuses_what_does_not_fit) {
  const char* bad[] = {
      R"([{"op":"add","path":"/a/99","value":1}])",
      R"([{"op":"add","path":"/a/-5","value":1}])",
      R"([{"op":"remove","path":"/a/3"}])",
      R"([{"op":"remove","path":"/a/x"}])",
      R"([{"op":"remove","path":"/nope/0"}])",
      R"([{"op":"add","path":"/nope/x","value":1}])",
      R"([{"op":"replace","path":"/zz","value":1}])",
      R"([{"op":"add","path":"/a/1"}])",
      R"([{"op":"move","from":"/zz","path":"/a/0"}])",
      R"([{"op":"test","path":"/a/0","value":5}])",
      R"([{"op":"frobnicate","path":"/a"}])",
      R"([{"op":7,"path":"/a"}])",
      R"([["add"]])",
      R"([{"op":"add","path":"no-slash","value":1}])",
      R"({"op":"add"})",
  };
  for (const char* ops : bad) {
    std::string error;
    auto out = json_patch(j(R"({"a":[1,2,3]})"), j(ops), &error);
    BOOST_TEST(!out.has_value(), ops);
    BOOST_TEST(!error.empty(), ops);
  }
}

// Regression: ordered_json looks keys up linearly, so merging n keys into an object of n keys
// cost n^2 comparisons (a 3 MiB body of labels took minutes of CPU).
BOOST_AUTO_TEST_CASE(large_patches_cost_linear_time) {
  json target = json::object(), patch = json::object(), list = json::array(),
       list_patch = json::array();
  for (int i = 0; i < 50000; ++i) {
    target["k" + std::to_string(i)] = "v";
    patch["k" + std::to_string(i * 2)] = i % 3 ? json("w") : json(nullptr);
    list.push_back({{"name", "c" + std::to_string(i)}, {"image", "x"}});
    list_patch.push_back({{"name", "c" + std::to_string(i * 2)}, {"image", "y"}});
  }
  auto started = std::chrono::steady_clock::now();
  auto merged = merge_patch(target, patch);
  auto strategic = strategic_merge_patch(json{{"containers", list}}, json{{"containers", list_patch}});
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::size_t expected = 50000;
  for (int i = 0; i < 50000; ++i)
    expected += (i * 2 < 50000) ? (i % 3 ? 0 : -1) : (i % 3 ? 1 : 0);
  BOOST_TEST(merged.size() == expected);
  BOOST_TEST(merged["k2"] == "w");
  BOOST_TEST(!merged.contains("k0"));
  BOOST_TEST(strategic["containers"].size() == 75000u);
  BOOST_TEST(seconds < 2.0 * capstan::test::sanitizer_time_factor, "took " << seconds << " s");
}

// Regression: copying the document into itself doubles it; 40 such operations in a body of a
// few hundred bytes would need terabytes.
BOOST_AUTO_TEST_CASE(json_patch_bounds_what_it_copies) {
  json ops = json::array();
  for (int i = 0; i < 40; ++i)
    ops.push_back({{"op", "copy"}, {"from", ""}, {"path", "/c" + std::to_string(i)}});
  std::string error;
  auto started = std::chrono::steady_clock::now();
  auto out = json_patch(j(R"({"a":[1,2,3]})"), ops, &error);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  BOOST_TEST(!out.has_value());
  BOOST_TEST(error.find("copies more than") != std::string::npos, error);
  BOOST_TEST(seconds < 2.0 * capstan::test::sanitizer_time_factor, "took " << seconds << " s");
}
