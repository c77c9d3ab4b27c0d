// Two states are the same when their dumps are: every object as JSON, kind by kind in key order.
#pragma once

#include <string>
#include <vector>

#include "messages/json_codec.hpp"
#include "store/cluster_state.hpp"

namespace capstan::test {

inline std::vector<std::string> dump(const store::cluster_state& state) {
  std::vector<std::string> out;
  for (const auto* o : state.all_objects())
    out.push_back(messages::to_json(*o).dump());
  return out;
}

}  // namespace capstan::test
