// Tests messages/defaults.cpp: the values Kubernetes gives omitted fields.
#include <boost/test/unit_test.hpp>

#include "messages/defaults.hpp"
#include "messages/json_codec.hpp"

using namespace capstan::messages;

BOOST_AUTO_TEST_CASE(pods_get_restart_policy_protocol_pull_policy_and_requests) {
  any_object o = pod{};
  auto& p = std::get<pod>(o);
  p.metadata.name = "p";
  container c;
  c.name = "c";
  c.image = "nginx";
  c.ports.push_back({"", 0, 80, "", ""});
  c.resources.limits["cpu"] = *quantity::parse("0.5");
  c.resources.requests["memory"] = *quantity::parse("64Mi");
  p.spec.containers.push_back(c);
  container tagged = c;
  tagged.name = "t";
  tagged.image = "registry:5000/redis:7.0";
  p.spec.containers.push_back(tagged);
  p.spec.volumes.push_back({"data", {}, {}, {}});
  apply_defaults(o);
  BOOST_TEST(p.metadata.namespace_ == "default");
  BOOST_TEST(p.spec.restart_policy == "Always");
  BOOST_TEST(p.spec.dns_policy == "ClusterFirst");
  BOOST_TEST(*p.spec.termination_grace_period_seconds == 30);
  BOOST_TEST(p.spec.containers[0].ports[0].protocol == "TCP");
  BOOST_TEST(p.spec.containers[0].image_pull_policy == "Always");
  BOOST_TEST(p.spec.containers[1].image_pull_policy == "IfNotPresent");
  BOOST_TEST(p.spec.containers[0].resources.requests.at("cpu").milli() == 500);
  BOOST_TEST(p.spec.containers[0].resources.requests.at("memory").text() == "64Mi");
  BOOST_TEST(p.spec.volumes[0].empty_dir.has_value());
  // Idempotent.
  std::string once = to_json(o).dump();
  apply_defaults(o);
  BOOST_TEST(to_json(o).dump() == once);
}

BOOST_AUTO_TEST_CASE(services_get_cluster_ip_type_tcp_and_target_port) {
  any_object o = service{};
  auto& s = std::get<service>(o);
  s.spec.ports.push_back({"", "", 6379, {}, 0});
  s.spec.ports.push_back({"", "UDP", 53, int_or_string::of("dns"), 0});
  apply_defaults(o);
  BOOST_TEST(s.spec.type == "ClusterIP");
  BOOST_TEST(s.spec.session_affinity == "None");
  BOOST_TEST(s.spec.ports[0].protocol == "TCP");
  BOOST_TEST(s.spec.ports[0].target_port.int_value == 6379);
  BOOST_TEST(s.spec.ports[1].protocol == "UDP");
  BOOST_TEST(s.spec.ports[1].target_port.string_value == "dns");
}

BOOST_AUTO_TEST_CASE(replication_controllers_get_replicas_selector_and_labels) {
  any_object o = replication_controller{};
  auto& rc = std::get<replication_controller>(o);
  rc.spec.template_ = pod_template_spec{};
  rc.spec.template_->metadata.labels = {{"name", "frontend"}};
  apply_defaults(o);
  BOOST_TEST(*rc.spec.replicas == 1);
  BOOST_TEST(rc.spec.selector.at("name") == "frontend");
  BOOST_TEST(rc.metadata.labels.at("name") == "frontend");
  BOOST_TEST(rc.spec.template_->spec.restart_policy == "Always");
  // An explicit 0 stays 0.
  any_object zero = replication_controller{};
  std::get<replication_controller>(zero).spec.replicas = 0;
  apply_defaults(zero);
  BOOST_TEST(*std::get<replication_controller>(zero).spec.replicas == 0);
}

BOOST_AUTO_TEST_CASE(cluster_scoped_kinds_get_no_namespace) {
  any_object n = node{};
  apply_defaults(n);
  BOOST_TEST(meta_of(n).namespace_.empty());
  any_object ns = namespace_object{};
  apply_defaults(ns);
  BOOST_TEST(std::get<namespace_object>(ns).status.phase == "Active");
}

BOOST_AUTO_TEST_CASE(limit_ranges_default_from_max) {
  any_object o = limit_range{};
  auto& lr = std::get<limit_range>(o);
  limit_range_item item;
  item.type = "Container";
  item.max["cpu"] = *quantity::parse("2");
  lr.spec.limits.push_back(item);
  apply_defaults(o);
  BOOST_TEST(lr.spec.limits[0].default_.at("cpu").milli() == 2000);
  BOOST_TEST(lr.spec.limits[0].default_request.at("cpu").milli() == 2000);
}
