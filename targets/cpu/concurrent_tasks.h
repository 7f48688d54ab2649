#pragma once
// Independent tasks on every core for a while: the cpu target compiles the objects of one
// program's pipelines this way (LLVM's code generation is most of a cold compile).
#include <cstddef>
#include <functional>

namespace conflux::targets::cpu {

/// Runs task(i) once for every i in [0, count) on up to `workers` threads, the caller one of
/// them. Every task runs even when some throw; then the exception of the lowest i that threw, if
/// any, is rethrown.
void runConcurrently(size_t count, size_t workers, const std::function<void(size_t)>& task);

}  // namespace conflux::targets::cpu
