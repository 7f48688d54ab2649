#pragma once
// expand-library-nodes: replace every library node by an equivalent subgraph of maps and
// tasklets (the data-centric form every later pass and the reference interpreter work on).
#include <memory>

#include "ir/graph.h"
#include "passes/pass.h"

namespace conflux::passes {

/// Expands every library node of every state of `graph` (and of nested graphs) into maps and
/// tasklets per docs/library_nodes.md — by Winograd's algorithm where the node's Expansion says
/// so (a Conv that passes/winograd_selection.h chose), else by its pure expansion — copying
/// each node's origins to the nodes it creates, then propagates the memlets of every state it
/// changed and drops the constants no node reads any more (a graph without library nodes is
/// left unchanged). Maps are labelled after the op ("softmax_max"), transients after the node
/// ("<label>_max"); accumulators are initialised by a map ordered before the accumulating map
/// with an empty memlet. Throws conflux::Error naming the node when an op cannot be
/// expanded (an op the frontend should have folded, unsupported attributes, bad shapes).
/// Returns whether it expanded any node.
bool expandLibraryNodes(ir::Graph& graph);

/// Makes the pass that runs expandLibraryNodes.
std::unique_ptr<Pass> makeExpandLibraryNodesPass();

}  // namespace conflux::passes
