// shared_list<T>: a std::vector<T> whose copies share one block until one of them is changed
// (copy on write). For the parts of an object that many objects hold alike: the containers and
// volumes of a pod are its template's, and a million pods of a thousand templates need a
// thousand copies of them, not a million (store/object_sharing.hpp finds the equal ones).
//
// Reading goes through the const members and never copies. Any non-const access (operator[],
// begin(), push_back, ...) first makes this list's block its own when another list shares it,
// as Qt's implicitly shared containers do: iterate a const reference when only reading.
// Not thread-safe for one list; lists sharing a block may be used by different threads, as
// long as each list itself is (the block is never changed while shared).
#pragma once

#include <atomic>
#include <initializer_list>
#include <memory>
#include <vector>

namespace capstan::messages {

template <class T>
class shared_list {
public:
  using vector_type = std::vector<T>;
  using value_type = T;
  using size_type = typename vector_type::size_type;
  using iterator = typename vector_type::iterator;
  using const_iterator = typename vector_type::const_iterator;
  using reference = T&;
  using const_reference = const T&;

  shared_list() noexcept = default;
  shared_list(vector_type items) { assign_vector(std::move(items)); }
  shared_list(std::initializer_list<T> items) : shared_list(vector_type(items)) {}
  template <class It>
  shared_list(It first, It last) : shared_list(vector_type(first, last)) {}

  // The items as a vector (an empty one when there are none): for code that takes vectors.
  const vector_type& items() const { return items_ ? *items_ : empty_items(); }
  operator const vector_type&() const { return items(); }

  // Reading.
  size_type size() const noexcept { return items_ ? items_->size() : 0; }
  bool empty() const noexcept { return size() == 0; }
  const T& operator[](size_type i) const { return (*items_)[i]; }
  const T& at(size_type i) const { return items().at(i); }
  const T& front() const { return items_->front(); }
  const T& back() const { return items_->back(); }
  const_iterator begin() const { return items().begin(); }
  const_iterator end() const { return items().end(); }
  const_iterator cbegin() const { return begin(); }
  const_iterator cend() const { return end(); }
  const T* data() const { return items().data(); }
  size_type capacity() const noexcept { return items_ ? items_->capacity() : 0; }

  // Whether `other` holds the very same block (not merely equal items).
  bool shares_with(const shared_list& other) const noexcept {
    return items_ && items_ == other.items_;
  }
  // How many lists hold this block (0 when empty).
  long holders() const noexcept { return items_.use_count(); }

  // Writing: each makes the block this list's own first.
  vector_type& edit() {
    if (!items_)
      items_ = std::make_shared<vector_type>();
    else if (items_.use_count() > 1)
      items_ = std::make_shared<vector_type>(*items_);
    else  // the last other holder may have just let go on another thread: see its reads first
      std::atomic_thread_fence(std::memory_order_acquire);
    return *items_;
  }
  T& operator[](size_type i) { return edit()[i]; }
  T& at(size_type i) { return edit().at(i); }
  T& front() { return edit().front(); }
  T& back() { return edit().back(); }
  iterator begin() { return edit().begin(); }
  iterator end() { return edit().end(); }
  T* data() { return edit().data(); }
  void push_back(const T& item) { edit().push_back(item); }
  void push_back(T&& item) { edit().push_back(std::move(item)); }
  template <class... Args>
  T& emplace_back(Args&&... args) {
    return edit().emplace_back(std::forward<Args>(args)...);
  }
  void clear() noexcept { items_.reset(); }
  void resize(size_type n) {
    if (n == 0)
      clear();
    else
      edit().resize(n);
  }
  void reserve(size_type n) { edit().reserve(n); }
  iterator erase(const_iterator at) {
    auto index = at - begin_const();
    auto& mine = edit();
    return mine.erase(mine.begin() + index);
  }
  iterator erase(const_iterator first, const_iterator last) {
    auto from = first - begin_const(), to = last - begin_const();
    auto& mine = edit();
    return mine.erase(mine.begin() + from, mine.begin() + to);
  }
  template <class... Args>
  iterator insert(const_iterator at, Args&&... args) {
    auto index = at - begin_const();
    auto& mine = edit();
    return mine.insert(mine.begin() + index, std::forward<Args>(args)...);
  }
  shared_list& operator=(vector_type items) {
    assign_vector(std::move(items));
    return *this;
  }
  shared_list& operator=(std::initializer_list<T> items) {
    assign_vector(vector_type(items));
    return *this;
  }
  // For a pool that finds equal lists without keeping their blocks alive
  // (store/object_sharing.hpp): the block as a weak reference, and its address (stable while
  // any reference to the block, weak or not, exists).
  using weak_block = std::weak_ptr<const vector_type>;
  weak_block block() const noexcept { return items_; }
  const void* block_address() const noexcept { return items_.get(); }
  // Holds `block` instead of its own (equal items assumed by the caller); false when the
  // block is gone.
  bool adopt(const weak_block& block) noexcept {
    auto held = block.lock();
    if (!held)
      return false;
    items_ = std::const_pointer_cast<vector_type>(std::move(held));
    return true;
  }

  friend bool operator==(const shared_list& a, const shared_list& b) {
    return a.items_ == b.items_ || a.items() == b.items();
  }
  friend bool operator!=(const shared_list& a, const shared_list& b) { return !(a == b); }

private:
  static const vector_type& empty_items() {
    static const vector_type none;
    return none;
  }
  const_iterator begin_const() const { return items().begin(); }
  void assign_vector(vector_type items) {
    if (items.empty())
      items_.reset();
    else
      items_ = std::make_shared<vector_type>(std::move(items));
  }

  // Null when empty; otherwise never changed while use_count() > 1.
  std::shared_ptr<vector_type> items_;
};

}  // namespace capstan::messages
