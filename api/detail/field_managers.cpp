// managedFields entries: decoding, encoding, lookup and the cap on Update entries.
#include "api/detail/field_managers.hpp"

#include <algorithm>
#include <tuple>

#include "api/detail/fields_v1.hpp"

namespace capstan::api::detail {

namespace m = messages;
using m::json;

std::vector<manager_entry> decode_managers(const managed_fields& in) {
  std::vector<manager_entry> out;
  for (const auto& e : in) {
    if ((e.operation != "Apply" && e.operation != "Update") ||
        (!e.fields_type.empty() && e.fields_type != "FieldsV1"))
      continue;
    manager_entry d;
    d.manager = e.manager;
    d.operation = e.operation;
    d.api_version = e.api_version;
    d.subresource = e.subresource;
    d.time = e.time;
    if (!e.fields_v1.empty())
      d.fields = from_fields_v1(parsed_fields_v1(e.fields_v1.text));
    auto same = std::find_if(out.begin(), out.end(),
                             [&](const manager_entry& o) { return o.same_manager(d); });
    if (same != out.end())
      *same = std::move(d);
    else
      out.push_back(std::move(d));
  }
  return out;
}

managed_fields encode_managers(const std::vector<manager_entry>& entries) {
  managed_fields out;
  for (const auto& e : entries) {
    if (empty(e.fields))
      continue;
    m::managed_fields_entry x;
    x.manager = e.manager;
    x.operation = e.operation;
    x.api_version = e.api_version;
    x.time = e.time;
    x.fields_type = "FieldsV1";
    x.fields_v1.text = to_fields_v1(e.fields).dump();
    x.subresource = e.subresource;
    out.push_back(std::move(x));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& p, const auto& q) {
    return std::tie(p.operation, p.time.seconds, p.manager, p.api_version, p.subresource) <
           std::tie(q.operation, q.time.seconds, q.manager, q.api_version, q.subresource);
  });
  return out;
}

manager_entry& entry_for(std::vector<manager_entry>& entries, const manager_entry& who) {
  for (auto& e : entries)
    if (e.same_manager(who))
      return e;
  entries.push_back(who);
  return entries.back();
}

void drop_empty(std::vector<manager_entry>& entries) {
  entries.erase(std::remove_if(entries.begin(), entries.end(),
                               [](const manager_entry& e) { return empty(e.fields); }),
                entries.end());
}

void cap_update_managers(std::vector<manager_entry>& entries) {
  std::vector<std::size_t> updaters;
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (entries[i].operation == "Update")
      updaters.push_back(i);
  if (updaters.size() <= max_update_managers)
    return;
  std::sort(updaters.begin(), updaters.end(), [&](std::size_t a, std::size_t b) {
    return std::make_pair(entries[a].time.seconds, entries[a].identifier()) <
           std::make_pair(entries[b].time.seconds, entries[b].identifier());
  });
  manager_entry bucket_id;
  bucket_id.manager = "ancient-changes";
  bucket_id.operation = "Update";
  // Merge the oldest until the count fits; an existing bucket takes part.
  std::size_t excess = updaters.size() - max_update_managers;
  std::vector<std::size_t> merged(updaters.begin(), updaters.begin() + excess + 1);
  auto bucket = std::find_if(updaters.begin(), updaters.end(),
                             [&](std::size_t i) { return entries[i].same_manager(bucket_id); });
  if (bucket != updaters.end() && std::find(merged.begin(), merged.end(), *bucket) == merged.end())
    merged.back() = *bucket;
  manager_entry result = bucket_id;
  for (std::size_t i : merged) {
    unite(result.fields, entries[i].fields);
    result.time = std::max(result.time, entries[i].time);
  }
  std::sort(merged.rbegin(), merged.rend());
  for (std::size_t i : merged)
    entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(i));
  entries.push_back(std::move(result));
}

}  // namespace capstan::api::detail
