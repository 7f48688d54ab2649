#pragma once
// row-fusion: the kernels of a normalisation become one kernel over its rows. After
// reduction-fusion a softmax is three kernels: two nested reductions that each write one
// statistic per row (the maximum; the sum of exponentials, which reads the maximum) and an
// element-wise map that reads the input and both statistics. A layer norm is the same with the
// mean and the inverse deviation. Each kernel reads the whole input from memory:
//
//   map R:  s1 = i1; map K: s1 ⊕= f1(x[R,K]);         T1[R] = g1(s1)
//   map R:  s2 = i2; map K: s2 ⊕= f2(x[R,K], T1[R]);  T2[R] = g2(s2)
//   map R, K:  y[R,K] = h(x[R,K], T1[R], T2[R])
//
// Fused, the statistics are register scalars and the stages run in order inside one map over
// the rows, so each row of x is read from memory once (the later stages find it in cache) and
// no statistic is written:
//
//   map R:  s1 = i1; map K: s1 ⊕= f1(x[R,K]); t1 = g1(s1)
//           s2 = i2; map K: s2 ⊕= f2(x[R,K], t1); t2 = g2(s2)
//           map K: y[R,K] = h(x[R,K], t1, t2)
//
// A group is pulled in from its last kernel (the sink: a map around one tasklet that reads at
// least one statistic): every statistic it reads, every statistic those producers read, and so
// on. A statistic is a transient written by a nested reduction one element per iteration of its
// output map (its other dimensions of size 1) and read only by the group, at its row's element.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/pass.h"

namespace conflux::passes {

/// The last kernel of a row group: a top-level map whose reads of statistics pull in the rest.
struct RowFusionCandidate {
  size_t state = 0;
  ir::NodeId sinkEntry;
};

/// Why the group ending at the map `sinkEntry` of state `state` cannot be fused, or nothing
/// when it can. Each legality check is named in the message.
std::optional<std::string> whyNotRowFusable(const ir::Graph& graph, size_t state, ir::NodeId sinkEntry);

/// The legal candidates of `graph`, in state and node order.
std::vector<RowFusionCandidate> findRowFusionCandidates(const ir::Graph& graph);

/// Fuses one legal candidate (see the file comment); memlets outside the new scopes are left
/// for propagation.
void fuseRows(ir::Graph& graph, const RowFusionCandidate& candidate);

/// Fuses every candidate; returns the number of fusions.
int fuseRowGroups(ir::Graph& graph);

/// Makes the pass running fuseRowGroups and then memlet propagation.
std::unique_ptr<Pass> makeRowFusionPass();

}  // namespace conflux::passes
