#include "passes/data_movement.h"

#include <algorithm>
#include <map>
#include <optional>

#include "ir/footprint.h"
#include "passes/flop_count.h"
#include "passes/kernel_patterns.h"
#include "passes/key_mask.h"

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

/// True when the ranges of the map scope `inner` (an entry or exit) depend on a parameter of
/// `outer`: `outer` then iterates over tiles of `inner`'s space.
bool isTileOf(const ir::State& state, ir::NodeId inner, const ir::Map& outer) {
  ir::NodeId entry = inner;
  if (const auto* exit = std::get_if<ir::MapExit>(&state.node(inner).payload)) entry = exit->entry;
  const auto* innerEntry = std::get_if<ir::MapEntry>(&state.node(entry).payload);
  if (!innerEntry) return false;
  for (const ir::Range& r : innerEntry->map.ranges.ranges)
    for (const std::string& p : outer.params)
      if (r.begin.coefficient(p) != 0 || r.end.coefficient(p) != 0) return true;
  return false;
}

/// Per-tile traffic of a tiled kernel: edges between the outer map and the inner map scopes
/// whose ranges it tiles. Returns nothing when the outer map tiles no inner scope (an untiled
/// kernel, or a nested reduction over the same range at every point, which streams its
/// operands once like an untiled kernel).
std::optional<double> tiledBytes(const ir::Graph& graph, const ir::State& state, ir::NodeId entry) {
  const ir::Map& outer = state.mapOf(entry);
  ir::NodeId exit = state.exitOf(entry);
  double perTile = 0;
  bool tiled = false;
  auto account = [&](const ir::Edge& edge, ir::NodeId inner, double factor) {
    if (edge.memlet.isEmpty() || !isTileOf(state, inner, outer)) return;
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
  // Work over the keys a constant mask hides is left out: it is no work (the cpu target skips
  // those keys) and counting it would put an attention's roofline bound above what it needs.
  std::optional<AttentionKernel> attention = attentionKernel(state, kernel);
  const double visibleKeys = attention ? visibleKeyShare(graph, state, *attention) : 1;
  const std::vector<ir::NodeId> keyMaps = visibleKeys < 1 ? keyMapEntries(*attention) : std::vector<ir::NodeId>{};
  auto overKeys = [&](ir::NodeId n) {
    std::vector<ir::NodeId> enclosing = scopes.chain(scopes.scopeOf(n));
    return std::any_of(enclosing.begin(), enclosing.end(),
                       [&](ir::NodeId e) { return std::count(keyMaps.begin(), keyMaps.end(), e) > 0; });
  };
  for (ir::NodeId n : kernel.nodes) t.flops += nodeFlops(state, scopes, n) * (overKeys(n) ? visibleKeys : 1);
  // Producers run inside the kernel: their work is its work; what they write stays in cache.
  for (const Kernel& producer : kernel.producers) t.flops += analyzeKernel(graph, producer).flops;
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
