// `capstan node`: a node agent joining a master (see nodeagent/node_agent.hpp). Runs until
// SIGINT or SIGTERM (its containers keep running: a restarted agent adopts them); exits 1 when
// the master refuses the join.
#pragma once

#include "tools/node/node_flags.hpp"

namespace capstan::admin {

// Runs the agent with complete()d flags; returns the process exit code.
int run_node(const node_flags& flags);

}  // namespace capstan::admin
