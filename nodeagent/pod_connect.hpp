// The node's end of `kubectl port-forward`: a process (`capstan-node pod-connect NETNS PORT`,
// run by the agent like a `runc exec`, so the exec stream's bounds and clean-up apply) that
// enters the pod's network namespace, connects to localhost:PORT there and copies stdin to the
// connection and the connection to stdout. The end of stdin half-closes the connection; the
// connection's end ends the process (0). A refused or failed connect is one line on stderr and
// exit code 1: the master turns it into the port-forward's error stream.
#pragma once

#include <string>

namespace capstan::nodeagent {

// Runs in the current process (which must be single-threaded: setns changes the calling
// thread's namespace) and returns the exit code. `netns_path`: /run/netns/NAME.
int pod_connect_main(const std::string& netns_path, const std::string& port);

}  // namespace capstan::nodeagent
