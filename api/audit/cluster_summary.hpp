// GET /capstan/v1/summary[?at=SEQ|time=RFC3339]: the cluster in figures, now (from the read
// model) or right after a record (rebuilt from the journal): how many objects of each kind,
// pods by phase, each node's readiness, capacity, requests of its pods and pod count, each
// namespace's phase and pods, and each Endpoints object's ready addresses. What the console's overview draws at any size: at 150,000 pods it is a few
// hundred kilobytes where the pods' list is hundreds of megabytes.
#pragma once

#include "actors/master/master.hpp"
#include "api/http_message.hpp"
#include "messages/json_codec.hpp"

namespace capstan::api::audit {

messages::json summarize(const store::cluster_state& state);

http_response cluster_summary(const actors::master& master, const http_request& req);

}  // namespace capstan::api::audit
