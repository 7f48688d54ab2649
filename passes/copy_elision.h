#pragma once
// copy-elision: a transient whose one reader is a copy into part of another array (the interior
// of a convolution's padded input, a concatenation's slice) is never stored: its writers write
// the copy's destination directly, at the copy's offset, and the copy goes away. Repeated, a
// transposed convolution writes its slice of the concatenation, inside the next convolution's
// padded input, with no copy between them.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/pass.h"

namespace conflux::passes {

/// A transient access node read only by a top-level copy map in one state.
struct CopyElisionCandidate {
  size_t state = 0;
  ir::NodeId source;     // the access node of the transient
  ir::NodeId copyEntry;  // the copy's map entry
};

/// Why the access node `source` of state `state` cannot have its copy elided, or nothing when
/// it can. Each legality check is named in the message.
std::optional<std::string> whyNotElidable(const ir::Graph& graph, size_t state, ir::NodeId source);

/// The legal candidates of `graph`, in state and node order.
std::vector<CopyElisionCandidate> findCopyElisionCandidates(const ir::Graph& graph);

/// Elides one legal candidate: every memlet of the transient now names the copy's destination
/// at the copy's offset, the transient's writers feed the destination's access node, what
/// ordered the copy orders the writers, and the copy and the transient are removed.
void elideCopy(ir::Graph& graph, const CopyElisionCandidate& candidate);

/// Elides until no candidate is left; returns the number of copies elided.
int elideCopies(ir::Graph& graph);

/// Makes the pass running elideCopies and then memlet propagation.
std::unique_ptr<Pass> makeCopyElisionPass();

}  // namespace conflux::passes
