#pragma once
// Data-movement analysis per kernel (the numbers of the MUE report): FLOPs, Q = the minimum
// bytes (every array the kernel reads and every array it writes, once) and D = the bytes the
// kernel moves to and from memory as scheduled, both from exact ISL footprints.
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/kernels.h"

namespace conflux::passes {

/// The traffic of one kernel.
struct KernelTraffic {
  std::string name;
  std::vector<std::string> origins;
  /// FLOPs of every tasklet, less the work of an attention over the keys a constant mask hides
  /// (maskedKeysFrom): that work is never needed, and the cpu target skips it.
  double flops = 0;
  /// Q: distinct bytes of each array read plus distinct bytes of each array written.
  double bytesMin = 0;
  /// D: bytes moved as scheduled. Cache-local arrays move none: a kernel with producers moves
  /// their inputs instead of the arrays they compute. A kernel whose map body is a tasklet
  /// streams every array once (D = Q). A tiled kernel — an outer map whose body holds inner map scopes — moves
  /// each inner scope's footprint once per outer iteration (twice for outputs written with
  /// write-conflict resolution: read, combine, write back).
  double bytesMoved = 0;
};

/// Traffic of one kernel of `graph`.
KernelTraffic analyzeKernel(const ir::Graph& graph, const Kernel& kernel);

/// Traffic of every kernel (extractKernels order).
std::vector<KernelTraffic> analyzeDataMovement(const ir::Graph& graph);

}  // namespace conflux::passes
