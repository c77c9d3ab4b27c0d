// Test doubles of the registries that controllers send their commands to.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "actors/actors.hpp"

namespace capstan::test {

// What a registry double was asked, and how it answers: the first `refusals` requests fail
// as a journal write fails on a full disk, every later one succeeds (changing nothing).
struct registry_script {
  int refusals = 1;
  std::vector<std::string> targets;  // the name of each command's object, in arrival order
  int requests = 0;                  // requests received (a batch counts once)

  bool refuse() {
    return requests++ < refusals;
  }
};

inline actors::command_reply refusal() {
  return actors::command_reply::failure(actors::error_code::internal, "No space left on device");
}

// A registry answering object commands, creates and batches of creates by `script`.
inline caf::actor spawn_scripted_registry(caf::actor_system& system,
                                          std::shared_ptr<registry_script> script) {
  return system.spawn([script]() -> caf::behavior {
    return {
        [=](actors::object_command& c) {
          script->targets.push_back(c.target.name);
          return script->refuse() ? refusal() : actors::command_reply{};
        },
        [=](actors::create_command& c) {
          script->targets.push_back(messages::meta_of(c.object).name);
          return script->refuse() ? refusal() : actors::command_reply{};
        },
        [=](std::vector<actors::create_command>& creates) {
          for (const auto& c : creates)
            script->targets.push_back(messages::meta_of(c.object).generate_name);
          bool refused = script->refuse();
          return std::vector<actors::command_reply>(creates.size(),
                                                    refused ? refusal() : actors::command_reply{});
        },
    };
  });
}

}  // namespace capstan::test
