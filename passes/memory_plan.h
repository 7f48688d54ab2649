#pragma once
// Memory planning: liveness-based reuse of transient storage. Kernels run in extractKernels
// order; a transient is live from the first kernel that touches it to the last, and transients
// whose lives do not overlap share bytes. Arrays a run-once kernel writes (the constant border
// of a padded copy) hold their values across runs and live throughout.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/kernels.h"

namespace conflux::passes {

/// Where one transient lives in the shared transient region.
struct Placement {
  int64_t offset = 0;
  int64_t bytes = 0;
  /// Kernels (extractKernels indices) between which it is live, inclusive.
  size_t firstKernel = 0, lastKernel = 0;
};

/// The placement of every transient stored in memory (Storage::Global) of a graph.
struct MemoryPlan {
  std::map<std::string, Placement> placements;
  /// Bytes of the shared region: the peak of transient memory with reuse.
  int64_t plannedBytes = 0;
  /// Bytes of every transient in its own storage: the peak without reuse.
  int64_t unplannedBytes = 0;
};

/// Plans the transients of `graph` run as `kernels` (with `runOnce` from runOnceKernels):
/// greedy best fit, largest first, each offset a multiple of `alignment` bytes.
MemoryPlan planMemory(const ir::Graph& graph, const std::vector<Kernel>& kernels, const std::vector<bool>& runOnce,
                      int64_t alignment = 64);

}  // namespace conflux::passes
