// `capstan bench scheduling ...`: the scheduling benchmark (bench/scheduling_run.hpp), with
// node sweeps and a gnuplot plot.
#pragma once

#include <string>
#include <vector>

namespace capstan::admin {

int run_bench_command(const std::vector<std::string>& args);

}  // namespace capstan::admin
