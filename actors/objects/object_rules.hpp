// The rules of commands on an existing object: given the current object and a command, the
// journal record to append, or why not. Pure functions; the object actor only routes.
#pragma once

#include <variant>

#include "actors/commands.hpp"
#include "messages/domain_event.hpp"

namespace capstan::actors {

// A record to append, or a reply to give without appending (an error, or a no-op answered
// with the current object).
using planned_change = std::variant<messages::journal_record, command_reply>;

planned_change plan_change(const any_object& current, const object_command& command);

// The record that creates `object` (already admitted), caused by `cause`.
messages::journal_record creation_record(any_object object, const std::string& cause);

}  // namespace capstan::actors
