// Tests nodeagent/image_store.cpp where it needs neither umoci, skopeo nor a registry: an image
// that is not on the node, with no registry to pull from, fails with the message the
// container's ErrImagePull shows; an unpack that fails says which image and leaves no bundle.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "nodeagent/image_store.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::nodeagent;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_CASE(an_image_not_here_without_a_registry_names_the_image) {
  test::temp_dir dir;
  auto image = find_image(dir.str(), "", "kubeguide/redis-master:v2");
  BOOST_TEST(image.path == "");
  BOOST_TEST(image.tag == "v2");
  BOOST_TEST(image.error == "image kubeguide/redis-master:v2 is not on this node and no "
                            "--registry is set");
  BOOST_TEST(fs::is_empty(dir.path));  // nothing pulled, nothing created
}

BOOST_AUTO_TEST_CASE(a_failed_unpack_names_the_image_and_leaves_no_bundle) {
  test::temp_dir dir;
  const std::string container_dir = dir.str() + "/containers/web";
  fs::create_directories(container_dir + "/bundle");
  std::ofstream(container_dir + "/config.base.json") << "{}";  // a previous life's
  image_layout missing{dir.str() + "/images/nothing", "latest", ""};
  try {
    unpack_image(missing, "nothing", container_dir);
    BOOST_FAIL("unpacking a layout that does not exist succeeded");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).rfind("umoci unpack nothing: ", 0) == 0u, e.what());
  }
  BOOST_TEST(fs::exists(container_dir));
  BOOST_TEST(!fs::exists(container_dir + "/config.base.json"));
}
