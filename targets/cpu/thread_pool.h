#pragma once
// The threads that run the parallel loops of the cpu target's pipelines. They stay awake
// (spinning) for a while after each loop, so the next kernel of a model run finds them ready:
// on this machine waking a sleeping thread costs more than a small kernel's whole work, and a
// MobileNet runs ~130 kernels. Idle threads fall asleep after kSpin and cost nothing.
#include <Halide.h>

namespace conflux::targets::cpu {

/// Makes `pipeline` run its parallel loops on the pool of `threads` threads (the caller is one
/// of them). The pool is created at the first call; later calls share it.
void runParallelLoopsOnPool(Halide::Pipeline& pipeline, int threads);

}  // namespace conflux::targets::cpu
