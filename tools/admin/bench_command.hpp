// `capstan bench scheduling ...`: the scheduling benchmark (bench/scheduling_run.hpp), with
// node and pod sweeps and a gnuplot plot.
#pragma once

#include <CLI/CLI.hpp>

namespace capstan::admin {

// Registers `bench scheduling` and its flags on `root`.
void add_bench_command(CLI::App& root);

}  // namespace capstan::admin
