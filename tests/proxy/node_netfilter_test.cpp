// Tests proxy/node_netfilter.cpp: a failing iptables-restore is reported as a failure, also while
// orphans are collected (issue #13: it used to read as success). Rules are only ever restored in
// a network namespace of the test's own thread, never in the root namespace.
#include <boost/test/unit_test.hpp>

#include <sched.h>
#include <unistd.h>

#include <functional>
#include <stdexcept>
#include <thread>

#include "proxy/node_netfilter.hpp"
#include "tests/common/orphan_maker.hpp"

using namespace capstan;

namespace {

// Rules iptables-restore rejects: a rule in a chain that does not exist.
const std::string bad_rules = "*filter\n-A CAPSTAN-NO-SUCH-CHAIN -j ACCEPT\nCOMMIT\n";
const std::string good_rules =
    "*filter\n:CAPSTAN-TEST - [0:0]\n-A CAPSTAN-TEST -j RETURN\nCOMMIT\n";

bool restore_fails(const std::string& rules) {
  try {
    proxy::restore_rules(rules);
    return false;
  } catch (const std::runtime_error&) {
    return true;
  }
}

// Runs `body` on a thread of its own in a new, empty network namespace (a thread's namespace is
// its own, and the children it starts inherit it); the namespace goes when the thread ends.
// False when the namespace cannot be made (not root).
bool in_own_network_namespace(const std::function<void()>& body) {
  bool made = false;
  std::thread([&] {
    made = unshare(CLONE_NEWNET) == 0;
    if (made)
      body();
  }).join();
  return made;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_failing_iptables_restore_is_a_failure_while_orphans_are_collected) {
  if (!common::run_process({"iptables-restore", "--version"}).ok()) {
    BOOST_TEST_MESSAGE("iptables-restore is not installed: skipped");
    return;
  }
  test::orphan_maker orphans;
  BOOST_REQUIRE(orphans.subreaper());
  int misread = 0, good_failed = 0;
  bool isolated = in_own_network_namespace([&] {
    for (int i = 0; i < 100; ++i) {
      misread += !restore_fails(bad_rules);
      good_failed += restore_fails(good_rules);
    }
  });
  if (!isolated && geteuid() == 0) {
    BOOST_TEST_MESSAGE(
        "root, but no network namespace of our own: skipped, so as not to touch "
        "the node's rules");
    return;
  }
  if (!isolated) {
    // Not root: iptables-restore fails for want of permission, which must read as failure too.
    BOOST_TEST_MESSAGE("not root: only failures are checked (successes need root)");
    for (int i = 0; i < 100; ++i)
      misread += !restore_fails(bad_rules);
  }
  orphans.stop();
  BOOST_TEST(misread == 0);
  BOOST_TEST(good_failed == 0);
  BOOST_TEST(orphans.failures() == 0);
  BOOST_TEST(orphans.made() > 0);
}
