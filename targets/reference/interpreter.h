#pragma once
// The reference target: a plain interpreter of the IR, the oracle every other target is
// checked against. Obviously correct first, and fast enough to run real models (tasklets are
// compiled once per map into batched loops; see kernel.h).
#include <map>
#include <string>

#include "ir/graph.h"
#include "ir/tensor.h"

namespace conflux::targets::reference {

/// Runs `graph` (access nodes, maps, tasklets, memlets with WCR, nested graphs, interstate
/// edges; no library nodes — expand them first) on `inputs` (one tensor per graph input, and
/// optionally per constant-less non-transient array) and returns one tensor per graph output.
/// Constant arrays take Graph::constantValue. Throws conflux::Error naming the input/array on
/// a missing input or a wrong dtype/shape, and naming the node on anything it cannot execute
/// (e.g. a library node: "expand library nodes first", bf16/f16 arrays: "the reference target
/// supports f32, i64, i32 and bool").
///
/// Semantics beyond the IR's definition (element semantics are listed in scalar_ops.h):
///  - transient and output arrays start zero-filled; all access nodes of an array share it;
///  - map iterations are independent (a map is a parallel scope); they run in lexicographic
///    order with the vectorised parameter innermost, so a graph whose result depends on that
///    order (conflicting plain writes) gets one valid serialisation;
///  - a WCR sum over a batch adds the batch's partial sum to the element (a re-association,
///    as any parallel runtime does);
///  - ir::load indices count elements of the memlet's subset (index i of a dimension is
///    begin + i * step); an index outside the subset is an error naming the node;
///  - interstate symbols are i64 and start at 0.
std::map<std::string, ir::Tensor> run(const ir::Graph& graph,
                                      const std::map<std::string, ir::Tensor>& inputs);

}  // namespace conflux::targets::reference
