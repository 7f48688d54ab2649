#include "passes/layout_cost.h"

#include <algorithm>
#include <limits>
#include <set>

#include "passes/map_patterns.h"

namespace conflux::passes {
namespace {

/// True for an array in memory (not a register accumulator) with at least one dimension.
bool inMemory(const ir::DataDesc& desc) { return desc.storage != ir::Storage::Register && !desc.shape.empty(); }

/// The fraction of the vector throughput a loop of `extent` iterations gets from vectors of
/// `lanes`, as the cpu target runs it: whole vectors; half-width ones where they divide it (24
/// channels: three of 8); else whole vectors with a guarded tail, which costs as much again.
double laneFill(int64_t extent, int lanes) {
  if (extent % lanes == 0) return 1.0;
  if (lanes > 1 && extent % (lanes / 2) == 0) return 0.5;
  return 0.5 * static_cast<double>(extent) / static_cast<double>((extent + lanes - 1) / lanes * lanes);
}

/// The bytes of the elements `access` touches over the kernel's iterations: its array's, or
/// fewer when the parameters it moves with span less (the border a padding kernel writes).
double touchedBytes(const ir::DataDesc& desc, const ir::Memlet& access, const std::map<std::string, int64_t>& extents) {
  double elements = 1;
  for (const auto& [param, extent] : extents)
    if (std::any_of(access.subset.ranges.begin(), access.subset.ranges.end(),
                    [&](const ir::Range& r) { return r.begin.coefficient(param) != 0; }))
      elements *= static_cast<double>(extent);
  return std::min(static_cast<double>(desc.bytes()), elements * ir::dtypeBytes(desc.dtype));
}

/// The model's cost of `kernel` with its lanes along `param`.
double costAlong(const ir::Graph& graph, const KernelAccesses& kernel, const LayoutOf& layouts,
                 const std::string& param, int lanes) {
  double filled = laneFill(kernel.extents.at(param), lanes);
  double cost = 0;
  auto charge = [&](const ir::Memlet& access, bool packable) {
    const ir::DataDesc& desc = graph.array(access.data);
    auto chosen = layouts.find(access.data);
    const ir::Layout& layout = chosen != layouts.end() ? chosen->second : desc.layout;
    size_t unit = static_cast<size_t>(layout.innermost());
    bool acrossLanes = false;
    for (size_t k = 0; k < access.subset.rank(); ++k) {
      int64_t c = access.subset.ranges[k].begin.coefficient(param);
      if (c != 0 && (k != unit || std::abs(c) != 1)) acrossLanes = true;
    }
    cost += touchedBytes(desc, access, kernel.extents) * (acrossLanes && !packable ? kGatherPenalty : 1.0);
  };
  for (const ir::Memlet& read : kernel.reads) charge(read, graph.constantValue(read.data) != nullptr);
  for (const ir::Memlet& write : kernel.writes) charge(write, false);
  return cost / filled;
}

}  // namespace

KernelAccesses kernelAccesses(const ir::Graph& graph, const Kernel& kernel) {
  const ir::State& state = graph.state(kernel.state);
  KernelAccesses accesses;
  for (ir::NodeId id : kernel.nodes) {
    const ir::Node& node = state.node(id);
    if (const auto* entry = std::get_if<ir::MapEntry>(&node.payload)) {
      for (size_t i = 0; i < entry->map.params.size(); ++i) {
        const ir::Range& r = entry->map.ranges.ranges[i];
        std::optional<int64_t> begin = r.begin.constantValue(), end = r.end.constantValue();
        if (begin && end) accesses.extents[entry->map.params[i]] = (*end - *begin) / r.step + 1;
      }
    }
    if (node.kind() != ir::NodeKind::Tasklet) continue;
    for (ir::EdgeId e : state.inEdges(id)) {
      const ir::Memlet& m = state.edge(e).memlet;
      if (!m.isEmpty() && isPoint(m.subset) && inMemory(graph.array(m.data))) accesses.reads.push_back(m);
    }
    for (ir::EdgeId e : state.outEdges(id)) {
      const ir::Memlet& m = state.edge(e).memlet;
      if (!m.isEmpty() && isPoint(m.subset) && inMemory(graph.array(m.data))) accesses.writes.push_back(m);
    }
  }
  return accesses;
}

double layoutCost(const ir::Graph& graph, const KernelAccesses& kernel, const LayoutOf& layouts, int lanes) {
  // Lanes may run along any parameter that indexes the output.
  std::set<std::string> candidates;
  for (const ir::Memlet& write : kernel.writes)
    for (const ir::Range& r : write.subset.ranges)
      for (const auto& [p, c] : r.begin.terms())
        if (c != 0 && kernel.extents.count(p)) candidates.insert(p);
  double best = std::numeric_limits<double>::infinity();
  for (const std::string& p : candidates) best = std::min(best, costAlong(graph, kernel, layouts, p, lanes));
  if (candidates.empty()) {  // a single element: every access once
    best = 0;
    for (const ir::Memlet& m : kernel.reads) best += touchedBytes(graph.array(m.data), m, kernel.extents);
    for (const ir::Memlet& m : kernel.writes) best += touchedBytes(graph.array(m.data), m, kernel.extents);
  }
  return best;
}

std::vector<KernelAccesses> pricedKernels(const ir::Graph& graph, const std::vector<Kernel>& kernels) {
  std::vector<bool> once = runOnceKernels(graph, kernels);
  std::vector<KernelAccesses> priced;
  for (size_t k = 0; k < kernels.size(); ++k)
    if (!once[k]) priced.push_back(kernelAccesses(graph, kernels[k]));
  return priced;
}

}  // namespace conflux::passes
