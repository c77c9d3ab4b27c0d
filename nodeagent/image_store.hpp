// The node's OCI images as umoci and skopeo keep them: one OCI layout per image name under
// DATA/images ('/' and ':' in the name as '_'), holding its tags; an image missing there is
// pulled from a registry, with the pod's credentials; a container's bundle is unpacked from it. Blocking (runs umoci and
// skopeo): for the runtime's own thread.
#pragma once

#include <string>

namespace capstan::nodeagent {

struct image_layout {
  std::string path;   // the OCI layout holding the image; "" when it is not available
  std::string tag;    // the image's tag in it ("latest" when the image names none)
  std::string error;  // when `path` is "": why, for the container's ErrImagePull message
};

// The layout under `images_dir` that holds `image` (image_reference's name and tag), pulled
// with skopeo when the tag is not there: from the registry the image names
// (`HOST[:PORT]/path`, a first component with '.' or ':' or localhost, as Docker reads it) or
// else from `registry` (HOST:PORT; "" = local images only). Plain HTTP is allowed on the host of
// `registry` only; other registries need verified TLS. `auth_file_json` (a containers auth file,
// the pod's pull secrets) is handed to skopeo in a 0600 file removed right after.
image_layout find_image(const std::string& images_dir, const std::string& registry,
                        const std::string& image, const std::string& auth_file_json = "");

// Empties `container_dir`, unpacks the image into DIR/bundle (rootfs and umoci's config.json)
// and keeps that config.json as DIR/config.base.json, the base of every later config.json.
// Throws std::runtime_error ("umoci unpack IMAGE: output") when umoci fails.
void unpack_image(const image_layout& layout, const std::string& image,
                  const std::string& container_dir);

}  // namespace capstan::nodeagent
