#include "passes/layout_dp.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

namespace conflux::passes {
namespace {

/// One state of the programme: the choice of each array assigned so far (an index into the
/// choices, or -1 before its first kernel), and the cheapest cost of reaching it.
struct Partial {
  std::vector<int> choice;
  double cost = 0;
};

/// The arrays (indices into `arrays`) each kernel touches.
std::vector<std::vector<size_t>> touchedBy(const std::vector<KernelAccesses>& kernels,
                                           const std::vector<std::string>& arrays) {
  std::map<std::string, size_t> index;
  for (size_t a = 0; a < arrays.size(); ++a) index[arrays[a]] = a;
  std::vector<std::vector<size_t>> touched(kernels.size());
  for (size_t k = 0; k < kernels.size(); ++k) {
    std::set<size_t> set;
    for (const auto* list : {&kernels[k].reads, &kernels[k].writes})
      for (const ir::Memlet& m : *list)
        if (auto it = index.find(m.data); it != index.end()) set.insert(it->second);
    touched[k].assign(set.begin(), set.end());
  }
  return touched;
}

/// The state's key: the choices of the arrays live after the kernel (those of `live`).
std::vector<int> keyOf(const Partial& p, const std::vector<size_t>& live) {
  std::vector<int> key;
  for (size_t a : live) key.push_back(p.choice[a]);
  return key;
}

}  // namespace

std::optional<LayoutOf> exactLayouts(const ir::Graph& graph, const std::vector<KernelAccesses>& kernels,
                                     const std::vector<std::string>& arrays, const std::vector<ir::Layout>& choices,
                                     int lanes, size_t maxLive) {
  std::vector<std::vector<size_t>> touched = touchedBy(kernels, arrays);
  const size_t none = std::numeric_limits<size_t>::max();
  std::vector<size_t> first(arrays.size(), none), last(arrays.size(), 0);
  for (size_t k = 0; k < kernels.size(); ++k)
    for (size_t a : touched[k]) {
      if (first[a] == none) first[a] = k;
      last[a] = k;
    }

  std::vector<Partial> states{Partial{std::vector<int>(arrays.size(), -1), 0}};
  for (size_t k = 0; k < kernels.size(); ++k) {
    std::vector<size_t> fresh;
    for (size_t a : touched[k])
      if (first[a] == k) fresh.push_back(a);
    std::vector<size_t> live;  // assigned, and touched again after this kernel
    for (size_t a = 0; a < arrays.size(); ++a)
      if (first[a] != none && first[a] <= k && last[a] > k) live.push_back(a);
    if (live.size() > maxLive) return std::nullopt;
    // Every way to extend each state by the fresh arrays' choices, priced by this kernel; of the
    // extensions that agree on the live arrays, the cheapest survives.
    std::map<std::vector<int>, Partial> next;
    size_t ways = 1;
    for (size_t i = 0; i < fresh.size(); ++i) ways *= choices.size();
    for (const Partial& state : states)
      for (size_t way = 0; way < ways; ++way) {
        Partial p = state;
        for (size_t i = 0, rest = way; i < fresh.size(); ++i, rest /= choices.size())
          p.choice[fresh[i]] = static_cast<int>(rest % choices.size());
        LayoutOf layouts;
        for (size_t a : touched[k]) layouts[arrays[a]] = choices[static_cast<size_t>(p.choice[a])];
        p.cost += layoutCost(graph, kernels[k], layouts, lanes);
        std::vector<int> key = keyOf(p, live);
        auto it = next.find(key);
        if (it == next.end() || p.cost < it->second.cost) next[key] = std::move(p);
      }
    states.clear();
    for (auto& [key, p] : next) states.push_back(std::move(p));
  }
  const Partial& best = *std::min_element(states.begin(), states.end(),
                                          [](const Partial& a, const Partial& b) { return a.cost < b.cost; });
  LayoutOf layouts;
  for (size_t a = 0; a < arrays.size(); ++a)
    layouts[arrays[a]] = choices[static_cast<size_t>(std::max(0, best.choice[a]))];
  return layouts;
}

}  // namespace conflux::passes
