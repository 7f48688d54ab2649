#pragma once
// reduction-fusion: makes one kernel of a reduction (MatMul, Gemm, Conv, pooling, Reduce*),
// the map that initialises its output and the element-wise map that consumes it (bias,
// activation, residual add). Expanded, the reduction is three kernels that pass the output
// through memory twice:
//
//   init:    h[P] = i(P)                       (zeros, the bias, -inf)
//   reduce:  h[P] ⊕= f(P, K)                   over P x K, with WCR ⊕
//   consume: y[P + o] = g(h[P], ...)           (optional: when h is a transient read once;
//                                               o is a constant shift, the interior of the
//                                               next convolution's padded input)
//
// Fused, it is one map over the output space P whose body keeps the partial result in a
// register-stored scalar transient `acc`:
//
//   map P:  acc = i(P);  map K: acc ⊕= f(P, K);  y[P + o] = g(acc, ...)
//
// so each operand and the output move once (bytes moved = bytes minimum). P may write a
// dimension through several parameters as digits (a transposed convolution whose windows tile
// its output: column 2*w + b), as long as each element is written by exactly one iteration of
// P; overlapping windows (window 3, stride 2) keep the scatter form. Without a fusable
// consumer the last step writes h[P] = acc, which still removes the init kernel and the
// read-modify-write of h.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/pass.h"

namespace conflux::passes {

/// A reduction map of one state with its init map and, when fusable, its consumer.
struct ReductionFusionCandidate {
  size_t state = 0;
  ir::NodeId reduceEntry;
};

/// Why the map `reduceEntry` of state `state` cannot be fused with its init map, or nothing
/// when it can. Each legality check is named in the message.
std::optional<std::string> whyNotReductionFusable(const ir::Graph& graph, size_t state, ir::NodeId reduceEntry);

/// Why the reduction `reduceEntry` (fusable) runs without its consumer, or nothing when its
/// consumer is fused too.
std::optional<std::string> whyNoFusedConsumer(const ir::Graph& graph, size_t state, ir::NodeId reduceEntry);

/// The legal candidates of `graph`, in state and node order.
std::vector<ReductionFusionCandidate> findReductionFusionCandidates(const ir::Graph& graph);

/// Fuses one legal candidate (see the file comment); memlets outside the new scopes are left
/// for propagation.
void fuseReduction(ir::Graph& graph, const ReductionFusionCandidate& candidate);

/// Fuses every candidate; returns the number of fusions.
int fuseReductions(ir::Graph& graph);

/// Makes the pass running fuseReductions and then memlet propagation.
std::unique_ptr<Pass> makeReductionFusionPass();

}  // namespace conflux::passes
