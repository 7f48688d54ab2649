#pragma once
// The IR validator: one function that checks every invariant of a graph.
#include "ir/graph.h"

namespace conflux::ir {

/// Checks every invariant of `graph` and throws conflux::Error naming the graph, state and
/// node (or edge) of the first violation:
///  - arrays: positive dims, layouts that permute the shape, inputs/outputs declared and not
///    transient;
///  - states: acyclic; map exits matched to entries; nodes reached from one scope only;
///  - edges: connectors exist on both ends, every tasklet/library connector is connected,
///    map IN_x / OUT_x connectors come in pairs;
///  - memlets: the array exists, the subset has its rank, uses only symbols of enclosing maps
///    or graph symbols, and stays inside the array's shape over the maps' ranges;
///  - dtypes: tasklet references match the dtype of the array on their connector;
///  - maps: one range per parameter, unique names, steps >= 1;
///  - interstate edges: states exist; conditions are bool.
void validate(const Graph& graph);

}  // namespace conflux::ir
