#pragma once
// The targets Conflux knows and their plain-data descriptions (targets/<name>/target.json,
// embedded at build time). The cpu numbers were measured on the build machine (2 threads of
// AMD Zen 5: fp32 FMA peak 436 GFLOP/s, streaming bandwidth 72 GB/s); cuda and rdu carry
// nominal numbers of the modelled parts.
#include <string>
#include <string_view>
#include <vector>

#include "ir/target_desc.h"

namespace conflux::targets {

/// Target names in the order the CLI lists them: reference, cpu, cuda, rdu.
const std::vector<std::string>& targetNames();

/// The description of `name`; throws conflux::Error naming the known targets when unknown.
const ir::TargetDesc& targetDesc(std::string_view name);

}  // namespace conflux::targets
