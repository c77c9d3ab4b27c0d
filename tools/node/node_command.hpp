// `capstan node`: a node agent joining a master (see nodeagent/node_agent.hpp). Runs until
// SIGINT or SIGTERM (its containers keep running: a restarted agent adopts them); exits 1 when
// the master refuses the join.
#pragma once

#include <string>
#include <vector>

namespace capstan::admin {

int run_node_command(const std::vector<std::string>& args);

}  // namespace capstan::admin
