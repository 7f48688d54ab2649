#pragma once
// propagate-memlets: recompute every map scope's outer memlets from its inner ones.
#include <memory>

#include "passes/pass.h"

namespace conflux::passes {

/// Makes the pass that runs ir::propagateMemlets on every state.
std::unique_ptr<Pass> makePropagateMemletsPass();

}  // namespace conflux::passes
