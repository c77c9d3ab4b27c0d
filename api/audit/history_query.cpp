#include "api/audit/history_query.hpp"

#include <algorithm>
#include <deque>

#include "api/audit/audit_common.hpp"
#include "api/request_params.hpp"
#include "api/responses.hpp"
#include "store/apply.hpp"

namespace capstan::api::audit {

using namespace messages;

namespace {

constexpr uint64_t default_limit = 1000, max_limit = 10000;
// objects=true carries an object in every item: at most this many items.
constexpr uint64_t max_object_items = 200;
// Records read for one answer from the index's candidates (those a filter then drops count):
// beyond, the answer says `more` and the client narrows its range.
constexpr std::size_t max_candidates_read = 20000;
// An object's records replayed to show it: beyond, the replay starts from the state at the
// page's first record (the newest snapshot before it and the records after).
constexpr std::size_t max_object_replay = 5000;
// An RC's "touched" list names at most this many pods per record (and counts the rest).
constexpr std::size_t max_touched = 20;

struct history_filter {
  std::optional<object_kind> kind;
  std::string namespace_, name, search, cause;
  bool any_namespace = true;

  bool matches(const journal_record& r) const {
    if (kind && r.kind != *kind)
      return false;
    if (!any_namespace && r.namespace_ != namespace_)
      return false;
    if (!name.empty() && r.name != name)
      return false;
    if (!cause.empty() && r.cause != cause)
      return false;
    if (!search.empty()) {
      const bool lifecycle = std::holds_alternative<object_created>(r.event) ||
                             std::holds_alternative<deletion_requested>(r.event) ||
                             std::holds_alternative<object_deleted>(r.event);
      if (!lifecycle || r.name.find(search) == std::string::npos)
        return false;
    }
    return true;
  }
};

struct found_records {
  std::vector<journal_record> records;  // oldest first
  bool more = false;
};

// From the index: the candidates it names, read newest first until `limit` match.
std::optional<found_records> from_index(const actors::master& master, const history_filter& f,
                                        uint64_t from, uint64_t to, std::size_t limit) {
  const auto& index = master.history_index();
  if (!index.ready())
    return std::nullopt;
  store::seq_page candidates;
  if (f.kind && !f.name.empty() && !f.any_namespace)
    candidates = index.object_records(*f.kind, f.namespace_, f.name, from, to, SIZE_MAX);
  else if (!f.search.empty())
    candidates = index.lifecycle_records(f.search, f.kind, from, to, SIZE_MAX);
  else if (!f.cause.empty())
    candidates = index.cause_records(f.cause, from, to, SIZE_MAX);
  else
    return std::nullopt;
  found_records out;
  const auto& seqs = candidates.seqs;
  // Newest first, a batch at a time: as many as are still wanted (at least 64, as a filter
  // may drop some), until `limit` match or max_candidates_read are read.
  std::size_t unread = seqs.size(), read = 0;
  std::vector<uint64_t> batch;
  while (unread > 0 && out.records.size() < limit && read < max_candidates_read) {
    const std::size_t n = std::min({unread, std::max<std::size_t>(limit - out.records.size(), 64),
                                    max_candidates_read - read});
    batch.assign(seqs.rbegin() + static_cast<std::ptrdiff_t>(seqs.size() - unread),
                 seqs.rbegin() + static_cast<std::ptrdiff_t>(seqs.size() - unread + n));
    master.read_journal_records(batch, [&](journal_record&& r) {
      --unread, ++read;
      if (f.matches(r))
        out.records.push_back(std::move(r));
      return out.records.size() < limit;
    });
  }
  out.more = unread > 0;
  std::reverse(out.records.begin(), out.records.end());
  return out;
}

// By reading the journal's range through, keeping the newest `limit` that match.
found_records by_reading(const actors::master& master, const history_filter& f, uint64_t from,
                         uint64_t to, std::size_t limit) {
  std::deque<journal_record> kept;
  bool more = false;
  master.read_journal(from, to, [&](journal_record&& r) {
    if (!f.matches(r))
      return true;
    kept.push_back(std::move(r));
    if (kept.size() > limit) {
      kept.pop_front();
      more = true;
    }
    return true;
  });
  return {{std::make_move_iterator(kept.begin()), std::make_move_iterator(kept.end())}, more};
}

// The object right after each of `items`' records (null once deleted): its records from the
// journal's start are applied to an empty state, as the master's own apply would.
void add_objects(const actors::master& master, const history_filter& f, json& items,
                 uint64_t to) {
  if (items.empty())
    return;
  const uint64_t first_item = items.front()["seq"].get<uint64_t>();
  std::vector<uint64_t> seqs;
  const auto& index = master.history_index();
  if (index.ready()) {
    seqs = index.object_records(*f.kind, f.namespace_, f.name, 1, to, SIZE_MAX).seqs;
  } else {
    master.read_journal(1, to, [&](journal_record&& r) {
      if (f.matches(r))
        seqs.push_back(r.seq);
      return true;
    });
  }
  store::cluster_state scratch;
  const store::object_key key{f.namespace_, f.name};
  // A long life (a node's): the object as it was before the page, from the state then.
  auto page_start = std::lower_bound(seqs.begin(), seqs.end(), first_item);
  if (page_start - seqs.begin() > static_cast<std::ptrdiff_t>(max_object_replay)) {
    master.with_state_at(first_item - 1, [&](const store::cluster_state& then) {
      if (const any_object* was = then.find(*f.kind, key))
        scratch.of(*f.kind).emplace(key, *was);
    });
    seqs.erase(seqs.begin(), page_start);
  }
  std::size_t next = 0;  // the next item to fill
  master.read_journal_records(seqs, [&](journal_record&& r) {
    const uint64_t seq = r.seq;
    scratch.seq = seq - 1;  // the object's records only: the others would change nothing here
    store::apply(scratch, std::move(r));
    while (next < items.size() && items[next]["seq"].get<uint64_t>() < seq)
      ++next;
    if (next < items.size() && items[next]["seq"].get<uint64_t>() == seq) {
      const any_object* now = scratch.find(*f.kind, key);
      items[next]["object"] = now ? object_json(*now) : json(nullptr);
    }
    return true;
  });
}

bool owned_by(const any_object& object, const std::string& rc) {
  for (const auto& owner : meta_of(object).owner_references)
    if (owner.kind == "ReplicationController" && owner.name == rc)
      return true;
  return false;
}

// An RC's items: the pods the replication manager created (owned by the RC) or asked to delete
// (named after it) after each record, until the RC's next record (its status reports aside).
void add_touched(const actors::master& master, const history_filter& f, json& items,
                 uint64_t to) {
  if (items.empty() || !master.history_index().ready())
    return;
  const std::string prefix = f.name + "-";
  // The creations and deletions of pods named after the RC (its manager's generateName), from
  // the index: an RC's pods, not every record its manager wrote.
  auto manager = master.history_index().lifecycle_records_by_prefix(
      object_kind::pod, f.namespace_, prefix, items.front()["seq"].get<uint64_t>(), to,
      SIZE_MAX);
  if (manager.seqs.size() > max_candidates_read)
    manager.seqs.resize(max_candidates_read);
  // Each pod goes to the newest earlier record that was not the manager's own status report:
  // the creation, scale or update that made the manager act.
  std::size_t item = 0, next = 0;
  master.read_journal_records(manager.seqs, [&](journal_record&& r) {
    for (; next < items.size() && items[next]["seq"].get<uint64_t>() < r.seq; ++next)
      if (items[next]["event"] != "RcStatusChanged")
        item = next;
    if (r.kind != object_kind::pod || r.namespace_ != f.namespace_ ||
        r.cause != "system:replication-manager" || r.name.rfind(prefix, 0) != 0)
      return true;
    // A creation names its owner; a deletion the manager asked for is of a pod named after it.
    if (auto* created = std::get_if<object_created>(&r.event);
        created && !owned_by(created->object, f.name))
      return true;
    auto& touched = items[item]["touched"];
    if (touched.is_null())
      touched = json::array();
    if (touched.size() < max_touched)
      touched.push_back({{"seq", r.seq},
                         {"event", event_name(r)},
                         {"resource", "pods"},
                         {"namespace", r.namespace_},
                         {"name", r.name}});
    else
      items[item]["touchedMore"] = items[item].value("touchedMore", 0) + 1;
    return true;
  });
}

}  // namespace

http_response history_query(const actors::master& master, const http_request& req) {
  history_filter f;
  if (auto k = param(req, "kind"); !k.empty() && !(f.kind = kind_from_resource(k)))
    return status_error(400, "BadRequest", "unknown kind \"" + k + "\"");
  f.name = param(req, "name");
  f.search = param(req, "search");
  f.cause = param(req, "cause");
  f.namespace_ = param(req, "namespace");
  if (f.kind && !info(*f.kind).namespaced)
    f.namespace_.clear(), f.any_namespace = false;
  else if (f.kind && !f.name.empty())
    f.any_namespace = false, f.namespace_ = f.namespace_.empty() ? "default" : f.namespace_;
  else
    f.any_namespace = f.namespace_.empty();
  auto from = query_number(req, "from", 1), to = query_number(req, "to", UINT64_MAX),
       limit = query_number(req, "limit", default_limit);
  if (!from || !to || !limit || *limit == 0)
    return status_error(400, "BadRequest", "from, to and limit are positive numbers");
  const uint64_t end = master.model().seq();
  uint64_t first = std::max<uint64_t>(*from, 1), last = std::min(*to, end);
  if (auto since = param(req, "since"); !since.empty()) {
    auto t = timestamp::parse_rfc3339(since);
    if (!t)
      return status_error(400, "BadRequest", "since must be RFC 3339, such as 2026-11-22T01:00:00Z");
    first = std::max(first, master.seq_at_time(nanos_of(t->seconds) - 1) + 1);
  }
  if (auto until = param(req, "until"); !until.empty()) {
    auto t = timestamp::parse_rfc3339(until);
    if (!t)
      return status_error(400, "BadRequest", "until must be RFC 3339, such as 2026-11-22T01:00:00Z");
    last = std::min(last, master.seq_at_time(nanos_of(t->seconds + 1) - 1));
  }
  const bool objects = param(req, "objects") == "true";
  if (objects && (!f.kind || f.name.empty()))
    return status_error(400, "BadRequest", "objects=true needs kind and name (one object)");
  found_records found;
  if (first <= last) {
    const auto n = static_cast<std::size_t>(std::min(*limit, objects ? max_object_items : max_limit));
    if (auto indexed = from_index(master, f, first, last, n))
      found = std::move(*indexed);
    else
      found = by_reading(master, f, first, last, n);
  }
  json items = json::array();
  for (const auto& rec : found.records)
    items.push_back(record_json(rec));
  if (objects) {
    add_objects(master, f, items, last);
    if (*f.kind == object_kind::replication_controller)
      add_touched(master, f, items, last);
  }
  return json_response(200, {{"kind", "History"},
                             {"apiVersion", "capstan/v1"},
                             {"metadata", {{"journalEnd", end}, {"more", found.more}}},
                             {"items", std::move(items)}});
}

}  // namespace capstan::api::audit
