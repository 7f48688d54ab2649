#pragma once
// Runs a list of passes in order, logging, dumping and validating as the context asks.
#include <string>
#include <vector>

#include "passes/pass.h"

namespace conflux::passes {

/// Runs the passes named in `names` on `graph`; after each, drops the analyses of
/// `context.analyses` that depend on what it modified, validates when
/// `context.validateEachPass` and dumps when `context.dumpAfter` names it (or is "all").
/// Throws conflux::Error for an unknown pass and when validation fails (naming the pass).
void runPasses(ir::Graph& graph, const std::vector<std::string>& names, PassContext& context);

}  // namespace conflux::passes
