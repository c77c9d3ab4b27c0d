#include "common/pki.hpp"

#include "common/detail/openssl.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace capstan::common {

namespace fs = std::filesystem;

using namespace detail;

// ---- files ------------------------------------------------------------------------------------

void make_private_directory(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec)
    throw pki_error("cannot create " + path + ": " + ec.message());
  if (::chmod(path.c_str(), 0700) != 0)
    throw pki_error("cannot make " + path + " private: " + std::strerror(errno));
}

void write_file_atomically(const std::string& path, const std::string& content, mode_t mode) {
  auto failure = [&path](const std::string& what) {
    return pki_error("cannot write " + path + ": " + what + ": " + std::strerror(errno));
  };
  fs::path target(path);
  fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::path partial;
  for (const auto& part : parent) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
      throw failure("cannot create " + partial.string());
  }
  std::string temporary = (parent / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  int fd = ::mkstemp(temporary.data());
  if (fd < 0)
    throw failure("cannot create a temporary file");
  auto abandon = [&](const std::string& what) {
    pki_error error = failure(what);
    ::close(fd);
    ::unlink(temporary.c_str());
    return error;
  };
  if (::fchmod(fd, mode) != 0)
    throw abandon("cannot set its mode");
  for (std::size_t written = 0; written < content.size();) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      throw abandon("cannot write");
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0)
    throw abandon("cannot sync");
  if (::close(fd) != 0) {
    ::unlink(temporary.c_str());
    throw failure("cannot close");
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    pki_error error = failure("cannot rename the temporary file");
    ::unlink(temporary.c_str());
    throw error;
  }
  int dir = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

std::string read_small_file(const std::string& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw pki_error("cannot read " + path + ": " + std::strerror(errno));
  std::string content;
  char buffer[8192];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    content.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (content.size() > limit)
      throw pki_error(path + " is larger than " + std::to_string(limit) + " bytes");
  }
  if (in.bad())
    throw pki_error("cannot read " + path);
  return content;
}

}  // namespace capstan::common
