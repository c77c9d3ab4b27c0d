// capstan's own audit API, read from the journal (and its history index):
//   /capstan/v1/history   the records about an object, a cause, a name (api/audit/history_query.hpp)
//   /capstan/v1/state     every object as it was right after a record or a time
//   /capstan/v1/timeline  records per interval of time, by who made them
//   /capstan/v1/diff      what changed between two moments (api/audit/state_diff.hpp)
//   /capstan/v1/summary   the cluster in figures, now or then (api/audit/cluster_summary.hpp)
#pragma once

#include "actors/master/master.hpp"
#include "api/rest_handler.hpp"

namespace capstan::api {

bool is_audit_path(const std::string& path);

// Answers the paths above (GET). /capstan/v1/state?at=SEQ|time=RFC3339&kind=K[,K...]
// &namespace=&limitPerKind=N&compact=true&summary=true: every object (of those kinds, in
// `namespace`) right after the record or time, a Secret's values redacted; at most N of each
// kind (metadata.limitedKinds counts the kinds cut short); compact keeps only the fields the
// console's tables read; summary adds /capstan/v1/summary's figures of that moment.
http_response audit_api(const actors::master& master, const http_request& req);

}  // namespace capstan::api
