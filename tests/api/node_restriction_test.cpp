// Tests api/node_restriction.cpp: a node may relabel itself, but not with the labels that
// steer workloads or claim an identity, nor rebind its Node to another key; other users and
// other kinds pass.
#include <boost/test/unit_test.hpp>

#include "api/node_restriction.hpp"

using namespace capstan;
using namespace capstan::api;

namespace {

const auth::user_identity edge1{"system:node:edge1", "", {"system:nodes", "system:authenticated"}};
const auth::user_identity admin{"admin", "", {"system:masters", "system:authenticated"}};

messages::any_object node_with(messages::string_map labels, messages::string_map annotations = {
                                                                {"capstan.io/node-key-sha256", "k1"}}) {
  messages::node n;
  n.metadata.name = "edge1";
  n.metadata.labels = std::move(labels);
  n.metadata.annotations = std::move(annotations);
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(which_labels_a_node_may_set_on_itself) {
  for (const char* key : {"team", "example.com/rack", "kubernetes.io/hostname", "kubernetes.io/arch",
                          "topology.kubernetes.io/zone", "node.kubernetes.io/instance-type",
                          "kubelet.kubernetes.io/x", "a.node.kubernetes.io/y",
                          "notkubernetes.io/z"})
    BOOST_TEST(node_may_set_label(key), key);
  for (const char* key : {"node-restriction.kubernetes.io/secure", "a.node-restriction.kubernetes.io/b",
                          "node-role.kubernetes.io/control-plane", "kubernetes.io/role",
                          "k8s.io/x", "x.k8s.io/y", "example.kubernetes.io/z"})
    BOOST_TEST(!node_may_set_label(key), key);
}

BOOST_AUTO_TEST_CASE(a_node_changing_forbidden_labels_or_its_key_is_refused) {
  auto before = node_with({{"node-restriction.kubernetes.io/pci", "yes"}, {"team", "a"}});
  BOOST_TEST(!node_restriction_refusal(edge1, &before,
                                       node_with({{"node-restriction.kubernetes.io/pci", "yes"},
                                                  {"team", "b"}}))
                  .has_value());
  auto removed = node_restriction_refusal(edge1, &before, node_with({{"team", "a"}}));
  BOOST_TEST(removed.value_or("") ==
             "is not allowed to modify labels: node-restriction.kubernetes.io/pci");
  auto added = node_restriction_refusal(
      edge1, &before,
      node_with({{"node-restriction.kubernetes.io/pci", "yes"}, {"team", "a"},
                 {"node-role.kubernetes.io/master", ""}, {"k8s.io/x", "1"}}));
  BOOST_TEST(added.value_or("") == "is not allowed to modify labels: k8s.io/x, node-role.kubernetes.io/master");
  auto rekeyed = node_restriction_refusal(
      edge1, &before,
      node_with({{"node-restriction.kubernetes.io/pci", "yes"}, {"team", "a"}},
                {{"capstan.io/node-key-sha256", "k2"}}));
  BOOST_TEST(rekeyed.value_or("") ==
             "is not allowed to modify the annotation capstan.io/node-key-sha256");
  BOOST_TEST(node_restriction_refusal(edge1, &before,
                                      node_with({{"node-restriction.kubernetes.io/pci", "yes"},
                                                 {"team", "a"}},
                                                {}))
                 .has_value());
  BOOST_TEST(node_restriction_refusal(edge1, nullptr, node_with({{"kubernetes.io/role", "x"}}))
                 .has_value());
}

BOOST_AUTO_TEST_CASE(other_users_and_kinds_pass) {
  auto before = node_with({});
  BOOST_TEST(!node_restriction_refusal(admin, &before,
                                       node_with({{"node-restriction.kubernetes.io/pci", "yes"}}, {}))
                  .has_value());
  messages::pod p;
  p.metadata.labels = {{"node-restriction.kubernetes.io/pci", "yes"}};
  BOOST_TEST(!node_restriction_refusal(edge1, nullptr, messages::any_object(p)).has_value());
}
