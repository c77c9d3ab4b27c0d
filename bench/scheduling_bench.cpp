// scheduling_bench: the scheduling benchmark of bench/scheduling_run.hpp as its own program
// (also `capstan bench scheduling`). Prints a progress line each second, a table, and one JSON
// line (scheduling_bench --help).
#include <iostream>

#include "bench/scheduling_run.hpp"
#include "tools/cli/cli.hpp"

int main(int argc, char** argv) {
  capstan::bench::scheduling_options o;
  CLI::App app{"scheduling_bench: the scheduling benchmark (also `capstan bench scheduling`)",
               "scheduling_bench"};
  capstan::cli::set_conventions(app);
  bool quick = false;
  app.add_option("--nodes", o.nodes, "Simulated nodes")->capture_default_str();
  app.add_option("--pods", o.pods, "Pods")->capture_default_str();
  app.add_option("--rc-size", o.rc_size, "Pods per replication controller")->capture_default_str();
  app.add_option("--members", o.members, "Members of the replicated journal (the master leads)")
      ->check(CLI::Range(1, 7))
      ->capture_default_str();
  app.add_flag("--quick", quick, "20 nodes, 500 pods (a smoke run of seconds)");
  app.callback([&] {
    if (quick) {
      o.nodes = 20;
      o.pods = 500;
      o.rc_size = 50;
    }
    try {
      auto r = capstan::bench::run_scheduling(o);
      std::cout << "\n" << capstan::bench::result_table(r);
      std::cout << capstan::bench::result_json(r).dump() << std::endl;
    } catch (const std::exception& e) {
      std::cerr << "scheduling_bench: " << e.what() << "\n";
      capstan::cli::exit_with(1);
    }
  });
  return capstan::cli::run(app, argc, argv);
}
