#pragma once
// Memlet propagation: the memlets on the outside of a map scope are the union of the inner
// memlets over the map's iteration space, computed exactly with ISL images.
#include "ir/graph.h"

namespace conflux::ir {

/// Recomputes the outer memlets of every map scope of `state`, innermost scopes first: the
/// subset becomes the bounding box of the inner subsets' image, the volume the sum of the
/// inner volumes times the iteration count (unknown when either is unknown).
void propagateMemlets(State& state);

/// propagateMemlets on every state of the graph.
void propagateMemlets(Graph& graph);

}  // namespace conflux::ir
