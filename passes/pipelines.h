#pragma once
// The optimisation pipelines: O0-O3 per target as ordered lists of pass names, and the one
// place that maps a pass name to the pass.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "passes/pass.h"

namespace conflux::passes {

/// The pass names of optimisation level `level` (0-3) for `target`; throws conflux::Error on
/// an unknown level.
std::vector<std::string> pipeline(int level, std::string_view target);

/// Every pass name, sorted.
std::vector<std::string> passNames();

/// The pass called `name`; throws conflux::Error listing the known names when unknown.
std::unique_ptr<Pass> makePass(std::string_view name);

}  // namespace conflux::passes
