#include "passes/data_movement.h"

#include <map>
#include <optional>

#include "ir/footprint.h"
#include "passes/flop_count.h"

namespace conflux::passes {
namespace {

/// Distinct elements of the union of `subsets` (top-level: no free map parameters).
double distinctElements(const std::vector<ir::Subset>& subsets) {
  ir::Footprint f = ir::footprintOverMaps(subsets, {});
  if (f.distinctElements) return static_cast<double>(*f.distinctElements);
  return static_cast<double>(f.box.numElements().value_or(0));
}

/// Σ over arrays of distinct bytes touched by the memlets of `edges`.
double footprintBytes(const ir::Graph& graph, const ir::State& state, const std::vector<ir::EdgeId>& edges) {
  std::map<std::string, std::vector<ir::Subset>> byArray;
  for (ir::EdgeId e : edges) {
    const ir::Memlet& m = state.edge(e).memlet;
    byArray[m.data].push_back(m.subset);
  }
  double bytes = 0;
  for (const auto& [array, subsets] : byArray)
    bytes += distinctElements(subsets) * static_cast<double>(ir::dtypeBytes(graph.array(array).dtype));
  return bytes;
}

/// Per-tile traffic of a tiled kernel: edges between the outer map and inner map scopes.
/// Returns nothing when the outer map's body is not made of inner scopes (untiled).
std::optional<double> tiledBytes(const ir::Graph& graph, const ir::State& state, ir::NodeId entry) {
  const ir::Map& outer = std::get<ir::MapEntry>(state.node(entry).payload).map;
  ir::NodeId exit = state.exitOf(entry);
  double perTile = 0;
  bool tiled = false;
  auto account = [&](const ir::Edge& edge, ir::NodeId inner, double factor) {
    if (edge.memlet.isEmpty()) return;
    ir::NodeKind kind = state.node(inner).kind();
    if (kind != ir::NodeKind::MapEntry && kind != ir::NodeKind::MapExit) return;
    tiled = true;
    double elements = static_cast<double>(edge.memlet.subset.numElements().value_or(0));
    perTile += factor * elements * static_cast<double>(ir::dtypeBytes(graph.array(edge.memlet.data).dtype));
  };
  for (ir::EdgeId e : state.outEdges(entry)) account(state.edge(e), state.edge(e).dst, 1);
  for (ir::EdgeId e : state.inEdges(exit))
    account(state.edge(e), state.edge(e).src, state.edge(e).memlet.wcr == ir::Wcr::None ? 1 : 2);
  if (!tiled) return std::nullopt;
  return perTile * static_cast<double>(ir::iterationCount(outer).value_or(1));
}

}  // namespace

KernelTraffic analyzeKernel(const ir::Graph& graph, const Kernel& kernel) {
  const ir::State& state = graph.state(kernel.state);
  ir::ScopeTree scopes(state);
  KernelTraffic t;
  t.name = kernel.name;
  t.origins = kernel.origins;
  for (ir::NodeId n : kernel.nodes) t.flops += nodeFlops(state, scopes, n);
  t.bytesMin = footprintBytes(graph, state, kernel.reads) + footprintBytes(graph, state, kernel.writes);
  t.bytesMoved = t.bytesMin;
  if (state.node(kernel.root).kind() == ir::NodeKind::MapEntry)
    if (auto tiled = tiledBytes(graph, state, kernel.root)) t.bytesMoved = *tiled;
  return t;
}

std::vector<KernelTraffic> analyzeDataMovement(const ir::Graph& graph) {
  std::vector<KernelTraffic> result;
  for (const Kernel& k : extractKernels(graph)) result.push_back(analyzeKernel(graph, k));
  return result;
}

}  // namespace conflux::passes
