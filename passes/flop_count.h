#pragma once
// FLOP counting on the data-centric form: every tasklet's arithmetic, times the iterations of
// the maps around it.
#include <cstdint>

#include "ir/graph.h"
#include "ir/scope.h"

namespace conflux::passes {

/// Arithmetic operations in one evaluation of `expr`: one per arithmetic operator,
/// comparison or math function; references, constants, casts, selects and loads are free.
int64_t expressionFlops(const ir::Expr& expr);

/// FLOPs of one tasklet node over all iterations of the maps around it (0 for other nodes):
/// its expressions' FLOPs plus one per output written with write-conflict resolution, times
/// the iteration count of every enclosing map.
double nodeFlops(const ir::State& state, const ir::ScopeTree& scopes, ir::NodeId node);

/// FLOPs of one execution of `state`: for every tasklet, its expressions' FLOPs plus one per
/// output written with write-conflict resolution, times the iteration count of every map
/// enclosing it. Library nodes are not counted (expand them first). Maps whose iteration
/// count depends on run-time symbols are counted as one iteration.
double stateFlops(const ir::State& state);

/// stateFlops summed over the states of `graph` (each state counted once).
double graphFlops(const ir::Graph& graph);

}  // namespace conflux::passes
