#pragma once
// The threads that run the parallel loops of the cpu target's pipelines. They stay awake
// (spinning) for a while after each loop, so the next kernel of a model run finds them ready:
// on this machine waking a sleeping thread costs more than a small kernel's whole work, and a
// MobileNet runs ~130 kernels. Idle threads fall asleep after kSpin and cost nothing. Each
// thread runs its own range of a loop's consecutive iterations first (then helps the others):
// consecutive kernels split alike find on each core the rows it wrote, in that core's cache.
// Handing a loop over costs the cache lines that move between the cores, ~300 ns each on this
// machine: a waiting worker reads the whole loop from one line, claims its iterations from a
// line it owns, and the caller returns as soon as the workers' count of finished iterations
// reaches it.
#include <cstdint>
#include <utility>

namespace conflux::targets::cpu {

/// The iterations [first, second) that thread `thread` of `threads` (the caller is 0) runs first
/// in a loop over [min, min + extent): equal ranges of consecutive iterations, in thread order.
std::pair<int, int> shareOf(int min, int extent, int thread, int threads);

/// The body of a parallel loop (Halide's halide_task_t): runs iteration `index` of the loop
/// whose variables `closure` holds; returns non-zero on failure.
using ParallelTask = int (*)(void* context, int index, uint8_t* closure);
/// A parallel-loop handler (Halide's halide_do_par_for_t): runs iterations [min, min + extent)
/// of `task`; returns the status of a failing iteration, else 0.
using ParallelFor = int (*)(void* context, ParallelTask task, int min, int extent, uint8_t* closure);

/// The parallel-loop handler (for halide_set_custom_do_par_for) that runs loops on the pool of
/// `threads` threads, the caller one of them, its workers named "conflux-pool". The pool is
/// created at the first call; later calls share it.
ParallelFor parallelLoopsOnPool(int threads);

extern "C" {
/// parallelLoopsOnPool for C: what the entry of an ahead-of-time library (static_library.h),
/// which carries this file's object, hands Halide's runtime.
ParallelFor conflux_parallel_loops_on_pool(int threads);
}

}  // namespace conflux::targets::cpu
