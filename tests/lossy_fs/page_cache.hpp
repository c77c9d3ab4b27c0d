// lossy_fs's page cache: the content of each file as written, in dirty pages in memory, over
// what its last fsync left on the disk (BACKING/data/INO). The memory is what a power cut loses;
// only `sync` moves content to the disk. Names are not its business (durable_tree.hpp).
//
// Thread-safety: none; the FUSE session loop is single-threaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace capstan::lossy_fs {

inline constexpr std::size_t page_size = 4096;
inline constexpr uint64_t max_file_size = uint64_t(1) << 40;

// The content of one regular file, owned by its inode. The live content is: dirty pages where
// there are some, else the durable file below `clean_limit`, else zeros; up to `size`. Only the
// page_cache that holds its dirty pages changes it.
struct file_content {
  uint64_t size = 0;
  uint64_t clean_limit = 0;  // invariant: clean_limit <= size
  int data_fd = -1;          // BACKING/data/INO once it exists; closed by the destructor
  std::map<uint64_t, std::unique_ptr<char[]>> dirty;  // page number -> page_size bytes

  file_content() = default;
  ~file_content();
  file_content(const file_content&) = delete;
  file_content& operator=(const file_content&) = delete;
};

// Dirty pages of all files, capped at `max_dirty_bytes` in all.
class page_cache {
public:
  explicit page_cache(std::size_t max_dirty_bytes) : max_dirty_bytes_(max_dirty_bytes) {}

  // Makes the durable file at `data_path`, if there is one, the whole and clean content of
  // `file` (at mount).
  static void load(file_content& file, const std::string& data_path);

  // The live bytes [offset, offset + size), cut at the file's size.
  void read(const file_content& file, uint64_t offset, std::size_t size, std::string& out) const;
  // Writes into dirty pages (a page is first filled with the live content) and grows the size.
  // Precondition: size > 0. Returns 0; EFBIG past max_file_size; ENOSPC, said on stderr, when the
  // pages would pass the cap. A failed write changes nothing.
  int write(file_content& file, uint64_t offset, const char* data, std::size_t size);
  // Truncates or extends the live content. Pages past the new size are dropped, and durable
  // bytes past it read as zeros from now on (they stay on the disk until the next sync).
  void resize(file_content& file, uint64_t size);
  // Makes the live content and size durable in `data_path` (created at the first sync) and
  // frees the pages. Returns 0 or EIO.
  int sync(file_content& file, const std::string& data_path);
  // Frees the pages and closes the durable file: for a file no name or open file reaches.
  void drop(file_content& file);

private:
  // Fills `out` (page_size bytes) with the clean content of page `page`: the durable bytes
  // below clean_limit, zeros elsewhere.
  void fill(const file_content& file, uint64_t page, char* out) const;

  const std::size_t max_dirty_bytes_;
  std::size_t dirty_pages_ = 0;  // of all files
};

}  // namespace capstan::lossy_fs
