// A runtime that runs nothing: every pod is reported Running and Ready at once, with an IP
// from the node's pod CIDR. For remote simulated nodes (benchmarks, join tests) on machines
// where containers cannot run.
#pragma once

#include <map>
#include <memory>
#include <mutex>

#include "nodeagent/pod_runtime.hpp"

namespace capstan::nodeagent {

std::unique_ptr<pod_runtime> make_fake_runtime();

}  // namespace capstan::nodeagent
