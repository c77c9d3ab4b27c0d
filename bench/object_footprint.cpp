#include "bench/object_footprint.hpp"

#include <algorithm>
#include <cstdio>

namespace capstan::bench {

double footprint::total() const {
  double sum = inline_bytes + table_node_bytes;
  for (const auto& [path, bytes] : heap_by_path)
    sum += bytes;
  return sum;
}

std::string footprint::report(int depth, const char* per) const {
  if (objects == 0)
    return "  (none)\n";
  std::map<std::string, double> folded;
  for (const auto& [path, bytes] : heap_by_path) {
    std::size_t end = 0;
    for (int level = 0; level < depth && end != std::string::npos; ++level)
      end = path.find('.', end == 0 ? 0 : end + 1);
    folded[path.substr(0, end)] += bytes;
  }
  std::vector<std::pair<std::string, double>> rows(folded.begin(), folded.end());
  rows.emplace_back("(the object, inline)", inline_bytes);
  rows.emplace_back("(table node around it)", table_node_bytes);
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out;
  char line[200];
  double n = static_cast<double>(objects);
  std::snprintf(line, sizeof line, "  %-44s %8.0f bytes/%s\n", "total", total() / n, per);
  out += line;
  for (const auto& [path, bytes] : rows) {
    if (bytes / n < 1)
      continue;
    std::snprintf(line, sizeof line, "    %-42s %8.0f\n", path.c_str(), bytes / n);
    out += line;
  }
  return out;
}

}  // namespace capstan::bench
