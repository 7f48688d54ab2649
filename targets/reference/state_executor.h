#pragma once
// Executes one dataflow state: its top-level nodes in topological order, each map scope's body
// for every point of the map's iteration space (innermost kernel bodies in batches of lanes),
// access-to-access copies and nested graphs. Compiled kernels are cached per scope and node.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "targets/reference/kernel.h"
#include "targets/reference/linear_form.h"
#include "targets/reference/map_iteration.h"
#include "targets/reference/memlet_address.h"

namespace conflux::targets::reference {

/// Runs one state of a graph on the graph's buffers.
class StateExecutor {
 public:
  /// Prepares `state`: its scopes, their names (`symbols` plus map parameters, which take
  /// fresh env slots from `nextSlot`) and their ranges.
  StateExecutor(const ir::Graph& graph, const ir::State& state, Buffers& buffers,
                const NameScope& symbols, int& nextSlot);
  ~StateExecutor();

  /// Executes the state once with the slot values in `env`.
  void run(int64_t* env);

 private:
  /// The nodes directly inside one map scope (or the top level) and how to run them.
  struct Scope {
    std::vector<ir::NodeId> children;  // in topological order
    NameScope names;                   // visible map parameters and symbols
    MapRanges ranges;                  // of the map (unused at the top level)
    KernelContext context;
    bool kernelBody = false;           // the body compiles into one Kernel
    std::map<size_t, std::unique_ptr<Kernel>> kernels;  // by vector dimension
  };

  std::string where(ir::NodeId id) const;
  void runScope(int64_t key, int64_t* env);
  void runMap(ir::NodeId entry, int64_t* env);
  void runTasklet(ir::NodeId id, const Scope& scope, int64_t* env);
  void runCopies(ir::NodeId id, const Scope& scope, int64_t* env);
  void runNested(ir::NodeId id, const Scope& scope, int64_t* env);

  const ir::Graph& graph_;
  const ir::State& state_;
  Buffers& buffers_;
  std::string where_;
  std::map<int64_t, Scope> scopes_;  // by map entry id; -1 is the top level
  std::map<int64_t, std::unique_ptr<Kernel>> tasklets_;  // lone tasklets by node id
};

}  // namespace conflux::targets::reference
