#pragma once
// Lowers one kernel — a top-level map scope around one tasklet, or a lone tasklet — to a Halide
// pipeline that writes its output array in place. Element-wise kernels become one pure Func;
// kernels whose output drops map dimensions with a write-conflict resolution (MatMul, Conv,
// reductions) become a pure Func reading the output plus an update over an RDom; any other
// write pattern (Concat pieces, strided scatters) becomes an update whose left side is the
// affine write index.
#include <Halide.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/target_desc.h"
#include "passes/kernels.h"
#include "targets/cpu/array_source.h"
#include "targets/cpu/packed_operand.h"
#include "targets/cpu/pipeline_library.h"

namespace conflux::targets::cpu {

/// A lowered kernel: run() fills its packed operands and runs its pipeline, which writes the
/// output array in place. Both run once the library they were added to is loaded.
struct LoweredKernel {
  std::string name;
  std::vector<PackedOperand> packs;  // read by the pipeline
  std::shared_ptr<const NativePipeline> pipeline;

  /// Fills the packed copies of constant operands, once, at load.
  void load();
  /// Runs the kernel; throws conflux::Error when the pipeline fails.
  void run();
};

/// Lowers `kernel` of `graph` for `target` into pipelines of `library`, one per output of its
/// tasklet. Throws conflux::Error naming the kernel for patterns the cpu target does not lower
/// yet.
std::vector<LoweredKernel> lowerKernel(const ir::Graph& graph, const passes::Kernel& kernel,
                                       const ArrayLookup& arrays, PipelineLibrary& library,
                                       const ir::TargetDesc& target);

}  // namespace conflux::targets::cpu
