// Reading a container's log file (runc writes the container's stdout and stderr to it) as
// pod_runtime::logs answers: its last lines, or the bytes added since an offset, so that a
// follow reads only what is new. Blocking file reads; any thread.
#pragma once

#include <cstdint>
#include <string>

#include "nodeagent/pod_runtime.hpp"

namespace capstan::nodeagent {

// With offset 0 and tail > 0: the file's last `tail` lines (a final newline ends the last line,
// it does not start another), next_offset the file's size. Otherwise the bytes from `offset` to
// the end, next_offset where they end; an offset past the end reads from 0 (the log was
// replaced). A missing file reads as empty. Never sets `error`: the caller knows whether the
// container exists.
container_log read_container_log(const std::string& path, uint64_t offset, uint64_t tail);

}  // namespace capstan::nodeagent
