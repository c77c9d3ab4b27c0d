// Subresources beyond an object's own fields: an RC's autoscaling/v1 Scale, and a pod's
// policy/v1 Eviction.
#pragma once

#include "actors/master/master.hpp"
#include "api/rest_handler.hpp"
#include "messages/json_codec.hpp"

namespace capstan::api {

// The autoscaling/v1 Scale of a replication controller.
messages::json scale_of(const messages::replication_controller& rc);

// POST pods/NAME/eviction (policy/v1 Eviction, what `kubectl drain` sends): deletes the pod,
// journaled as an eviction by the user. No PodDisruptionBudgets exist, so none can refuse it.
http_response evict_pod(actors::master& master, const http_request& req,
                        const store::object_key& key, bool dry_run);

}  // namespace capstan::api
