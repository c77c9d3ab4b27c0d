// Test doubles of the registries that controllers send their commands to.
#pragma once

#include <functional>
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

  bool refuse() { return requests++ < refusals; }
};

inline actors::command_reply refusal() {
  return actors::command_reply::failure(actors::error_code::internal, "No space left on device");
}

// A registry answering object commands, creates, batches of creates and command batches by
// `script`.
inline actors::registry_actor spawn_scripted_registry(caf::actor_system& system,
                                                      std::shared_ptr<registry_script> script) {
  return system.spawn([script]() -> actors::registry_actor::behavior_type {
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
        [=](actors::command_batch& batch) {
          for (const auto& c : batch.commands)
            script->targets.push_back(c.target.name);
          bool refused = script->refuse();
          return std::vector<actors::command_reply>(batch.commands.size(),
                                                    refused ? refusal() : actors::command_reply{});
        },
    };
  });
}

// A registry whose answers the test writes: object commands (alone or in a batch) by
// `command`, creates (alone or in a burst) by `create`. A message without its function is
// answered with a failure saying the test did not expect it.
struct registry_answers {
  std::function<actors::command_reply(const actors::object_command&)> command;
  std::function<actors::command_reply(const actors::create_command&)> create;
};

inline actors::registry_actor spawn_registry_double(caf::actor_system& system,
                                                    registry_answers answers) {
  auto answer = [](const auto& f, const auto& message) {
    return f ? f(message)
             : actors::command_reply::failure(actors::error_code::internal,
                                              "not expected by this test");
  };
  return system.spawn([answers, answer]() -> actors::registry_actor::behavior_type {
    return {
        [=](actors::object_command& c) { return answer(answers.command, c); },
        [=](actors::create_command& c) { return answer(answers.create, c); },
        [=](std::vector<actors::create_command>& creates) {
          std::vector<actors::command_reply> out;
          for (const auto& c : creates)
            out.push_back(answer(answers.create, c));
          return out;
        },
        [=](actors::command_batch& batch) {
          std::vector<actors::command_reply> out;
          for (const auto& c : batch.commands)
            out.push_back(answer(answers.command, c));
          return out;
        },
    };
  });
}

}  // namespace capstan::test
