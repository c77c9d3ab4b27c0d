// The Status answering a command the master refused, worded as kube-apiserver words it.
#pragma once

#include <string>

#include "actors/commands.hpp"
#include "api/http_message.hpp"

namespace capstan::api {

// `reply` must hold an error. `kind` and `name` name the object in the Status's details.
http_response reply_error(const actors::command_reply& reply, messages::object_kind kind,
                          const std::string& name);

}  // namespace capstan::api
