#pragma once
// copy-elision: a transient read by a copy into part of another array (a slice copy: the
// interior of a convolution's padded input, a concatenation's slice) is never stored: its
// writers write the copy's destination directly, at the copy's offset, its other readers read
// it there, and the copy goes away. Repeated, a transposed convolution writes its slice of the
// concatenation, inside the next convolution's padded input, with no copy between them; a
// skip connection's convolution writes its slice too, where the pooling after it reads.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/pass.h"

namespace conflux::passes {

/// A transient access node read by a top-level slice copy in one state.
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
/// at the copy's offset, the transient's writers feed the destination's access node (a new one
/// of their slice, which the other readers read, when there are any), what ordered the copy
/// orders the writers, and the copy and the transient are removed.
void elideCopy(ir::Graph& graph, const CopyElisionCandidate& candidate);

/// Elides until no candidate is left; returns the number of copies elided.
int elideCopies(ir::Graph& graph);

/// Makes the pass running elideCopies and then memlet propagation.
std::unique_ptr<Pass> makeCopyElisionPass();

}  // namespace conflux::passes
