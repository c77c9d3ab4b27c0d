#include "store/disk_reserve.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace capstan::store {

disk_reserve::disk_reserve(std::string path, uint64_t bytes)
    : path_(std::move(path)), bytes_(bytes) {}

void disk_reserve::release() {
  ::unlink(path_.c_str());
}

std::string disk_reserve::keep() {
  if (bytes_ == 0)
    return "";
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_blocks) * 512 >= bytes_)
    return "";
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return std::string("cannot create ") + path_ + ": " + std::strerror(errno);
  int error = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes_));
  if (error == 0 && ::fsync(fd) != 0)
    error = errno;
  ::close(fd);
  if (error != 0) {
    ::unlink(path_.c_str());  // a partial reserve only takes room from the journal
    return "cannot reserve " + std::to_string(bytes_ >> 20) + " MiB in " + path_ + ": " +
           std::strerror(error);
  }
  return "";
}

}  // namespace capstan::store
