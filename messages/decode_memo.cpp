#include "messages/decode_memo.hpp"

namespace capstan::messages {

namespace {
thread_local decode_memo* memo_in_use = nullptr;
}  // namespace

decode_memo::use::use(decode_memo& memo) noexcept : previous_(memo_in_use) {
  memo_in_use = &memo;
}

decode_memo::use::~use() {
  memo_in_use = previous_;
}

decode_memo* decode_memo::current() noexcept {
  return memo_in_use;
}

std::size_t decode_memo::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::size_t n = 0;
  auto count = [&](const auto& tables) {
    for (const auto& e : tables.forms)
      n += e.list.empty() ? 0 : 1;
  };
  count(containers_);
  count(volumes_);
  count(owners_);
  count(conditions_);
  return n;
}

std::size_t decode_memo::found_by_region() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return found_by_region_;
}

}  // namespace capstan::messages
