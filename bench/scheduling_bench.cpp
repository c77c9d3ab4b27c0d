// scheduling_bench: the scheduling benchmark of bench/scheduling_run.hpp as its own program
// (also `capstan bench scheduling`). Prints a progress line each second, a table, and one JSON
// line. Usage: scheduling_bench [--nodes N] [--pods M] [--rc-size K] [--quick]
#include <iostream>

#include "bench/scheduling_run.hpp"

int main(int argc, char** argv) {
  capstan::bench::scheduling_options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
    if (a == "--nodes") {
      o.nodes = next();
    } else if (a == "--pods") {
      o.pods = next();
    } else if (a == "--rc-size") {
      o.rc_size = next();
    } else if (a == "--quick") {
      o.nodes = 20;
      o.pods = 500;
      o.rc_size = 50;
    } else {
      std::cerr << "usage: scheduling_bench [--nodes N] [--pods M] [--rc-size K] [--quick]\n";
      return 2;
    }
  }
  try {
    auto r = capstan::bench::run_scheduling(o);
    std::cout << "\n" << capstan::bench::result_table(r);
    std::cout << capstan::bench::result_json(r).dump() << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "scheduling_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
