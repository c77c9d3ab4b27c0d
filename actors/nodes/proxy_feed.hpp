// What the nodes' service proxies are sent: the whole set of services and endpoints at a
// node's join, then what each committed batch changed. Pure functions over the read model.
#pragma once

#include <optional>

#include "actors/actors.hpp"
#include "actors/read_model/read_model.hpp"
#include "messages/node_protocol.hpp"

namespace capstan::actors {

// Every service and endpoints object, at the model's current sequence.
messages::proxy_update full_proxy_update(const read_model& model, const std::string& service_cidr);

// The services and endpoints `batch` touched, as they are now (or as removed); nothing when
// the batch touched none.
std::optional<messages::proxy_update> proxy_changes(const read_model& model,
                                                    const committed_batch& batch);

}  // namespace capstan::actors
