#pragma once
// Evaluating a node whose inputs are all constants (the shape arithmetic PyTorch exports:
// Shape -> Gather -> Unsqueeze -> Concat -> Reshape, and the like).
#include <optional>
#include <vector>

#include "frontends/node_context.h"
#include "ir/op_attrs.h"

namespace conflux::frontends {

/// The output values of `node` (whose inputs all have values and whose output types are set),
/// or nullopt when its op is not one the folder evaluates (or its result is undefined, such as
/// an integer division by zero). Folded ops: Identity, Dropout, Reshape, Flatten, Squeeze,
/// Unsqueeze, Cast, Neg, Abs, Add, Sub, Mul, Div, Max, Min, Equal, Less, Greater, Where,
/// Concat, Gather, Slice, Expand, Transpose, Tile.
std::optional<std::vector<ir::Tensor>> foldNode(const NodeContext& node, const ir::OpAttrs& attrs);

}  // namespace conflux::frontends
