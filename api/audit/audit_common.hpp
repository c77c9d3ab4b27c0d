// What the audit API's pages share: a record as JSON, an object as a past reader may see it,
// and the moments a request names (a sequence number or an RFC 3339 time).
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "actors/master/master.hpp"
#include "api/http_message.hpp"
#include "messages/json_codec.hpp"

namespace capstan::api::audit {

using messages::json;

// A history item: seq, time, timeNanos, cause, event, kind, resource (the plural the API's
// paths use), namespace, name, change (messages::change_summary).
json record_json(const messages::journal_record& record);

// The object as the audit API shows it: a Secret's data values and annotations replaced by
// "(redacted)" (the live API serves those to whoever may get the Secret; the past never does).
json object_json(const messages::any_object& object);

// The parameter `name` as a string ("" when absent).
std::string param(const http_request& req, const char* name);

// The moment `seq_name` (a sequence number) or `time_name` (RFC 3339, the last record at or
// before it) names, at most the journal's end; `fallback` when neither is given. A string is
// the 400's message.
std::variant<uint64_t, std::string> moment(const actors::master& master, const http_request& req,
                                           const char* seq_name, const char* time_name,
                                           uint64_t fallback);

// Seconds since the epoch as nanoseconds, clamped to [0, year 2262) (no overflow for any year
// RFC 3339 can write).
int64_t nanos_of(int64_t seconds);

// When record `seq` was committed, as RFC 3339 ("" for record 0 or one the index lacks).
std::string time_of(const actors::master& master, uint64_t seq);

}  // namespace capstan::api::audit
