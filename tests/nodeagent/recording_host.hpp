// A host for the node's network code that runs nothing: it records every command and file
// write, fails the commands listed in `failing`, and answers the listings in `answers` (those
// the code reads, such as `ip -o addr show`). lab_node_listings() are a lab node's: eth0 at
// 192.168.77.11 with MTU 1500.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "nodeagent/host_actions.hpp"

namespace capstan::test {

using command = std::vector<std::string>;

inline const command list_lab_address = {"ip", "-o", "-4", "addr", "show", "to",
                                         "192.168.77.11/32"};
inline const command list_lab_uplink = {"ip", "-o", "link", "show", "dev", "eth0"};

inline std::map<command, std::string> lab_node_listings() {
  return {{list_lab_address,
           "2: eth0    inet 192.168.77.11/24 scope global eth0\\       valid_lft forever\n"},
          {list_lab_uplink,
           "2: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP\n"}};
}

struct recording_host {
  std::vector<command> commands;
  std::map<std::string, std::string> files;
  std::vector<command> failing;
  std::map<command, std::string> answers;

  nodeagent::host_actions actions() {
    return {[this](const command& argv) {
              commands.push_back(argv);
              for (const auto& f : failing)
                if (f == argv)
                  return common::process_result{2, "RTNETLINK answers: File exists\n"};
              auto a = answers.find(argv);
              return common::process_result{0, a == answers.end() ? "" : a->second};
            },
            [this](const std::string& path, const std::string& text) { files[path] = text; }};
  }
};

}  // namespace capstan::test
