#pragma once
// JIT compilation of the cpu target's pipelines: for the host (AVX-512, or a warned fallback
// on machines without it), with parallel loops on the target's thread pool.
#include <Halide.h>

#include "ir/target_desc.h"

namespace conflux::targets::cpu {

/// Compiles `pipeline` in-process for the host, its parallel loops run on `target.threads`
/// threads. With CONFLUX_DEBUG_STMT=DIR set, also writes its lowered statement to DIR/NAME.stmt.
void compileJit(Halide::Pipeline& pipeline, const ir::TargetDesc& target, const std::string& name);

}  // namespace conflux::targets::cpu
