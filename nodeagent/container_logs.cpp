// Container log files read for `logs`: the last lines, or what was added since an offset.
#include "nodeagent/container_logs.hpp"

#include <fstream>
#include <iterator>

namespace capstan::nodeagent {

container_log read_container_log(const std::string& path, uint64_t offset, uint64_t tail) {
  if (offset == 0 && tail > 0) {
    std::ifstream whole(path, std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(whole)), std::istreambuf_iterator<char>());
    std::size_t pos = all.size();
    if (pos > 0 && all[pos - 1] == '\n')
      --pos;
    uint64_t lines = 0;
    while (pos > 0) {
      if (all[pos - 1] == '\n' && ++lines == tail)
        break;
      --pos;
    }
    return {all.substr(pos), all.size(), ""};
  }
  // Only what was added since `offset` is read (a follow asks every 300 ms).
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  uint64_t size = in ? static_cast<uint64_t>(in.tellg()) : 0;
  if (offset > size)
    offset = 0;  // the log was replaced
  std::string bytes(size - offset, '\0');
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  const uint64_t next = offset + bytes.size();
  return {std::move(bytes), next, ""};
}

}  // namespace capstan::nodeagent
