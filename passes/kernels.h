#pragma once
// Kernel partition: which nodes of a state run as one kernel. A kernel is a top-level map
// scope (its entry, exit and everything between), a top-level tasklet, or a library node —
// the unit a target launches and the unit the data-movement report counts. A kernel that
// writes only cache-local arrays (ir::Storage::CacheLocal, made by halo-tiling) is no kernel
// of its own: it is a producer of the kernel that reads them, computed per tile inside it.
#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/scope.h"

namespace conflux::passes {

/// One kernel of one state.
struct Kernel {
  /// "k<index>_<label>", unique in the graph.
  std::string name;
  size_t state = 0;
  /// The top-level node that defines it (a map entry, tasklet or library node).
  ir::NodeId root;
  /// Every node of the kernel (root, scope body and exit), ascending.
  std::vector<ir::NodeId> nodes;
  /// Edges between the kernel and access nodes outside it (its memory traffic), ascending; with
  /// producers, their reads too, and no read of a cache-local array (nor, unless it is a
  /// producer itself, a write of one).
  std::vector<ir::EdgeId> reads;
  std::vector<ir::EdgeId> writes;
  /// Model nodes it came from (union of the nodes' origins, its producers' first).
  std::vector<std::string> origins;
  /// The kernels that compute the cache-local arrays it reads, per tile of it, in topological
  /// order (each with its own nodes, reads and writes, the cache-local ones included).
  std::vector<Kernel> producers;
};

/// The kernels of every state, in state order then topological order, producers inside the
/// kernels they feed (a producer's own producers inside it). Names number the kernels,
/// producers included, in that order. Throws conflux::Error when no kernel after its writer
/// reads a cache-local array.
std::vector<Kernel> extractKernels(const ir::Graph& graph);

/// True when every array `kernel` writes (its own writes, ignoring producers) is cache-local.
bool writesOnlyCacheLocal(const ir::Graph& graph, const Kernel& kernel);

/// The kernels of one state, each built when first asked for: a fusion's matcher looks at the
/// few kernels around its candidate, not at the whole partition (which extractKernels builds, at
/// a cost quadratic in the nodes, for every candidate after every fusion otherwise). Their names
/// are left empty: names number the whole graph's kernels. Valid while the state is unchanged.
class StateKernels {
 public:
  StateKernels(const ir::Graph& graph, size_t stateIndex);
  /// True when `node` is the root of a kernel (a top-level map entry, tasklet or library node).
  bool isRoot(ir::NodeId node) const;
  /// The kernel whose root is `root` (isRoot).
  const Kernel& at(ir::NodeId root) const;

 private:
  const ir::State& state_;
  size_t stateIndex_;
  ir::ScopeTree scopes_;
  mutable std::map<ir::NodeId, Kernel> built_;
};

/// For each kernel, whether one run at load time gives every later run the same memory: it
/// reads no array, writes only transients, and no other kernel writes any element it writes
/// (the zero border of a padded copy, whose interior another kernel fills each run). A kernel
/// with producers runs them each run: it is never run once.
std::vector<bool> runOnceKernels(const ir::Graph& graph, const std::vector<Kernel>& kernels);

}  // namespace conflux::passes
