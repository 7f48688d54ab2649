#pragma once
// One-library-node graphs wired as docs/library_nodes.md says a frontend wires them, for the
// expansion tests.
#include <string>
#include <vector>

#include "ir/graph.h"

namespace conflux::testing {

/// One connector's array; an empty name leaves the (optional) connector out.
struct ArraySpec {
  std::string name;
  std::vector<int64_t> shape;
  ir::DType dtype = ir::DType::F32;
};

/// A graph of one state "main" holding one library node labelled "node" (origins {"node"})
/// of `op` with `attrs`: input i is array inputs[i] on connector in<i>, output i array
/// outputs[i] on out<i>, each through an access node with a whole-array memlet. Inputs and
/// outputs are the graph's signature, in order.
ir::Graph singleOpGraph(ir::OpKind op, ir::OpAttrs attrs, const std::vector<ArraySpec>& inputs,
                        const std::vector<ArraySpec>& outputs);

}  // namespace conflux::testing
