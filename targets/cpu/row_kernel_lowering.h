#pragma once
// Lowers a row kernel (a fused softmax or layer norm: see passes/row_fusion.h) to one Halide
// pipeline. Each statistic is a Func over the row parameters, computed per row of the output
// inside the loop over rows, so a row is read from memory once and stays in cache for the
// later stages. A reduction over a row runs in vector lanes: lane u sums every L-th element
// (u, u + L, ...) and the lanes are combined at the end of the row.
#include <string>

#include "ir/graph.h"
#include "ir/target_desc.h"
#include "passes/kernel_patterns.h"
#include "passes/kernels.h"
#include "targets/cpu/array_source.h"
#include "targets/cpu/kernel_lowering.h"
#include "targets/cpu/pipeline_library.h"

namespace conflux::targets::cpu {

/// Lowers the row kernel `row` of `kernel` into a pipeline of `library` writing its output
/// array in place. `where` names the kernel in errors.
LoweredKernel lowerRowKernel(const ir::Graph& graph, const passes::Kernel& kernel, const passes::RowKernel& row,
                             const ArrayLookup& arrays, PipelineLibrary& library, const ir::TargetDesc& target,
                             const std::string& where);

}  // namespace conflux::targets::cpu
