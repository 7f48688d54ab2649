#pragma once
// Graphviz DOT export of a graph's states, for pictures.
#include <string>

#include "ir/graph.h"

namespace conflux::ir {

/// One cluster per state; access nodes as ellipses, tasklets as octagons, map entries/exits
/// as trapezoids, library nodes as boxes; edges labelled with their memlets.
std::string toDot(const Graph& graph);

}  // namespace conflux::ir
