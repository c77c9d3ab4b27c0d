// `capstan master`: runs the control plane on a data directory until SIGINT or SIGTERM, then
// shuts down cleanly (journal committed, snapshot written, exit 0).
#pragma once

#include <string>
#include <vector>

namespace capstan::admin {

int run_master_command(const std::vector<std::string>& args);

}  // namespace capstan::admin
