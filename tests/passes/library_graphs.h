#pragma once
// One-library-node graphs wired as docs/library_nodes.md says a frontend wires them, for the
// expansion tests.
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/target_desc.h"

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

/// Graph JSON text (../shared/GRAPH_JSON.md) loaded through a temporary file, with its
/// library nodes expanded and memlets propagated: the input of the fusion passes.
ir::Graph expandedGraph(const std::string& json);

/// `graph` after the fusion pass function `fuseAll`, which must fuse `expectedFusions` times,
/// with memlets propagated and the result validated.
ir::Graph fusedBy(ir::Graph graph, int (*fuseAll)(ir::Graph&), int expectedFusions);

/// The access nodes of `data` in state `state` of `graph`, in node order.
std::vector<ir::NodeId> accessNodesOf(const ir::Graph& graph, size_t state, const std::string& data);

/// The number of kernels of `json` (graph JSON) expanded and optimised at -O`level`.
size_t kernelsAtLevel(const std::string& json, int level);

/// Runs `want` on the reference target and `got` on `gotTarget` with the same random inputs;
/// expects every output element of `got` within `tolerance` (relative to max(1, |want|)) of
/// `want`'s — exactly equal when `tolerance` is 0.
void expectSameOutputs(const ir::Graph& want, const ir::Graph& got, const std::string& gotTarget = "reference",
                       double tolerance = 0);

/// As above, with `got` compiled for the target description `gotTarget` (a cpu target with
/// another cache size).
void expectSameOutputs(const ir::Graph& want, const ir::Graph& got, const ir::TargetDesc& gotTarget, double tolerance);

}  // namespace conflux::testing
