#include "targets/cpu/jit.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <iostream>

#include "targets/cpu/thread_pool.h"

namespace conflux::targets::cpu {
namespace {

/// The host target, with a warning (once) where it lacks AVX-512.
Halide::Target hostTarget() {
  static Halide::Target host = [] {
    Halide::Target t = Halide::get_jit_target_from_environment();
    if (!t.has_feature(Halide::Target::AVX512))
      std::cerr << "conflux: warning: this machine has no AVX-512; the cpu target falls back to " << t.to_string()
                << "\n";
    return t;
  }();
  return host;
}

}  // namespace

void compileJit(Halide::Pipeline& pipeline, const ir::TargetDesc& target, const std::string& name) {
  runParallelLoopsOnPool(pipeline, std::max(1, target.threads));
  if (const char* dir = std::getenv("CONFLUX_DEBUG_STMT"))
    pipeline.compile_to_lowered_stmt(std::string(dir) + "/" + name + ".stmt", pipeline.infer_arguments(), Halide::Text,
                                     hostTarget());
  auto start = std::chrono::steady_clock::now();
  pipeline.compile_jit(hostTarget());
  if (std::getenv("CONFLUX_DEBUG_COMPILE_TIME"))
    std::cerr << "compile " << name << ": "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s\n";
}

}  // namespace conflux::targets::cpu
