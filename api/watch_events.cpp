// A watch's events from journal records, through its filters.
#include "api/watch_events.hpp"

#include "api/responses.hpp"
#include "api/tables.hpp"
#include "store/apply.hpp"

namespace capstan::api {

using messages::any_object;
using messages::journal_record;
using messages::json;

watch_events::watch_events(watch_request request, store::cluster_state copy, uint64_t applied)
    : request_(std::move(request)),
      mine_(std::move(copy)),
      applied_(applied),
      emit_after_(applied) {}

void watch_events::process(const journal_record& rec, std::string& out, int64_t now) {
  if (rec.seq <= applied_)
    return;
  applied_ = rec.seq;
  if (rec.kind != request_.kind ||
      (!request_.namespace_.empty() && rec.namespace_ != request_.namespace_))
    return;
  store::object_key key{rec.namespace_, rec.name};
  std::optional<any_object> before;
  if (auto* b = mine_.find(request_.kind, key))
    before = *b;
  mine_.seq = rec.seq - 1;  // this copy holds one kind: align it to the record
  try {
    store::apply(mine_, rec);
  } catch (const store::store_error&) {
    return;
  }
  if (rec.seq <= emit_after_)
    return;
  const any_object* after = mine_.find(request_.kind, key);
  bool was = matches(before ? &*before : nullptr), is = matches(after);
  if (was && !is)
    out += event("DELETED", after ? *after : *before, rec.seq, now);
  else if (!was && is)
    out += event("ADDED", *after, rec.seq, now);
  else if (was && is)
    out += event("MODIFIED", *after, rec.seq, now);
}

std::string watch_events::initial_events(uint64_t seq, int64_t now) const {
  std::string out;
  for (const auto& [key, o] : mine_.of(request_.kind))
    if (matches(&o))
      out += event("ADDED", o, seq, now);
  return out;
}

bool watch_events::matches(const any_object* o) const {
  return o && request_.labels.matches(messages::meta_of(*o).labels) && request_.fields.matches(*o);
}

std::string watch_events::event(const char* type, const any_object& o, uint64_t seq,
                                int64_t now) const {
  json object = request_.table ? table_of(request_.kind, {o}, seq, now) : messages::to_json(o);
  return dump_json(json({{"type", type}, {"object", object}})) + "\n";
}

}  // namespace capstan::api
