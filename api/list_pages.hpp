// A list in pages, as clients ask with `limit` and `continue` (kubectl asks 500 at a time): the
// objects in (namespace, name) order, at most `limit` after the key the continue token names,
// walked in the read model's own order (no copy of what is not on the page). A page is read
// from the state the request sees: pages of one list are each current when read, not one
// snapshot (kube-apiserver serves every page at the first page's resourceVersion).
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "actors/read_model/read_model.hpp"
#include "api/http_message.hpp"

namespace capstan::api {

struct list_page {
  uint64_t seq = 0;  // the state's resourceVersion
  std::vector<messages::any_object> items;
  std::string continue_token;  // "" on the last page
  uint64_t remaining = 0;      // matching objects after the page
};

// A token that is not one of ours is a 400 (Kubernetes' words).
std::variant<list_page, http_response> list_page_of(const actors::read_model& model,
                                                    messages::object_kind kind,
                                                    const std::string& namespace_,
                                                    const messages::label_selector& labels,
                                                    const messages::field_selector& fields,
                                                    uint64_t limit, const std::string& token);

}  // namespace capstan::api
