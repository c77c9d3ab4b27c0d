#include "api/list_pages.hpp"

#include <algorithm>
#include <tuple>

#include "api/responses.hpp"
#include "messages/base64.hpp"

namespace capstan::api {

using namespace messages;

namespace {

// A token names the last key of its page: "capstan-continue:" NAMESPACE "/" NAME, base64.
constexpr std::string_view token_prefix = "capstan-continue:";

std::optional<store::object_key> key_of_token(const std::string& token) {
  auto text = base64_decode(token);
  if (!text || text->compare(0, token_prefix.size(), token_prefix) != 0)
    return std::nullopt;
  auto slash = text->find('/', token_prefix.size());
  if (slash == std::string::npos)
    return std::nullopt;
  return store::object_key{text->substr(token_prefix.size(), slash - token_prefix.size()),
                           text->substr(slash + 1)};
}

}  // namespace

std::variant<list_page, http_response> list_page_of(const actors::read_model& model,
                                                    object_kind kind, const std::string& ns,
                                                    const label_selector& labels,
                                                    const field_selector& fields, uint64_t limit,
                                                    const std::string& token) {
  std::optional<store::object_key> after;
  if (!token.empty() && !(after = key_of_token(token)))
    return status_error(400, "BadRequest",
                        "continue key is not valid: not a token this server gave");
  list_page page;
  if (kind == object_kind::event) {
    // Events are also derived from what nodes report (actors/read_model/derived_events.hpp), not
    // only in the state's table: the model lists them, and the page is cut from that list.
    auto all = model.list(kind, ns, labels, fields);
    page.seq = all.seq;
    std::sort(all.items.begin(), all.items.end(), [](const any_object& a, const any_object& b) {
      return std::tie(meta_of(a).namespace_, meta_of(a).name) <
             std::tie(meta_of(b).namespace_, meta_of(b).name);
    });
    for (auto& o : all.items) {
      store::object_key key{meta_of(o).namespace_, meta_of(o).name};
      if (after && !(*after < key))
        continue;
      if (limit && page.items.size() == limit) {
        ++page.remaining;
        continue;
      }
      page.items.push_back(std::move(o));
    }
    if (page.remaining) {
      const auto& m = meta_of(page.items.back());
      page.continue_token = base64_encode(std::string(token_prefix) + m.namespace_ + "/" + m.name);
    }
    return page;
  }
  model.read([&](const store::cluster_state& state) {
    page.seq = state.seq;
    const auto& table = state.of(kind);
    auto it = after ? table.upper_bound(*after)
              : ns.empty() ? table.begin()
                           : table.lower_bound(store::object_key{ns, ""});
    const store::object_key* last = nullptr;
    for (; it != table.end(); ++it) {
      if (!ns.empty() && it->first.namespace_ != ns) {
        if (it->first.namespace_ > ns)
          break;  // the table is in namespace order: nothing further is in `ns`
        continue;
      }
      if (!labels.matches(meta_of(it->second).labels) || !fields.matches(it->second))
        continue;
      if (limit && page.items.size() == limit) {
        ++page.remaining;  // counted, not copied
        continue;
      }
      page.items.push_back(it->second);
      last = &it->first;
    }
    if (page.remaining && last)
      page.continue_token =
          base64_encode(std::string(token_prefix) + last->namespace_ + "/" + last->name);
  });
  return page;
}

}  // namespace capstan::api
