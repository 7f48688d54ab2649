#pragma once
// Shape inference and constant folding over a checked, sorted model: every tensor gets a static
// dtype and shape, and every tensor computable at load time gets its value.
#include <vector>

#include "frontends/model.h"
#include "frontends/node_context.h"
#include "ir/op_attrs.h"

namespace conflux::frontends {

/// The outcome of inference for one node.
struct InferredNode {
  ir::OpKind kind = ir::OpKind::Identity;
  ir::OpAttrs attrs;
  /// All its outputs are known at load time: the node does not reach the IR.
  bool folded = false;
};

/// Types and values of the model's tensors, and per-node results parallel to Model::nodes.
struct InferredModel {
  TensorFacts facts;
  std::vector<InferredNode> nodes;
};

/// Walks the nodes in order: checks arity, parses attributes, applies the op's shape rule,
/// checks declared shapes, and folds nodes whose inputs are all constant and small. Throws
/// conflux::Error naming the tensor or node (open input dimensions, shape mismatches, invalid
/// attributes, shape-deciding inputs that are not constant).
InferredModel inferModel(const Model& model);

}  // namespace conflux::frontends
