// capstan-node: the node agent's binary. It links no master code (nodeagent/, proxy/,
// common/, messages/ only); `capstan node ...` runs it too.
#include <string>
#include <vector>

#include "tools/node/node_command.hpp"

int main(int argc, char** argv) {
  return capstan::admin::run_node_command({argv + 1, argv + argc});
}
