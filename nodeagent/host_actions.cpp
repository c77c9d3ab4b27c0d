#include "nodeagent/host_actions.hpp"

#include <fstream>

namespace capstan::nodeagent {

host_actions host_actions::real() {
  return {common::run_process, [](const std::string& path, const std::string& text) {
            std::ofstream out(path, std::ios::trunc | std::ios::binary);
            out << text;
          }};
}

}  // namespace capstan::nodeagent
