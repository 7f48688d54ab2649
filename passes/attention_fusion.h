#pragma once
// attention-fusion: scaled dot-product attention as one kernel over its query rows. After
// row-fusion an attention is three kernels, and the L×L scores and probabilities go through
// memory twice each:
//
//   map R, J:  acc = 0; map D: acc += q[R,D]·k[D,J];  S[R,J] = e(acc)      (QKᵀ, scale, mask)
//   map R:     softmax stages over S[R,:] writing P[R,J]                   (a row kernel)
//   map R, E:  acc = 0; map J: acc += P[R,J]·v[J,E];  O[R,E] = g(acc)      (·V)
//
// Fused, the row kernel's map runs the three in order for each query row R, and the row's
// scores and probabilities are register row buffers s[J] and p[J] that never reach memory:
//
//   map R:  map J: { acc = 0; map D: acc += q[R,D]·k[D,J];  s[J] = e(acc) }
//           softmax stages over s writing p[J]
//           map E: { acc = 0; map J: acc += p[J]·v[J,E];  O[R,E] = g(acc) }
//
// Whatever earlier passes fused into the three kernels comes along: a scale or an additive or
// causal mask in the scores' epilogue, head-splitting copies in the operands' reads. The
// candidate is the row kernel: S must be a transient that a nested reduction writes one element
// per iteration and only the row kernel reads; P a transient that only the row kernel writes and
// only one nested reduction reads, along its reduction; both indexed by the row kernel's rows in
// the same dimensions. Targets see the result through passes::attentionKernel.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/pass.h"

namespace conflux::passes {

/// An attention's row kernel (the softmax between the two contractions).
struct AttentionFusionCandidate {
  size_t state = 0;
  ir::NodeId rowEntry;
};

/// Why the attention around the row kernel `rowEntry` of state `state` cannot be fused, or
/// nothing when it can. Each legality check is named in the message.
std::optional<std::string> whyNotAttentionFusable(const ir::Graph& graph, size_t state, ir::NodeId rowEntry);

/// The legal candidates of `graph`, in state and node order.
std::vector<AttentionFusionCandidate> findAttentionFusionCandidates(const ir::Graph& graph);

/// Fuses one legal candidate (see the file comment); memlets outside the moved scopes are left
/// for propagation.
void fuseAttention(ir::Graph& graph, const AttentionFusionCandidate& candidate);

/// Fuses every candidate; returns the number of fusions.
int fuseAttentions(ir::Graph& graph);

/// Makes the pass running fuseAttentions and then memlet propagation.
std::unique_ptr<Pass> makeAttentionFusionPass();

}  // namespace conflux::passes
