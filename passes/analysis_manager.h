#pragma once
// Analyses of a graph computed when first asked for and kept until a pass modifies what they
// depend on. Each pass returns what it modified (pass.h: Modified); the pass manager then drops
// the analyses that depend on it — kernels on the graph's structure, data movement and kernel
// accesses on its structure and memlets — so a pass that only propagates memlets keeps the
// kernels, and one that only chooses layouts keeps them all.
#include <optional>
#include <vector>

#include "ir/graph.h"
#include "passes/data_movement.h"
#include "passes/kernels.h"
#include "passes/layout_cost.h"

namespace conflux::passes {

/// What a pass changed in a graph: bits that analyses depend on.
enum class Modified : unsigned {
  None = 0,
  Memlets = 1,    // subsets and volumes of memlets
  Layouts = 2,    // layouts and storage of arrays
  Structure = 4,  // nodes, edges, scopes, tasklets, arrays added or removed
  All = 7,
};

constexpr Modified operator|(Modified a, Modified b) {
  return static_cast<Modified>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
/// True when `a` and `b` share a bit.
constexpr bool overlaps(Modified a, Modified b) { return (static_cast<unsigned>(a) & static_cast<unsigned>(b)) != 0; }

/// The cached analyses of one graph at a time.
class AnalysisManager {
 public:
  /// The kernels of `graph` (extractKernels). Depends on Structure.
  const std::vector<Kernel>& kernels(const ir::Graph& graph);
  /// Per kernel: FLOPs, Q and D (analyzeDataMovement). Depends on Structure and Memlets.
  const std::vector<KernelTraffic>& dataMovement(const ir::Graph& graph);
  /// The accesses of the kernels that run every run, in order (what the layout cost model
  /// prices). Depends on Structure and Memlets.
  const std::vector<KernelAccesses>& pricedKernels(const ir::Graph& graph);

  /// Drops the analyses that depend on anything in `modified`.
  void invalidate(Modified modified);
  /// How many analyses were computed so far (each computation of each).
  int computations() const { return computations_; }

 private:
  /// Forgets everything when asked about another graph than the results describe.
  void bind(const ir::Graph& graph);

  const ir::Graph* graph_ = nullptr;
  std::optional<std::vector<Kernel>> kernels_;
  std::optional<std::vector<KernelTraffic>> dataMovement_;
  std::optional<std::vector<KernelAccesses>> pricedKernels_;
  int computations_ = 0;
};

}  // namespace conflux::passes
