// The console's built files (console/, built by Vite at build time), embedded in the binary by
// cmake/console_bundle.cmake: the master serves them from memory and reads no file for them.
#pragma once

#include <cstddef>
#include <string_view>

namespace capstan::api {

struct console_file {
  std::string_view path;   // "/console/index.html", "/console/assets/index-Bx--Pdit.css"
  std::string_view bytes;  // the file as Vite wrote it
};

extern const console_file console_files[];
extern const std::size_t console_file_count;

}  // namespace capstan::api
