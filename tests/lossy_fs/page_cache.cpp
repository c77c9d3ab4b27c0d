#include "tests/lossy_fs/page_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace capstan::lossy_fs {

file_content::~file_content() {
  if (data_fd >= 0)
    ::close(data_fd);
}

void page_cache::load(file_content& file, const std::string& data_path) {
  file.data_fd = ::open(data_path.c_str(), O_RDWR | O_CLOEXEC);
  struct stat st;
  if (file.data_fd >= 0 && fstat(file.data_fd, &st) == 0)
    file.size = file.clean_limit = static_cast<uint64_t>(st.st_size);
}

void page_cache::fill(const file_content& file, uint64_t page, char* out) const {
  std::memset(out, 0, page_size);
  uint64_t start = page * page_size;
  if (file.data_fd < 0 || start >= file.clean_limit)
    return;
  std::size_t wanted =
      static_cast<std::size_t>(std::min<uint64_t>(page_size, file.clean_limit - start));
  std::size_t done = 0;
  while (done < wanted) {
    ssize_t n = ::pread(file.data_fd, out + done, wanted - done, static_cast<off_t>(start + done));
    if (n <= 0)
      break;  // end of the durable file: zeros, as a hole
    done += static_cast<std::size_t>(n);
  }
}

void page_cache::read(const file_content& file, uint64_t offset, std::size_t size,
                      std::string& out) const {
  out.clear();
  uint64_t end = std::min<uint64_t>(file.size, offset + size);
  if (offset >= end)
    return;
  out.resize(static_cast<std::size_t>(end - offset));
  char page[page_size];
  for (uint64_t at = offset; at < end;) {
    uint64_t number = at / page_size;
    std::size_t within = static_cast<std::size_t>(at % page_size);
    std::size_t length = static_cast<std::size_t>(std::min<uint64_t>(page_size - within, end - at));
    auto dirty = file.dirty.find(number);
    const char* source = page;
    if (dirty != file.dirty.end())
      source = dirty->second.get();
    else
      fill(file, number, page);
    std::memcpy(&out[static_cast<std::size_t>(at - offset)], source + within, length);
    at += length;
  }
}

int page_cache::write(file_content& file, uint64_t offset, const char* data, std::size_t size) {
  if (offset + size > max_file_size)
    return EFBIG;
  uint64_t first = offset / page_size, last = (offset + size - 1) / page_size;
  std::size_t new_pages = 0;
  for (uint64_t p = first; p <= last; ++p)
    new_pages += file.dirty.count(p) == 0;
  if ((dirty_pages_ + new_pages) * page_size > max_dirty_bytes_) {
    std::fprintf(stderr,
                 "lossy_fs: write refused (ENOSPC): %zu dirty bytes would pass the cap of %zu\n",
                 (dirty_pages_ + new_pages) * page_size, max_dirty_bytes_);
    return ENOSPC;
  }
  for (uint64_t at = offset; at < offset + size;) {
    uint64_t number = at / page_size;
    std::size_t within = static_cast<std::size_t>(at % page_size);
    std::size_t length =
        static_cast<std::size_t>(std::min<uint64_t>(page_size - within, offset + size - at));
    auto& page = file.dirty[number];
    if (!page) {
      page = std::make_unique<char[]>(page_size);
      fill(file, number, page.get());
      ++dirty_pages_;
    }
    std::memcpy(page.get() + within, data + (at - offset), length);
    at += length;
  }
  file.size = std::max(file.size, offset + size);
  return 0;
}

void page_cache::resize(file_content& file, uint64_t size) {
  if (size < file.size) {
    auto first_gone = file.dirty.lower_bound((size + page_size - 1) / page_size);
    dirty_pages_ -= static_cast<std::size_t>(std::distance(first_gone, file.dirty.end()));
    file.dirty.erase(first_gone, file.dirty.end());
    auto partial = file.dirty.find(size / page_size);
    if (size % page_size != 0 && partial != file.dirty.end())
      std::memset(partial->second.get() + size % page_size, 0, page_size - size % page_size);
    file.clean_limit = std::min(file.clean_limit, size);
  }
  file.size = size;
}

int page_cache::sync(file_content& file, const std::string& data_path) {
  if (file.data_fd < 0) {
    file.data_fd = ::open(data_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (file.data_fd < 0)
      return EIO;
  }
  // Durable bytes the live view no longer shows (truncated away) go first, then the pages.
  if (::ftruncate(file.data_fd, static_cast<off_t>(file.clean_limit)) != 0)
    return EIO;
  for (const auto& [number, page] : file.dirty) {
    uint64_t start = number * page_size;
    std::size_t length = static_cast<std::size_t>(std::min<uint64_t>(page_size, file.size - start));
    if (::pwrite(file.data_fd, page.get(), length, static_cast<off_t>(start)) !=
        static_cast<ssize_t>(length))
      return EIO;
  }
  if (::ftruncate(file.data_fd, static_cast<off_t>(file.size)) != 0)
    return EIO;
  dirty_pages_ -= file.dirty.size();
  file.dirty.clear();
  file.clean_limit = file.size;
  return 0;
}

void page_cache::drop(file_content& file) {
  dirty_pages_ -= file.dirty.size();
  file.dirty.clear();
  if (file.data_fd >= 0)
    ::close(file.data_fd);
  file.data_fd = -1;  // data/INO stays while `tree` may name it; the next mount collects it
}

}  // namespace capstan::lossy_fs
