// A file of preallocated space beside the journal, given back when the journal most needs room:
// reopening it replays and flushes the write-ahead log (up to its bound, store/event_log.cpp),
// which a disk filled to the last byte could not otherwise take.
#pragma once

#include <cstdint>
#include <string>

namespace capstan::store {

class disk_reserve {
public:
  // `path` holds `bytes` of allocated space while the reserve is kept; 0 bytes: no reserve.
  disk_reserve(std::string path, uint64_t bytes);

  // Deletes the file; its space is free for whatever comes next. Never throws.
  void release();
  // Allocates the file again (fallocate: real blocks, not a sparse file). Returns "" when the
  // reserve is in place, else why not (no room: the disk is too full to keep one). Never throws.
  std::string keep();

  const std::string& path() const { return path_; }
  uint64_t bytes() const { return bytes_; }

private:
  std::string path_;
  uint64_t bytes_;
};

}  // namespace capstan::store
