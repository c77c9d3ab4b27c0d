// Event (core/v1): a user-visible report such as Scheduled or FailedScheduling.
// Not to be confused with the journal's domain events (messages/domain_event.hpp).
#pragma once

#include "messages/object_meta.hpp"

namespace capstan::messages {

struct event_source {
  std::string component;
  std::string host;
};
template <class F>
void fields(F& f, event_source& x) {
  f("component", x.component);
  f("host", x.host);
}

struct event {
  object_meta metadata;
  object_reference involved_object;
  std::string reason;
  std::string message;
  event_source source;
  timestamp first_timestamp;
  timestamp last_timestamp;
  int32_t count = 0;
  std::string type;  // Normal | Warning
};
template <class F>
void fields(F& f, event& x) {
  f.always("metadata", x.metadata);
  f.always("involvedObject", x.involved_object);
  f("reason", x.reason);
  f("message", x.message);
  f("source", x.source);
  f("firstTimestamp", x.first_timestamp);
  f("lastTimestamp", x.last_timestamp);
  f("count", x.count);
  f("type", x.type);
}

}  // namespace capstan::messages
