// Drives nodeagent/bootstrap.cpp for tests/e2e/node_bootstrap_test.sh against a real master:
//   bootstrap_client HOST PORT TOKEN NODE_NAME DIR [--insecure-skip-ca-check]
// prints "reused" or "fetched" and the three paths on success (exit 0), or "error: ..." on
// stderr (exit 1).
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "nodeagent/bootstrap.hpp"

int main(int argc, char** argv) {
  if (argc != 6 && !(argc == 7 && std::string(argv[6]) == "--insecure-skip-ca-check")) {
    std::fprintf(stderr, "usage: %s HOST PORT TOKEN NODE_NAME DIR [--insecure-skip-ca-check]\n",
                 argv[0]);
    return 2;
  }
  capstan::nodeagent::bootstrap_config config;
  config.api_host = argv[1];
  config.api_port = static_cast<uint16_t>(std::atoi(argv[2]));
  config.token = argv[3];
  config.node_name = argv[4];
  config.dir = argv[5];
  config.insecure_skip_ca_check = argc == 7;
  try {
    auto files = capstan::nodeagent::bootstrap_node_credentials(config);
    std::printf("%s\n%s\n%s\n%s\n", files.reused ? "reused" : "fetched", files.ca_file.c_str(),
                files.certificate_file.c_str(), files.key_file.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
