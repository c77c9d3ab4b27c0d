// Tests api/watch_events.cpp: the lines a watch sends for a sequence of journal records --
// ADDED, MODIFIED, DELETED as seen through the watch's namespace, label and field filters,
// silent catch-up before a future resourceVersion, and Table rows.
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "api/watch_events.hpp"
#include "messages/json_codec.hpp"
#include "store/apply.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::test;
using api::watch_events;
using api::watch_request;
using messages::json;
using store::apply;
using store::cluster_state;

namespace {

const int64_t now = 1764582000;

// Numbers records as the journal does, from 1.
struct journal {
  uint64_t seq = 0;
  journal_record operator()(journal_record r) {
    r.seq = ++seq;
    r.time_nanos = now * 1000000000LL;
    return r;
  }
};

// "TYPE name" for each event line, and the objects' resourceVersions.
struct events {
  std::vector<std::string> summary;
  std::vector<std::string> versions;
  std::vector<json> objects;
};

events read(const std::string& lines) {
  events out;
  std::istringstream in(lines);
  std::string line;
  while (std::getline(in, line)) {
    auto e = json::parse(line);
    const json& object = e.at("object");
    out.summary.push_back(e.at("type").get<std::string>() + " " +
                          object.at("metadata").at("name").get<std::string>());
    out.versions.push_back(object.at("metadata").value("resourceVersion", ""));
    out.objects.push_back(object);
  }
  return out;
}

watch_request pods_in(const std::string& ns, const std::string& labels = "") {
  watch_request r;
  r.kind = object_kind::pod;
  r.namespace_ = ns;
  if (!labels.empty())
    r.labels = std::get<label_selector>(label_selector::parse(labels));
  return r;
}

pod labelled(const std::string& name, const std::string& app, const std::string& ns = "default") {
  pod p = small_pod(name, ns);
  p.metadata.labels = {{"app", app}};
  return p;
}

using names = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_CASE(create_change_and_delete_make_added_modified_deleted) {
  journal j;
  watch_events w(pods_in("default"), {}, 0);
  pod a = small_pod("a");
  std::string out;
  w.process(j(created(a)), out, now);
  w.process(j(record_for(a, pod_bound{"node1"})), out, now);
  w.process(j(record_for(a, object_deleted{"gone"})), out, now);
  auto e = read(out);
  BOOST_TEST(e.summary == (names{"ADDED a", "MODIFIED a", "DELETED a"}),
             boost::test_tools::per_element());
  // Each object is as its record left it; DELETED carries the last state.
  BOOST_TEST(e.versions == (names{"1", "2", "2"}), boost::test_tools::per_element());
  BOOST_TEST(w.applied() == 3u);
  BOOST_TEST(e.objects[1].at("spec").at("nodeName") == "node1");
}

BOOST_AUTO_TEST_CASE(other_namespaces_kinds_and_old_records_make_no_event) {
  journal j;
  watch_events w(pods_in("default"), {}, 0);
  std::string out;
  w.process(j(created(small_pod("elsewhere", "shop"))), out, now);
  w.process(j(created(small_node("node1"))), out, now);
  auto first = j(created(small_pod("a")));
  w.process(first, out, now);
  w.process(first, out, now);  // delivered twice (the hub and the journal overlap): once
  BOOST_TEST(read(out).summary == (names{"ADDED a"}), boost::test_tools::per_element());
  BOOST_TEST(w.applied() == 3u);
}

BOOST_AUTO_TEST_CASE(a_label_change_moves_an_object_in_and_out_of_the_selection) {
  journal j;
  watch_events w(pods_in("", "app=web"), {}, 0);
  pod a = labelled("a", "db");
  std::string out;
  w.process(j(created(a)), out, now);                                       // not selected
  w.process(j(record_for(a, labels_changed{{{"app", "web"}}})), out, now);  // now it is
  w.process(j(record_for(a, labels_changed{{{"app", "web"}, {"v", "2"}}})), out, now);
  w.process(j(record_for(a, labels_changed{{{"app", "db"}}})), out, now);  // no longer
  w.process(j(record_for(a, object_deleted{})), out, now);                 // unseen
  auto e = read(out);
  BOOST_TEST(e.summary == (names{"ADDED a", "MODIFIED a", "DELETED a"}),
             boost::test_tools::per_element());
  // The DELETED of an object leaving the selection carries its new state.
  BOOST_TEST(e.objects[2].at("metadata").at("labels") == json::parse(R"({"app":"db"})"));
}

BOOST_AUTO_TEST_CASE(a_field_selector_filters_by_node) {
  journal j;
  watch_request r = pods_in("");
  r.fields = std::get<field_selector>(field_selector::parse("spec.nodeName=node1", r.kind));
  watch_events w(r, {}, 0);
  pod a = small_pod("a"), b = small_pod("b");
  std::string out;
  w.process(j(created(a)), out, now);
  w.process(j(created(b)), out, now);
  w.process(j(record_for(b, pod_bound{"node2"})), out, now);
  w.process(j(record_for(a, pod_bound{"node1"})), out, now);
  BOOST_TEST(read(out).summary == (names{"ADDED a"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_initial_state_is_added_and_catch_up_is_silent) {
  journal j;
  cluster_state copy;
  pod a = small_pod("a"), b = labelled("b", "web");
  apply(copy, j(created(a)));
  apply(copy, j(created(b)));
  watch_events w(pods_in("default", "app=web"), copy, 2);
  BOOST_TEST(read(w.initial_events(2, now)).summary == (names{"ADDED b"}),
             boost::test_tools::per_element());

  // A watch from resourceVersion 4: record 3 changes the copy without an event, 4 neither,
  // 5 is the first change sent.
  w.set_emit_after(4);
  std::string out;
  w.process(j(record_for(b, pod_bound{"n1"})), out, now);
  w.process(j(record_for(b, pod_bound{"n2"})), out, now);
  BOOST_TEST(out.empty());
  BOOST_TEST(w.applied() == 4u);
  w.process(j(record_for(b, object_deleted{})), out, now);
  auto e = read(out);
  BOOST_TEST(e.summary == (names{"DELETED b"}), boost::test_tools::per_element());
  BOOST_TEST(json::parse(out).at("object").at("spec").at("nodeName") == "n2");
}

BOOST_AUTO_TEST_CASE(a_record_that_cannot_apply_makes_no_event) {
  journal j;
  watch_events w(pods_in("default"), {}, 0);
  std::string out;
  // A bind of a pod the copy does not hold.
  w.process(j(record_for(small_pod("ghost"), pod_bound{"n1"})), out, now);
  BOOST_TEST(out.empty());
  BOOST_TEST(w.applied() == 1u);
}

BOOST_AUTO_TEST_CASE(a_table_watch_sends_one_row_tables) {
  journal j;
  watch_request r = pods_in("default");
  r.table = true;
  watch_events w(r, {}, 0);
  std::string out;
  pod a = small_pod("a");
  a.metadata.creation_timestamp = timestamp{now - 300};
  w.process(j(created(a)), out, now);
  auto e = json::parse(out);
  BOOST_TEST(e.at("type") == "ADDED");
  BOOST_TEST(e.at("object").at("kind") == "Table");
  BOOST_TEST(e.at("object").at("metadata").at("resourceVersion") == "1");
  BOOST_REQUIRE(e.at("object").at("rows").size() == 1u);
  auto cells = e.at("object").at("rows")[0].at("cells");
  BOOST_TEST(cells[0] == "a");
  BOOST_TEST(cells[4] == "5m");  // the age from `now`
}
