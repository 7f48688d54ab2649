#pragma once
// Structural checks of a neutral model before inference: supported ops, defined tensors, single
// producers, no cycles; then the nodes are put in dependency order and dead nodes are dropped.
#include "frontends/model.h"

namespace conflux::frontends {

/// Checks `model` and reorders its nodes topologically (stable: ties keep file order), keeping
/// only the nodes the graph outputs depend on. Throws conflux::Error naming the node or tensor:
/// unsupported op, undefined input, tensor produced twice, undefined graph output, cycle.
void checkAndSortModel(Model& model);

}  // namespace conflux::frontends
