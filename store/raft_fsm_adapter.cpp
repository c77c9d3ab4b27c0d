#include "store/raft_fsm_adapter.hpp"

#include "store/c_raft.hpp"

#include <lz4.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace capstan::store {

namespace {

// A snapshot of the journal's state machine holds no state: the journal itself (RocksDB, made
// durable before) is the state. "CSS2", the applied index it was taken at, the length of the
// machine's snapshot_data (4 bytes), that data; all little-endian. A member restored from it
// can tell whether its journal has that much, and where to fetch what it lacks. "CSS1" (before
// the data) is the magic and the index alone.
constexpr char snapshot_magic_v1[4] = {'C', 'S', 'S', '1'};
constexpr char snapshot_magic[4] = {'C', 'S', 'S', '2'};
constexpr std::size_t snapshot_header = sizeof snapshot_magic + 12;
constexpr std::size_t max_snapshot_data = 1 << 20;

constexpr char packed_magic[4] = {'C', 'L', 'Z', '4'};
constexpr std::size_t packed_header = sizeof packed_magic + 16;

void put_u64(char* out, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out[i] = static_cast<char>(v >> (8 * i));
}

uint64_t get_u64(const char* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  return v;
}

}  // namespace

std::string pack_raft_entry(std::string_view entry) {
  if (entry.size() > max_entry_bytes)
    throw std::length_error("a replicated journal entry of " + std::to_string(entry.size()) +
                            " bytes is over the bound of " + std::to_string(max_entry_bytes));
  const int bound = LZ4_compressBound(static_cast<int>(entry.size()));
  std::string out(packed_header + static_cast<std::size_t>(bound) + 8, '\0');
  int size = LZ4_compress_default(entry.data(), out.data() + packed_header,
                                  static_cast<int>(entry.size()), bound);
  if (size <= 0)
    throw std::length_error("cannot compress a replicated journal entry");
  std::memcpy(out.data(), packed_magic, sizeof packed_magic);
  put_u64(out.data() + 4, entry.size());
  put_u64(out.data() + 12, static_cast<uint64_t>(size));
  out.resize((packed_header + static_cast<std::size_t>(size) + 7) / 8 * 8);  // zeros pad
  return out;
}

std::string unpack_raft_entry(std::string_view stored) {
  if (stored.size() < packed_header || std::memcmp(stored.data(), packed_magic, 4) != 0)
    return std::string(stored);
  uint64_t size = get_u64(stored.data() + 4), compressed = get_u64(stored.data() + 12);
  // LZ4 expands at most 255 times: a larger stated size is a lie, refused before allocating.
  if (size > max_entry_bytes || size > 255 * compressed + 16)
    throw std::length_error("a replicated journal entry states " + std::to_string(size) +
                            " bytes, over the bound of " + std::to_string(max_entry_bytes));
  if (compressed > stored.size() - packed_header)
    return std::string(stored);  // not what it claims: the state machine refuses it
  std::string out(size, '\0');
  int got = LZ4_decompress_safe(stored.data() + packed_header, out.data(),
                                static_cast<int>(compressed), static_cast<int>(size));
  if (got < 0 || static_cast<uint64_t>(got) != size)
    return std::string(stored);
  return out;
}

raft_fsm_adapter::raft_fsm_adapter(replicated_state_machine& machine)
    : machine_(machine), fsm_(std::make_unique<raft_fsm>()) {
  std::memset(fsm_.get(), 0, sizeof(raft_fsm));
  fsm_->version = 1;
  fsm_->data = this;
  fsm_->apply = &raft_fsm_adapter::apply;
  fsm_->snapshot = &raft_fsm_adapter::snapshot;
  fsm_->restore = &raft_fsm_adapter::restore;
}

raft_fsm_adapter::~raft_fsm_adapter() = default;

int raft_fsm_adapter::apply(raft_fsm* fsm, const raft_buffer* buf, void** result) {
  auto* self = static_cast<raft_fsm_adapter*>(fsm->data);
  *result = nullptr;
  uint64_t index = raft_last_applied(self->raft_) + 1;
  std::string error;
  // No exception may unwind through C-Raft's C frames.
  try {
    std::string entry;
    try {
      entry = unpack_raft_entry(std::string_view(static_cast<const char*>(buf->base), buf->len));
    } catch (const std::length_error&) {
      entry.clear();  // an empty entry: the machine skips it as undecodable, on every member
    }
    error = self->machine_.apply(index, entry);
  } catch (const std::exception& e) {
    error = e.what();  // out of memory, say: applied again later
  } catch (...) {
    error = "unknown failure";
  }
  if (!error.empty()) {
    if (error != self->last_error_)
      std::fprintf(stderr, "capstan: replicated journal entry %llu not applied yet: %s\n",
                   static_cast<unsigned long long>(index), error.c_str());
    self->last_error_ = error;
    return RAFT_IOERR;
  }
  self->last_error_.clear();
  self->hold(index, buf->len);
  return 0;
}

void raft_fsm_adapter::hold(uint64_t index, std::size_t bytes) {
  if (!held_total_)
    return;
  held_.emplace_back(index, bytes);
  held_total_->fetch_add(bytes, std::memory_order_relaxed);
}

void raft_fsm_adapter::release_through(uint64_t index) {
  if (!held_total_)
    return;
  std::size_t released = 0;
  while (!held_.empty() && held_.front().first <= index) {
    released += held_.front().second;
    held_.pop_front();
  }
  held_total_->fetch_sub(released, std::memory_order_relaxed);
}

int raft_fsm_adapter::snapshot(raft_fsm* fsm, raft_buffer* bufs[], unsigned* n) {
  auto* self = static_cast<raft_fsm_adapter*>(fsm->data);
  std::string error;
  std::string data;
  try {
    error = self->machine_.make_durable();
    data = self->machine_.snapshot_data();
  } catch (...) {
    error = "cannot make the journal durable";
  }
  if (error.empty() && data.size() > max_snapshot_data)
    error = "the machine's snapshot data passes its bound";
  if (!error.empty()) {
    self->last_error_ = error;
    return RAFT_IOERR;
  }
  auto* buffer = static_cast<raft_buffer*>(raft_malloc(sizeof(raft_buffer)));
  if (!buffer)
    return RAFT_NOMEM;
  buffer->len = snapshot_header + data.size();
  buffer->base = raft_malloc(buffer->len);
  if (!buffer->base) {
    raft_free(buffer);
    return RAFT_NOMEM;
  }
  auto* bytes = static_cast<char*>(buffer->base);
  std::memcpy(bytes, snapshot_magic, sizeof snapshot_magic);
  put_u64(bytes + sizeof snapshot_magic, self->machine_.applied_index());
  const uint64_t length = data.size();
  for (int i = 0; i < 4; ++i)
    bytes[sizeof snapshot_magic + 8 + i] = static_cast<char>(length >> (8 * i));
  std::memcpy(bytes + snapshot_header, data.data(), data.size());
  *bufs = buffer;
  *n = 1;
  // C-Raft keeps the last `trailing` entries before the snapshot and frees the older ones.
  const uint64_t at = self->machine_.applied_index();
  if (at > self->trailing_)
    self->release_through(at - self->trailing_);
  return 0;
}

int raft_fsm_adapter::restore(raft_fsm* fsm, raft_buffer* buf) {
  auto* self = static_cast<raft_fsm_adapter*>(fsm->data);
  self->release_through(UINT64_MAX);  // C-Raft's log is the snapshot now
  const auto* bytes = static_cast<const char*>(buf->base);
  int status = 0;
  uint64_t index = 0;
  std::string_view data;
  if (buf->len == sizeof snapshot_magic_v1 + 8 &&
      std::memcmp(bytes, snapshot_magic_v1, sizeof snapshot_magic_v1) == 0) {
    index = get_u64(bytes + sizeof snapshot_magic_v1);
  } else if (buf->len >= snapshot_header &&
             std::memcmp(bytes, snapshot_magic, sizeof snapshot_magic) == 0) {
    index = get_u64(bytes + sizeof snapshot_magic);
    uint64_t length = 0;
    for (int i = 3; i >= 0; --i)
      length = (length << 8) | static_cast<unsigned char>(bytes[sizeof snapshot_magic + 8 + i]);
    if (length == buf->len - snapshot_header)
      data = std::string_view(bytes + snapshot_header, length);
    else
      status = RAFT_MALFORMED;
  } else {
    status = RAFT_MALFORMED;
  }
  if (status != 0) {
    self->last_error_ = "the replicated log's snapshot is not one this build wrote";
  } else if (std::string error = self->catch_up(index, data); !error.empty()) {
    self->last_error_ = "the journal has applied the replicated log up to entry " +
                        std::to_string(self->machine_.applied_index()) +
                        " but the log's snapshot stands for entries up to " +
                        std::to_string(index) +
                        (self->fetch_ ? ", and it cannot catch up: "
                                      : ": the journal lost entries, and it cannot catch up: ") +
                        error;
    status = RAFT_CORRUPT;
  }
  if (status == 0) {
    raft_free(buf->base);  // on success the buffer is the state machine's to release
    return 0;
  }
  std::fprintf(stderr, "capstan: %s\n", self->last_error_.c_str());
  if (self->running_) {
    // C-Raft (0.22) has already replaced its log with the snapshot and goes on as if restored,
    // whatever this returns: applying the next entries to a journal that lacks the snapshot's
    // records would make this member's history differ from the others'. It stops instead, and
    // catches up at its next start (or refuses to start, saying why).
    std::fprintf(stderr, "capstan: this member stops so that its journal cannot diverge\n");
    std::fflush(stderr);
    std::_Exit(70);
  }
  return status;
}

std::string raft_fsm_adapter::catch_up(uint64_t index, std::string_view data) {
  const auto until = std::chrono::steady_clock::now() + catch_up_budget_;
  replicated_state_machine::peer_fetch none = [](uint64_t, uint64_t, const auto&) {
    return std::string("no other member to fetch from");
  };
  for (;;) {
    std::string error;
    try {
      error = machine_.restore_snapshot(index, data, fetch_ ? fetch_ : none);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (error.empty() || !fetch_ || std::chrono::steady_clock::now() >= until)
      return error;
    std::fprintf(stderr, "capstan: catching up past the snapshot at entry %llu: %s; trying again\n",
                 static_cast<unsigned long long>(index), error.c_str());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace capstan::store
