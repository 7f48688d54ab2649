#pragma once
// The layout cost model: what a kernel's vector loop costs given the layouts of the arrays it
// touches. A kernel runs its vector lanes along one parameter of its output; every array whose
// index moves with that parameter in a dimension that is not its unit-stride one is gathered or
// scattered lane by lane, unless it is a constant (packed into the lanes' order once, at load).
// The model charges the bytes each access touches once, times kGatherPenalty when accessed
// across lanes, divided by the fraction of the lanes the parameter's extent fills, and takes the
// best parameter. It ranks layout choices; it does not predict time.
#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/kernels.h"

namespace conflux::passes {

/// A gathered or scattered vector access costs this many contiguous ones.
inline constexpr double kGatherPenalty = 4.0;

/// The element accesses of one kernel: its tasklets' point reads and writes of arrays in memory.
struct KernelAccesses {
  /// Every map parameter of the kernel, with its number of iterations.
  std::map<std::string, int64_t> extents;
  std::vector<ir::Memlet> reads, writes;
};

/// The accesses of `kernel` of `graph`.
KernelAccesses kernelAccesses(const ir::Graph& graph, const Kernel& kernel);

/// The accesses of those of `kernels` (of `graph`, in order) that run every run: kernels that run
/// once at load (the zero borders of padded copies) cost nothing per run.
std::vector<KernelAccesses> pricedKernels(const ir::Graph& graph, const std::vector<Kernel>& kernels);

/// The layout of each array, by name.
using LayoutOf = std::map<std::string, ir::Layout>;

/// The model's cost of `kernel` (in bytes-equivalents) with the arrays in the layouts of
/// `layouts` (the graph's own for those it omits), for vectors of `lanes` elements.
double layoutCost(const ir::Graph& graph, const KernelAccesses& kernel, const LayoutOf& layouts, int lanes);

}  // namespace conflux::passes
