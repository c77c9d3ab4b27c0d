// Lists decoded once, for decoding many objects alike (a replay of the journal, a snapshot's
// load): the containers, volumes and owner references of pods are mostly their template's,
// alike in every pod of a replication controller, and pods that started in the same second
// have the same conditions. While a memo is in use on a thread (decode_memo::use), the Cap'n
// Proto decoder (messages/detail/capnp_layout.hpp) first reads such a list's encoded form; when
// it equals one decoded before, the list takes that one's block (messages/shared_list.hpp)
// instead of being decoded again.
//
// Contract:
// - The decoded value is the same with or without a memo: a list is taken from the memo only
//   when its encoded form (every data byte, pointer and list shape below it) is byte for byte
//   that of a list decoded before, and decoding is a function of those bytes.
// - A list is also kept with the region of its message that holds it (every word below its
//   pointer: messages/detail/capnp_region.hpp) when that region is compact; a later list whose
//   pointer has the same shape and whose region is byte for byte the same is that list, found
//   by a comparison of bytes instead of a walk of its form. A region is a function of the bytes
//   the decoder reads (pointers are relative), so this too finds only an equal list.
// - Bounded: at most `slots` lists of each item type, each of an encoded form or region of at
//   most `max_form_bytes` (longer ones are decoded as without a memo; a template's containers
//   take a few hundred bytes), so at most 64 MiB of forms and regions; a list whose form or
//   region hashes to a taken slot replaces the one there. The memo holds its lists' blocks until
//   destroyed. Its tables are made on the first list kept: a memo for a short replay that keeps
//   nothing costs nothing.
// - Thread-safe: the threads decoding for one state share one memo, so that equal lists decoded
//   on different threads end as one block (the first kept wins), which the state's
//   object_sharing (store/object_sharing.hpp) then finds in its pool without comparing items.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "messages/object_meta.hpp"
#include "messages/pod.hpp"
#include "messages/shared_list.hpp"

namespace capstan::messages {

class decode_memo {
public:
  static constexpr std::size_t slots = 1024;
  static constexpr std::size_t max_form_bytes = 8 * 1024;

  // Makes `memo` the memo of the decoding on this thread while it lives; the one before (or
  // none) again after.
  class use {
  public:
    explicit use(decode_memo& memo) noexcept;
    ~use();
    use(const use&) = delete;
    use& operator=(const use&) = delete;

  private:
    decode_memo* previous_;
  };

  // The memo in use on this thread, or null.
  static decode_memo* current() noexcept;

  // The list kept for encoded form `form` (hash `hash`) into `out`; false when there is none.
  template <class T>
  bool find(std::string_view form, std::size_t hash, shared_list<T>& out) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& entries = tables<T>().forms;
    if (entries.empty())
      return false;
    auto& entry = entries[hash % slots];
    if (entry.hash != hash || entry.list.empty() || entry.form != form)
      return false;
    out = entry.list;
    return true;
  }

  // Keeps `list`, just decoded from `form`; when another thread kept one for the same form
  // first, `list` takes that one's block instead.
  template <class T>
  void keep(std::string_view form, std::size_t hash, shared_list<T>& list) {
    if (list.empty())
      return;
    std::lock_guard<std::mutex> lock(mutex_);
    auto& entries = tables<T>().forms;
    if (entries.empty())
      entries.resize(slots);
    auto& entry = entries[hash % slots];
    if (entry.hash == hash && !entry.list.empty() && entry.form == form) {
      list = entry.list;
      return;
    }
    entry.hash = hash;
    entry.form.assign(form);
    entry.list = list;
  }

  // The first bytes of a region from its list's start that pick its slot: a region holding
  // fewer after the start is not kept.
  static constexpr std::size_t region_probe_bytes = 64;

  // The list kept for the region holding a list whose pointer has shape `shape` and points at
  // `start`, in the segment [segment_begin, segment_end), into `out`; false when the memo keeps
  // none whose region's bytes are those around `start`. A comparison spends its region's size
  // of `budget`, found or not (and is not made when the budget is short): a message's region
  // work is bounded by its budget, whatever its pointers lead to.
  template <class T>
  bool find_region(uint64_t shape, const unsigned char* start, const unsigned char* segment_begin,
                   const unsigned char* segment_end, std::size_t& budget, shared_list<T>& out) {
    if (start < segment_begin ||
        segment_end - start < static_cast<std::ptrdiff_t>(region_probe_bytes))
      return false;
    const std::size_t hash = region_hash(shape, start);
    std::lock_guard<std::mutex> lock(mutex_);
    auto& entries = tables<T>().regions;
    if (entries.empty())
      return false;
    auto& entry = entries[hash % slots];
    if (entry.hash != hash || entry.shape != shape || entry.list.empty())
      return false;
    const std::size_t size = entry.bytes.size();
    if (static_cast<std::size_t>(start - segment_begin) < entry.before || size > budget ||
        size > static_cast<std::size_t>(segment_end - start) + entry.before)
      return false;
    budget -= size;
    if (std::memcmp(start - entry.before, entry.bytes.data(), size) != 0)
      return false;
    out = entry.list;
    ++found_by_region_;
    return true;
  }

  // Keeps `list`, decoded (or found) from the region [low, high) of its message, which holds
  // every word below its pointer of shape `shape` pointing at `start`, spending the region's
  // size of `budget`. Not kept when the region is longer than max_form_bytes or than the budget,
  // or holds fewer than region_probe_bytes from `start`.
  template <class T>
  void keep_region(uint64_t shape, const unsigned char* start, const unsigned char* low,
                   const unsigned char* high, std::size_t& budget, const shared_list<T>& list) {
    if (list.empty() || !low || start < low ||
        high - start < static_cast<std::ptrdiff_t>(region_probe_bytes) ||
        high - low > static_cast<std::ptrdiff_t>(max_form_bytes) ||
        static_cast<std::size_t>(high - low) > budget)
      return;
    budget -= static_cast<std::size_t>(high - low);
    const std::size_t hash = region_hash(shape, start);
    std::lock_guard<std::mutex> lock(mutex_);
    auto& entries = tables<T>().regions;
    if (entries.empty())
      entries.resize(slots);
    auto& entry = entries[hash % slots];
    entry.hash = hash;
    entry.shape = shape;
    entry.before = static_cast<std::size_t>(start - low);
    entry.bytes.assign(reinterpret_cast<const char*>(low), static_cast<std::size_t>(high - low));
    entry.list = list;
  }

  // Lists kept by their form (for tests and figures).
  std::size_t size() const;
  // Lists found by their region so far (for tests and figures).
  std::size_t found_by_region() const;

  // Whether lists of T are kept at all: the item types of the model's shared lists.
  template <class T>
  static constexpr bool keeps() {
    return std::is_same_v<T, container> || std::is_same_v<T, volume> ||
           std::is_same_v<T, owner_reference> || std::is_same_v<T, pod_condition>;
  }

private:
  template <class T>
  struct entry {
    std::size_t hash = 0;
    std::string form;
    shared_list<T> list;
  };
  template <class T>
  using slot_table = std::vector<entry<T>>;
  template <class T>
  struct region_entry {
    std::size_t hash = 0;
    uint64_t shape = 0;
    std::size_t before = 0;  // bytes of the region before the list's start
    std::string bytes;
    shared_list<T> list;
  };
  template <class T>
  using region_slot_table = std::vector<region_entry<T>>;

  static std::size_t region_hash(uint64_t shape, const unsigned char* start) {
    std::string_view probe(reinterpret_cast<const char*>(start), region_probe_bytes);
    return std::hash<std::string_view>{}(probe) ^ (shape * 0x9e3779b97f4a7c15ull);
  }

  // The tables of one item type: `slots` entries each once a list is kept, else none.
  template <class T>
  struct tables_of {
    slot_table<T> forms;
    region_slot_table<T> regions;
  };
  template <class T>
  tables_of<T>& tables() {
    static_assert(keeps<T>());
    if constexpr (std::is_same_v<T, container>)
      return containers_;
    else if constexpr (std::is_same_v<T, volume>)
      return volumes_;
    else if constexpr (std::is_same_v<T, owner_reference>)
      return owners_;
    else
      return conditions_;
  }

  mutable std::mutex mutex_;
  tables_of<container> containers_;
  tables_of<volume> volumes_;
  tables_of<owner_reference> owners_;
  tables_of<pod_condition> conditions_;
  std::size_t found_by_region_ = 0;
};

}  // namespace capstan::messages
