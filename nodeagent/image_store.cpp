// OCI images on the node: found or pulled into DATA/images, unpacked into bundles.
#include "nodeagent/image_store.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "common/process.hpp"
#include "nodeagent/runc_bundle.hpp"

namespace capstan::nodeagent {

namespace fs = std::filesystem;
using common::run_process;

image_layout find_image(const std::string& images_dir, const std::string& registry,
                        const std::string& image) {
  const auto [name, tag] = image_reference(image);
  std::string dir = name;
  std::replace(dir.begin(), dir.end(), '/', '_');
  const std::string layout = images_dir + "/" + dir;
  auto has_tag = [&layout, tag = tag] {
    auto r = run_process({"umoci", "ls", "--layout", layout});
    return r.ok() && ("\n" + r.output).find("\n" + tag + "\n") != std::string::npos;
  };
  if (fs::exists(layout + "/index.json") && has_tag())
    return {layout, tag, ""};
  if (registry.empty())
    return {"", tag, "image " + image + " is not on this node and no --registry is set"};
  auto r = run_process({"skopeo", "copy", "--quiet", "--src-tls-verify=false",
                        "docker://" + registry + "/" + name + ":" + tag,
                        "oci:" + layout + ":" + tag});
  if (!r.ok())
    return {"", tag, "failed to pull image \"" + image + "\": " + r.output.substr(0, 300)};
  return {layout, tag, ""};
}

void unpack_image(const image_layout& layout, const std::string& image,
                  const std::string& container_dir) {
  const std::string bundle = container_dir + "/bundle";
  fs::remove_all(container_dir);
  fs::create_directories(container_dir);
  auto r = run_process({"umoci", "unpack", "--image", layout.path + ":" + layout.tag, bundle});
  if (!r.ok())
    throw std::runtime_error("umoci unpack " + image + ": " + r.output);
  fs::copy_file(bundle + "/config.json", container_dir + "/config.base.json");
}

}  // namespace capstan::nodeagent
