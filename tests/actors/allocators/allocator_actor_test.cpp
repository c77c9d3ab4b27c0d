// Tests actors/allocators/allocator_actor.cpp: what an update reserves stays consistent with
// the journal whether the update is journaled or not.
#include <boost/test/unit_test.hpp>

#include "actors/allocators/allocator_actor.hpp"
#include "store/apply.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;

namespace {

messages::service node_port_service(const std::string& name, int32_t node_port) {
  messages::service s;
  s.metadata.name = name;
  s.metadata.namespace_ = "default";
  s.metadata.uid = "uid-" + name;
  s.spec.type = "NodePort";
  s.spec.cluster_ip = name == "a" ? "10.254.0.10" : "";
  messages::service_port p;
  p.port = 80;
  p.node_port = node_port;
  s.spec.ports.push_back(p);
  return s;
}

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  std::unique_ptr<read_model> model;
  allocator_actor allocator;

  explicit fixture(const messages::service& committed) {
    store::cluster_state s;
    auto r = created(committed);
    r.seq = 1;
    store::apply(s, r);
    model = std::make_unique<read_model>(std::move(s));
    allocator = spawn_allocator(system, allocator_config{}, *model);
  }
  ~fixture() { self->send_exit(allocator, caf::exit_reason::user_shutdown); }

  command_reply allocate(const messages::service& s) {
    command_reply out;
    self->request(allocator, caf::infinite, allocate_atom::value, any_object(s))
        .receive([&](command_reply& r) { out = std::move(r); },
                 [&](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
    return out;
  }
};

}  // namespace

// Regression (found by the simulation, seed 397): an update that moved a service to another
// NodePort freed the old one at once; when the update's append then failed, the journal still
// gave the old port to the service and the allocator handed it to another service.
BOOST_AUTO_TEST_CASE(an_update_that_was_not_journaled_keeps_the_old_node_port) {
  const auto a = node_port_service("a", 30003);
  fixture f(a);
  auto moved = f.allocate(node_port_service("a", 30005));
  BOOST_REQUIRE(moved.ok());
  // The update's append failed: the service stays as journaled.
  f.self->send(f.allocator, settle_atom::value, any_object(a));
  auto other = f.allocate(node_port_service("b", 30003));
  BOOST_TEST(!other.ok());                                     // still a's
  BOOST_TEST(f.allocate(node_port_service("c", 30005)).ok());  // freed by the settle
}

BOOST_AUTO_TEST_CASE(an_update_that_was_journaled_frees_the_old_node_port) {
  fixture f(node_port_service("a", 30003));
  auto moved = f.allocate(node_port_service("a", 30005));
  BOOST_REQUIRE(moved.ok());
  BOOST_TEST(!f.allocate(node_port_service("b", 30003)).ok());  // not before the settle
  f.self->send(f.allocator, settle_atom::value, *moved.object);
  BOOST_TEST(f.allocate(node_port_service("b", 30003)).ok());
  BOOST_TEST(!f.allocate(node_port_service("c", 30005)).ok());
}
