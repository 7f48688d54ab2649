#include "passes/memory_plan.h"

#include <algorithm>
#include <limits>
#include <optional>

namespace conflux::passes {
namespace {

/// The kernels between which each array is touched: read or written across the kernel's
/// boundary, or accessed inside it.
std::map<std::string, std::pair<size_t, size_t>> touches(const ir::Graph& graph, const std::vector<Kernel>& kernels) {
  std::map<std::string, std::pair<size_t, size_t>> spans;
  auto touch = [&](const std::string& array, size_t k) {
    auto [it, fresh] = spans.try_emplace(array, k, k);
    if (!fresh) it->second = {std::min(it->second.first, k), std::max(it->second.second, k)};
  };
  for (size_t k = 0; k < kernels.size(); ++k) {
    const ir::State& state = graph.state(kernels[k].state);
    for (const auto* edges : {&kernels[k].reads, &kernels[k].writes})
      for (ir::EdgeId e : *edges) touch(state.edge(e).memlet.data, k);
    for (ir::NodeId id : kernels[k].nodes)
      if (const auto* access = std::get_if<ir::AccessNode>(&state.node(id).payload)) touch(access->data, k);
  }
  return spans;
}

int64_t roundUp(int64_t bytes, int64_t alignment) { return (bytes + alignment - 1) / alignment * alignment; }

/// The lowest offset of the smallest gap among `busy` (placements live at the same time) that
/// holds `bytes`, or the end of the highest one.
int64_t bestFit(std::vector<const Placement*> busy, int64_t bytes, int64_t alignment) {
  std::sort(busy.begin(), busy.end(), [](const Placement* a, const Placement* b) { return a->offset < b->offset; });
  std::optional<int64_t> best;
  int64_t bestGap = std::numeric_limits<int64_t>::max(), end = 0;
  for (const Placement* p : busy) {
    int64_t gap = p->offset - end;
    if (gap >= bytes && gap < bestGap) {
      best = end;
      bestGap = gap;
    }
    end = std::max(end, roundUp(p->offset + p->bytes, alignment));
  }
  return best.value_or(end);
}

}  // namespace

MemoryPlan planMemory(const ir::Graph& graph, const std::vector<Kernel>& kernels, const std::vector<bool>& runOnce,
                      int64_t alignment) {
  std::map<std::string, std::pair<size_t, size_t>> spans = touches(graph, kernels);
  size_t last = kernels.empty() ? 0 : kernels.size() - 1;
  std::vector<std::string> lifelong;  // arrays a run-once kernel writes
  for (size_t k = 0; k < kernels.size(); ++k)
    if (k < runOnce.size() && runOnce[k])
      for (ir::EdgeId e : kernels[k].writes) lifelong.push_back(graph.state(kernels[k].state).edge(e).memlet.data);

  MemoryPlan plan;
  std::vector<std::string> order;
  for (const auto& [name, desc] : graph.arrays()) {
    if (!desc.transient || desc.storage != ir::Storage::Global || graph.constantValue(name)) continue;
    auto span = spans.find(name);
    bool always = span == spans.end() || std::count(lifelong.begin(), lifelong.end(), name);
    Placement p;
    p.bytes = desc.bytes();
    p.firstKernel = always ? 0 : span->second.first;
    p.lastKernel = always ? last : span->second.second;
    plan.placements.emplace(name, p);
    plan.unplannedBytes += roundUp(p.bytes, alignment);
    order.push_back(name);
  }
  // Largest first; each at the best gap among the placed ones live at the same time.
  std::stable_sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
    return plan.placements[a].bytes > plan.placements[b].bytes;
  });
  std::vector<const Placement*> placed;
  for (const std::string& name : order) {
    Placement& p = plan.placements[name];
    std::vector<const Placement*> busy;
    for (const Placement* q : placed)
      if (q->firstKernel <= p.lastKernel && p.firstKernel <= q->lastKernel) busy.push_back(q);
    p.offset = bestFit(busy, p.bytes, alignment);
    plan.plannedBytes = std::max(plan.plannedBytes, roundUp(p.offset + p.bytes, alignment));
    placed.push_back(&p);
  }
  return plan;
}

}  // namespace conflux::passes
