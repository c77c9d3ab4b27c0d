// Tests api/field_manager.cpp: the manager a write is recorded under, and PatchOptions refused
// with Kubernetes' wording.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "api/field_manager.hpp"

namespace api = capstan::api;

BOOST_AUTO_TEST_CASE(patch_options_are_validated_as_kubernetes_words_it) {
  auto missing = api::validate_patch_options(true, "", false);
  BOOST_TEST(
      api::invalid_patch_options_message(missing) ==
      R"(PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch)");
  auto long_name = api::validate_patch_options(true, std::string(129, 'm'), false);
  BOOST_REQUIRE(long_name.size() == 1u);
  BOOST_TEST(long_name[0].field == "fieldManager");
  BOOST_TEST(api::validate_patch_options(true, std::string(128, 'm'), true).empty());
  auto force = api::validate_patch_options(false, "", true);
  BOOST_REQUIRE(force.size() == 1u);
  BOOST_TEST(force[0].to_string() == "force: Forbidden: may not be specified for non-apply patch");
  BOOST_TEST(api::validate_patch_options(false, "", false).empty());
  BOOST_TEST(!api::validate_patch_options(false, "bad\tname", false).empty());
}

BOOST_AUTO_TEST_CASE(the_manager_defaults_to_the_user_agent_prefix) {
  struct case_t {
    std::string field_manager, user_agent, expected;
  };
  const std::vector<case_t> cases = {
      {"kubectl-create", "kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd", "kubectl-create"},
      {"", "kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd", "kubectl"},
      {"", "python-requests/2.31.0", "python-requests"},
      {"", "OpenAPI-Generator/28.1.0/python", "OpenAPI-Generator"},
      {"", "curl\x01/8", "curl"},
      {"", std::string(200, 'a') + "/1", std::string(128, 'a')},
      {"", "", "unknown"},
  };
  for (const auto& c : cases)
    BOOST_TEST(api::manager_or_user_agent(c.field_manager, c.user_agent) == c.expected);
}
