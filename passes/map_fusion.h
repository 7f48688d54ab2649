#pragma once
// map-fusion: inlines a map that writes a transient into the one map that reads it, so the
// transient never reaches memory; the two tasklets become one whose expression composes them.
// Either both maps iterate over the same space and meet at the same element, or the producer
// computes element p in iteration p (copies, reshapes, transposes, element-wise ops) and is
// inlined at the element the consumer reads, through affine index composition. Repeated, it
// turns element-wise chains (bias + activation, broadcasts, layout copies) into one kernel.
// A producer that computes anything is inlined only where the consumer reads each of its
// elements once, so fusion never adds FLOPs; copies (reshape, transpose) inline anywhere — also a
// copy writing a dimension as the digits of several parameters (a reshape merging heads into
// column 64*h + d), whose consumer's parameter reading that column is split into (h, d).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/pass.h"

namespace conflux::passes {

/// A producer map -> transient access node -> consumer map pattern in one state.
struct MapFusionCandidate {
  size_t state = 0;
  ir::NodeId producerEntry;
  ir::NodeId intermediate;  // the access node of the transient between the two maps
  ir::NodeId consumerEntry;
};

/// Why `intermediate` (an access node of state `state`) cannot be fused away, or nothing when
/// the candidate through it is legal. Each legality check is named in the message.
std::optional<std::string> whyNotFusable(const ir::Graph& graph, size_t state, ir::NodeId intermediate);

/// The legal candidates of `graph`, in state and node order.
std::vector<MapFusionCandidate> findMapFusionCandidates(const ir::Graph& graph);

/// Fuses one legal candidate: the consumer's tasklet composes the producer's expression, the
/// producer's scope nodes go away and the transient is removed from the graph.
void fuseMaps(ir::Graph& graph, const MapFusionCandidate& candidate);

/// Fuses until no candidate is left; returns the number of fusions.
int fuseElementwiseMaps(ir::Graph& graph);

/// Makes the pass running fuseElementwiseMaps and then memlet propagation.
std::unique_ptr<Pass> makeMapFusionPass();

}  // namespace conflux::passes
