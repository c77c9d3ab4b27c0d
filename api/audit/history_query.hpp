// GET /capstan/v1/history: journal records, newest last, filtered by
//   kind, namespace, name   one object (a namespaced kind's namespace defaults to "default")
//   search                  creations, deletion requests and deletions of objects whose
//                           name contains the text
//   cause                   the records a user (or controller, or node) made
//   since, until            RFC 3339 times; from, to: sequence numbers (all bounds included)
//   limit                   the newest this many (1000 by default, at most 10000)
//   objects=true            with kind and name: each item carries "object", the object right
//                           after the record (null once deleted); an RC's items carry
//                           "touched", the pods its manager created or deleted for it next
// Answered from the history index (store/history_index.hpp) when it is ready and a filter
// names an object, a search or a cause; otherwise by reading the range of the journal.
#pragma once

#include "actors/master/master.hpp"
#include "api/http_message.hpp"

namespace capstan::api::audit {

http_response history_query(const actors::master& master, const http_request& req);

}  // namespace capstan::api::audit
