#pragma once
// Lowers one kernel — a top-level map scope around one tasklet, or a lone tasklet — to a Halide
// pipeline that writes its output array in place. Element-wise kernels become one pure Func;
// kernels whose output drops map dimensions with a write-conflict resolution (MatMul, Conv,
// reductions) become a pure Func reading the output plus an update over an RDom; any other
// write pattern (Concat pieces, strided scatters) becomes an update whose left side is the
// affine write index.
#include <Halide.h>

#include <functional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/target_desc.h"
#include "passes/kernels.h"
#include "targets/cpu/array_source.h"
#include "targets/cpu/packed_operand.h"

namespace conflux::targets::cpu {

/// A compiled kernel: run() fills its packed operands and realizes its pipeline into the output
/// buffer.
struct LoweredKernel {
  std::string name;
  std::vector<PackedOperand> packs;  // read by the pipeline
  Halide::Pipeline pipeline;
  Halide::Buffer<> output;

  /// Fills the packed copies of constant operands, once, at load.
  void load(const Halide::ParamMap& inputs);
  /// Runs the kernel with the graph inputs bound in `inputs`; throws Halide::Error when the
  /// pipeline fails.
  void run(const Halide::ParamMap& inputs);
};

/// Lowers and JIT-compiles `kernel` of `graph` for `target` (Halide's host target: AVX-512
/// where the machine has it): one pipeline per output of its tasklet. Throws conflux::Error
/// naming the kernel for patterns the cpu target does not lower yet.
std::vector<LoweredKernel> lowerKernel(const ir::Graph& graph, const passes::Kernel& kernel,
                                       const ArrayLookup& arrays, const ir::TargetDesc& target);

}  // namespace conflux::targets::cpu
