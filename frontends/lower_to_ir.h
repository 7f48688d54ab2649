#pragma once
// The last frontend step: an inferred model -> one state of library nodes (docs/library_nodes.md).
#include "frontends/model.h"
#include "frontends/shape_inference.h"
#include "ir/graph.h"

namespace conflux::frontends {

/// Builds the IR graph: one state "main"; one library node per node that was not folded, with
/// connectors in<i> (value inputs dropped) and out<i>; one access node per array; inputs and
/// outputs non-transient in signature order, constants non-transient with their values,
/// intermediates transient. A graph output known at load time is written by an Identity node
/// from a constant array. Throws conflux::Error naming the tensor when an array would have a
/// zero-size dimension.
ir::Graph lowerToIr(const Model& model, const InferredModel& inferred);

}  // namespace conflux::frontends
