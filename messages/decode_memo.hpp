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
// - Bounded: at most `slots` lists of each item type, each of an encoded form of at most
//   `max_form_bytes` (longer ones are decoded as without a memo; a template's containers take a
//   few hundred bytes), so at most 32 MiB of forms; a list whose form hashes to a taken slot
//   replaces the one there. The memo holds its lists' blocks until destroyed. Its tables are
//   made on the first list kept: a memo for a short replay that keeps nothing costs nothing.
// - Thread-safe: the threads decoding for one state share one memo, so that equal lists decoded
//   on different threads end as one block (the first kept wins), which the state's
//   object_sharing (store/object_sharing.hpp) then finds in its pool without comparing items.
#pragma once

#include <cstddef>
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
    auto& entries = table<T>();
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
    auto& entries = table<T>();
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

  // Lists kept (for tests and figures).
  std::size_t size() const;

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
  slot_table<T>& table() {
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
  slot_table<container> containers_;  // `slots` entries once one is kept, else none
  slot_table<volume> volumes_;
  slot_table<owner_reference> owners_;
  slot_table<pod_condition> conditions_;
};

}  // namespace capstan::messages
