#pragma once
// The threads that run the parallel loops of the cpu target's pipelines. They stay awake
// (spinning) for a while after each loop, so the next kernel of a model run finds them ready:
// on this machine waking a sleeping thread costs more than a small kernel's whole work, and a
// MobileNet runs ~130 kernels. Idle threads fall asleep after kSpin and cost nothing.
#include <HalideRuntime.h>

namespace conflux::targets::cpu {

/// The parallel-loop handler (for halide_set_custom_do_par_for) that runs loops on the pool of
/// `threads` threads, the caller one of them. The pool is created at the first call; later
/// calls share it.
halide_do_par_for_t parallelLoopsOnPool(int threads);

}  // namespace conflux::targets::cpu
