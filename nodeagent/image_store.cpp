// OCI images on the node: found or pulled into DATA/images, unpacked into bundles.
#include "nodeagent/image_store.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "common/process.hpp"
#include "nodeagent/runc_bundle.hpp"

namespace capstan::nodeagent {

namespace fs = std::filesystem;
using common::run_process;

namespace {

// The registry host an image names (its first path component when that has a '.' or ':' or is
// localhost, as Docker reads it), "" when it names none.
std::string registry_of(const std::string& name) {
  auto slash = name.find('/');
  if (slash == std::string::npos)
    return "";
  std::string first = name.substr(0, slash);
  return first.find_first_of(".:") != std::string::npos || first == "localhost" ? first : "";
}

std::string host_of(const std::string& registry) {
  return registry.substr(0, registry.rfind(':') == std::string::npos ? registry.size()
                                                                     : registry.rfind(':'));
}

// A 0600 file holding `content` under `dir`, removed when the guard goes.
struct private_file {
  std::string path;
  private_file(const std::string& dir, const std::string& content) {
    std::string name = dir + "/.pull-auth-XXXXXX";
    int fd = ::mkstemp(name.data());  // mode 0600
    if (fd < 0)
      throw std::runtime_error("cannot create a file in " + dir);
    path = name;
    std::size_t written = 0;
    while (written < content.size()) {
      ssize_t n = ::write(fd, content.data() + written, content.size() - written);
      if (n <= 0) {
        ::close(fd);
        throw std::runtime_error("cannot write " + path);
      }
      written += static_cast<std::size_t>(n);
    }
    ::close(fd);
  }
  ~private_file() {
    std::error_code ec;
    fs::remove(path, ec);
  }
  private_file(const private_file&) = delete;
  private_file& operator=(const private_file&) = delete;
};

}  // namespace

image_layout find_image(const std::string& images_dir, const std::string& registry,
                        const std::string& image, const std::string& auth_file_json) {
  const auto [name, tag] = image_reference(image);
  std::string dir = name;
  std::replace(dir.begin(), dir.end(), '/', '_');
  std::replace(dir.begin(), dir.end(), ':', '_');  // oci:PATH:TAG must not see another ':'
  const std::string layout = images_dir + "/" + dir;
  auto has_tag = [&layout, tag = tag] {
    auto r = run_process({"umoci", "ls", "--layout", layout});
    return r.ok() && ("\n" + r.output).find("\n" + tag + "\n") != std::string::npos;
  };
  if (fs::exists(layout + "/index.json") && has_tag())
    return {layout, tag, ""};
  // An image naming its registry is pulled from there; others from --registry.
  const std::string named = registry_of(name);
  const std::string source = named.empty() ? registry + "/" + name : name;
  if (named.empty() && registry.empty())
    return {"", tag, "image " + image + " is not on this node and no --registry is set"};
  // Plain HTTP (no TLS verification) only on the host of --registry, which the node's operator
  // named; every other registry is reached over verified TLS.
  const bool trusted = !registry.empty() && (named.empty() || host_of(named) == host_of(registry));
  std::vector<std::string> argv = {"skopeo", "copy", "--quiet",
                                   std::string("--src-tls-verify=") + (trusted ? "false" : "true")};
  std::optional<private_file> auth;
  if (!auth_file_json.empty()) {
    try {
      fs::create_directories(images_dir);
      auth.emplace(images_dir, auth_file_json);
    } catch (const std::exception& e) {
      return {"", tag, "failed to pull image \"" + image + "\": " + e.what()};
    }
    argv.push_back("--src-authfile");
    argv.push_back(auth->path);
  }
  argv.push_back("docker://" + source + ":" + tag);
  argv.push_back("oci:" + layout + ":" + tag);
  auto r = run_process(argv);
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
