// Test doubles of the registries that controllers send their commands to.
#pragma once

#include <memory>
#include <string>

#include "actors/actors.hpp"

namespace capstan::test {

// A registry whose first command fails as a journal write fails on a full disk; every later
// one succeeds. It sends the target name of each command it receives to `observer`.
inline caf::actor spawn_registry_refusing_first(caf::actor_system& system, caf::actor observer) {
  return system.spawn([observer](caf::event_based_actor* registry) -> caf::behavior {
    auto refused = std::make_shared<bool>(false);
    return {[=](actors::object_command& c) {
      registry->send(observer, c.target.name);
      if (*refused)
        return actors::command_reply{};
      *refused = true;
      return actors::command_reply::failure(actors::error_code::internal,
                                            "No space left on device");
    }};
  });
}

}  // namespace capstan::test
