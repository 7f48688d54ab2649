#pragma once
// Lowers an attention kernel (passes::AttentionKernel: what attention-fusion builds) to one
// Halide pipeline blocked over query rows: per head (threads split the heads), per block of up
// to 32 query rows (as many as the cache budget holds), the scores are computed in tiles of 8
// rows x 2 vectors of keys like a GEMM's (keys read along the key index from a copy packed once
// per head when they are not contiguous that way), the softmax's statistics and probabilities
// follow for the block (through RowLowering), and the output accumulates in tiles of 8 rows x 2
// vectors. Nothing of size L x L is stored: a block's rows of scores stay in cache. Rows too long
// for that run an online softmax over blocks of keys instead (onlineKeyBlock, OnlineSoftmax).
// Keys a constant mask hides from a tile of query rows (passes::maskedKeysFrom: causal
// attention) are never computed.
#include <string>

#include "ir/graph.h"
#include "ir/target_desc.h"
#include "passes/kernel_patterns.h"
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
