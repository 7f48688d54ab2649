#pragma once
// Lowers an attention kernel (passes::AttentionKernel: what attention-fusion builds) to one
// Halide pipeline blocked over query rows. For each block of up to 8 query rows of a head the
// scores are a block × L tile computed like a GEMM's (keys read along the key index from a
// copy packed once per head when they are not contiguous that way), the softmax's statistics
// and probabilities follow for the block (passes through RowLowering), and the output is a
// block × 2-vector register tile accumulating probabilities times values. Nothing of size
// L × L is stored: a block's scores and probabilities stay in cache.
#include <string>

#include "ir/graph.h"
#include "ir/target_desc.h"
#include "passes/kernels.h"
#include "targets/cpu/array_source.h"
#include "targets/cpu/kernel_lowering.h"
#include "targets/cpu/pipeline_library.h"

namespace conflux::targets::cpu {

/// Lowers the attention kernel `attention` of `kernel` into a pipeline of `library` writing its
/// output array in place. `where` names the kernel in errors.
LoweredKernel lowerAttentionKernel(const ir::Graph& graph, const passes::Kernel& kernel,
                                   const passes::AttentionKernel& attention, const ArrayLookup& arrays,
                                   PipelineLibrary& library, const ir::TargetDesc& target, const std::string& where);

}  // namespace conflux::targets::cpu
