// Watch streams (`?watch=true`): every change of the watched objects after a resourceVersion,
// as kube-apiserver sends them — one JSON event per line, ADDED / MODIFIED / DELETED, or a
// one-row Table when a Table was asked for. Resumes from any resourceVersion the journal holds.
#pragma once

#include <chrono>
#include <optional>

#include "api/rest_handler.hpp"
#include "api/watch_events.hpp"
#include "api/watch_hub.hpp"
#include "messages/field_selector.hpp"
#include "messages/label_selector.hpp"

namespace capstan::api {

// Bytes of events a watch from the past may owe before it starts; beyond, 410 Gone (the client
// lists again), as kube-apiserver answers for a resourceVersion it no longer holds.
constexpr std::size_t max_watch_catch_up_bytes = 64 * 1024 * 1024;
// The same for the journal records it would have to read (of any kind) before it starts.
constexpr uint64_t max_watch_catch_up_records = 1000000;
// How long a watch from a resourceVersion not yet reached waits for it before its stream says
// so (an ERROR event "Too large resource version") and ends, as kube-apiserver's watch cache does.
constexpr std::chrono::seconds future_resource_version_wait{3};

// Prepares the watch on a handler thread (the state it starts from, what happened since) and
// returns the streamed response that serves it, or an error to answer instead.
http_response start_watch(actors::master& master, watch_hub& hub, watch_request request);

}  // namespace capstan::api
