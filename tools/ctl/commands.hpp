// capstanctl's commands. Each registers itself (its flags, arguments, help and what it runs) on
// the root command; capstanctl.cpp holds the one list of them.
#pragma once

#include <CLI/CLI.hpp>

#include "tools/ctl/context.hpp"

namespace capstan::ctl {

void add_get_command(CLI::App& root, context& ctx);             // get_command.cpp
void add_create_delete_commands(CLI::App& root, context& ctx);  // create_delete_commands.cpp
void add_apply_command(CLI::App& root, context& ctx);           // apply_command.cpp
void add_scale_command(CLI::App& root, context& ctx);           // scale_command.cpp
void add_label_command(CLI::App& root, context& ctx);           // label_command.cpp
void add_rolling_update_command(CLI::App& root, context& ctx);  // rolling_update_command.cpp
void add_describe_command(CLI::App& root, context& ctx);        // describe_command.cpp
void add_logs_command(CLI::App& root, context& ctx);            // logs_command.cpp
void add_audit_command(CLI::App& root, context& ctx);           // audit_command.cpp
void add_members_command(CLI::App& root, context& ctx);         // members_command.cpp
void add_info_commands(CLI::App& root, context& ctx);           // info_commands.cpp
void add_validate_command(CLI::App& root, context& ctx);        // validate_command.cpp

}  // namespace capstan::ctl
