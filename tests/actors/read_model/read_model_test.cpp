// Tests actors/read_model/read_model.cpp: its pod indexes (by label, by node) answer exactly
// what a scan of every pod answers, through a seeded random history of creates, relabels,
// updates, binds and deletes.
#include <boost/test/unit_test.hpp>

#include <random>

#include "actors/read_model/read_model.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;

namespace {

const std::vector<std::string> namespaces = {"default", "prod"};
const std::vector<std::string> nodes = {"n1", "n2", "n3"};
const std::vector<std::string> apps = {"web", "db", "cache"};
const std::vector<std::string> tiers = {"front", "back"};

messages::label_selector selector(const std::string& text) {
  return std::get<messages::label_selector>(messages::label_selector::parse(text));
}

std::set<std::string> names(const read_model& model, const std::string& ns,
                            const messages::label_selector& sel) {
  std::set<std::string> out;
  model.for_each_pod(ns, sel, [&](const messages::pod& p) { out.insert(p.metadata.name); });
  return out;
}

std::set<std::string> scanned(const read_model& model, const std::string& ns,
                              const messages::label_selector& sel) {
  std::set<std::string> out;
  model.read([&](const store::cluster_state& s) {
    for (const auto& [key, o] : s.of(object_kind::pod))
      if (key.namespace_ == ns && sel.matches(messages::meta_of(o).labels))
        out.insert(key.name);
  });
  return out;
}

std::set<std::string> on_node(const read_model& model, const std::string& node) {
  std::set<std::string> out;
  model.for_each_pod_on_node(node, [&](const store::cluster_state&, const messages::pod& p) {
    out.insert(p.metadata.namespace_ + "/" + p.metadata.name);
  });
  return out;
}

std::set<std::string> scanned_on_node(const read_model& model, const std::string& node) {
  std::set<std::string> out;
  model.read([&](const store::cluster_state& s) {
    for (const auto& [key, o] : s.of(object_kind::pod))
      if (std::get<messages::pod>(o).spec.node_name == node)
        out.insert(key.namespace_ + "/" + key.name);
  });
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_indexes_answer_what_a_scan_answers) {
  std::mt19937 rng(20261202);
  auto pick = [&](const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
  };
  read_model model{store::cluster_state{}};
  std::map<std::pair<std::string, std::string>, messages::pod> alive;
  uint64_t seq = 0;
  const std::vector<std::string> selectors = {
      "",  "app=web", "app=db,tier=front", "app in (web,cache)", "app!=web", "!tier", "tier",
      "app=web,tier notin (back)"};
  for (int step = 0; step < 400; ++step) {
    std::vector<messages::journal_record> batch;
    for (int n = 0; n < 1 + step % 4; ++n) {
      int action = std::uniform_int_distribution<int>(0, 9)(rng);
      if (alive.empty() || action < 4) {
        auto p = small_pod("p" + std::to_string(step) + "-" + std::to_string(n), pick(namespaces));
        p.metadata.labels = {{"app", pick(apps)}};
        if (action % 2)
          p.metadata.labels["tier"] = pick(tiers);
        alive[{p.metadata.namespace_, p.metadata.name}] = p;
        batch.push_back(created(p));
        continue;
      }
      auto it = alive.begin();
      std::advance(it, std::uniform_int_distribution<std::size_t>(0, alive.size() - 1)(rng));
      auto& p = it->second;
      if (action == 4) {
        p.metadata.labels = {{"app", pick(apps)}, {"tier", pick(tiers)}};
        batch.push_back(record_for(p, messages::labels_changed{p.metadata.labels}));
      } else if (action == 5) {
        p.metadata.labels.erase("tier");
        p.spec.containers[0].image = "nginx:" + std::to_string(step);
        batch.push_back(record_for(p, messages::object_updated{p}));
      } else if (action <= 7 && p.spec.node_name.empty()) {
        p.spec.node_name = pick(nodes);
        batch.push_back(record_for(p, messages::pod_bound{p.spec.node_name}));
      } else {
        batch.push_back(record_for(p, messages::object_deleted{"test"}));
        alive.erase(it);
      }
    }
    for (auto& r : batch)
      r.seq = ++seq;
    model.apply(batch);
    for (const auto& ns : namespaces)
      for (const auto& text : selectors)
        BOOST_REQUIRE_MESSAGE(names(model, ns, selector(text)) == scanned(model, ns, selector(text)),
                              "step " << step << ", namespace " << ns << ", selector " << text);
    std::set<std::string> bound_to;
    for (const auto& node : nodes) {
      BOOST_REQUIRE_MESSAGE(on_node(model, node) == scanned_on_node(model, node),
                            "step " << step << ", node " << node);
      if (!on_node(model, node).empty())
        bound_to.insert(node);
    }
    auto listed = model.nodes_with_pods();
    BOOST_REQUIRE((std::set<std::string>(listed.begin(), listed.end()) == bound_to));
  }
  BOOST_TEST(model.seq() == seq);
  BOOST_TEST(!alive.empty());  // the history ended with pods alive: the checks saw some
}

BOOST_AUTO_TEST_CASE(lists_filter_by_namespace_labels_and_fields) {
  read_model model{store::cluster_state{}};
  auto a = small_pod("a", "default");
  auto b = small_pod("b", "prod");
  auto c = small_pod("c", "default");
  c.metadata.labels = {{"app", "db"}};
  std::vector<messages::journal_record> batch = {created(a), created(b), created(c),
                                                 record_for(c, messages::pod_bound{"n1"})};
  uint64_t seq = 0;
  for (auto& r : batch)
    r.seq = ++seq;
  model.apply(batch);
  auto all = model.list(object_kind::pod, "");
  BOOST_TEST(all.items.size() == 3u);
  BOOST_TEST(all.seq == 4u);
  BOOST_TEST(model.list(object_kind::pod, "default").items.size() == 2u);
  BOOST_TEST(model.list(object_kind::pod, "default", selector("app=db")).items.size() == 1u);
  auto on_n1 = std::get<messages::field_selector>(
      messages::field_selector::parse("spec.nodeName=n1", object_kind::pod));
  auto listed = model.list(object_kind::pod, "", {}, on_n1);
  BOOST_REQUIRE(listed.items.size() == 1u);
  BOOST_TEST(messages::meta_of(listed.items[0]).name == "c");
}

// The indexes let go of a pod before a record about it applies and take it back after; a record
// that cannot apply (here: out of sequence) leaves the pod indexed as it was, and lists come in
// key order from an index as from a scan.
BOOST_AUTO_TEST_CASE(a_record_that_cannot_apply_leaves_the_indexes_as_they_were) {
  read_model model{store::cluster_state{}};
  auto b = small_pod("b");
  auto a = small_pod("a");
  b.metadata.labels = a.metadata.labels = {{"app", "web"}};
  std::vector<messages::journal_record> batch = {created(b), created(a),
                                                 record_for(b, messages::pod_bound{"n1"}),
                                                 record_for(a, messages::pod_bound{"n1"})};
  uint64_t seq = 0;
  for (auto& r : batch)
    r.seq = ++seq;
  model.apply(batch);
  auto late_delete = record_for(b, messages::object_deleted{"test"});
  late_delete.seq = seq + 2;  // a gap: apply refuses it
  BOOST_CHECK_THROW(model.apply({late_delete}), std::exception);
  BOOST_TEST(model.seq() == seq);
  auto on_n1 = std::get<messages::field_selector>(
      messages::field_selector::parse("spec.nodeName=n1", object_kind::pod));
  auto by_node = model.list(object_kind::pod, "", {}, on_n1);
  BOOST_REQUIRE(by_node.items.size() == 2u);
  BOOST_TEST(messages::meta_of(by_node.items[0]).name == "a");
  BOOST_TEST(messages::meta_of(by_node.items[1]).name == "b");
  auto by_label = model.list(object_kind::pod, "default", selector("app=web"));
  BOOST_REQUIRE(by_label.items.size() == 2u);
  BOOST_TEST(messages::meta_of(by_label.items[0]).name == "a");
  BOOST_TEST(on_node(model, "n1") == (std::set<std::string>{"default/a", "default/b"}));
}

// Events a node reported are listed with the derived ones: only for a pod that exists with that
// uid, aggregated (count) when the same reason and message come again, named apart otherwise.
BOOST_AUTO_TEST_CASE(reported_events_are_kept_for_existing_pods_and_aggregated) {
  read_model model{store::cluster_state{}};
  auto p = small_pod("web");
  auto create = created(p);
  create.seq = 1;
  model.apply({create});
  auto event = [&](const std::string& uid, const std::string& reason, const std::string& message) {
    messages::object_reference involved;
    involved.kind = "Pod";
    involved.namespace_ = "default";
    involved.name = "web";
    involved.uid = uid;
    return reported_event{involved, "Warning", reason, message, {"kubelet", "node1"}};
  };
  auto events_of = [&] {
    return model.list(object_kind::event, "default").items;
  };
  const auto before = events_of().size();
  model.record_reported_events({event(p.metadata.uid, "FailedMount", "no server"),
                                event(p.metadata.uid, "FailedMount", "no server"),
                                event(p.metadata.uid, "Unhealthy", "Readiness probe failed"),
                                event("uid-other", "FailedMount", "an older pod's")});
  auto items = events_of();
  BOOST_REQUIRE(items.size() == before + 2);
  int failed_mount = 0;
  for (const auto& o : items) {
    const auto& e = std::get<messages::event>(o);
    if (e.reason != "FailedMount")
      continue;
    ++failed_mount;
    BOOST_TEST(e.count == 2);
    BOOST_TEST(e.message == "no server");
    BOOST_TEST(e.involved_object.uid == p.metadata.uid);
    BOOST_TEST(e.source.host == "node1");
    BOOST_TEST(e.metadata.resource_version == "1");
  }
  BOOST_TEST(failed_mount == 1);
}
