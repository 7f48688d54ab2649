#pragma once
// The pure (maps and tasklets) expansions of library nodes, one entry point per op family.
// Each reads its node through the Builder, adds the replacing subgraph and leaves removing the
// library node to the caller. Connectors and attributes follow docs/library_nodes.md.
#include <cstdint>
#include <vector>

#include "passes/expansions/builder.h"

namespace conflux::passes::expansions {

/// Element-wise ops with NumPy broadcasting (unary, binary, variadic, Where, Cast, Clip, Gelu,
/// Identity, Dropout): one map over the output.
void expandElementwise(Builder& b);

/// MatMul (batched, broadcast, 1-D promotion) and Gemm: an initialising map, then a map over
/// the iteration space accumulating products with WCR sum.
void expandMatMul(Builder& b);
void expandGemm(Builder& b);

/// Conv (grouped, strided, dilated, padded through a zero-padded transient copy) and
/// ConvTranspose (a scatter over the input space with WCR sum).
void expandConv(Builder& b);
void expandConvTranspose(Builder& b);

/// Softmax and LogSoftmax, LayerNormalization, InstanceNormalization, (inference)
/// BatchNormalization and LRN.
void expandSoftmax(Builder& b);
void expandLrn(Builder& b);
void expandLayerNorm(Builder& b);
void expandInstanceNorm(Builder& b);
void expandBatchNorm(Builder& b);

/// NegativeLogLikelihoodLoss, and SoftmaxCrossEntropyLoss (a log-softmax over the classes, then
/// the former): each target element picks its class's score, reduced as the node says.
void expandLoss(Builder& b);

/// Writes the softmax (or, `log`, the log-softmax) of in0 along `axis` into `target`, an
/// access node of an array of in0's shape.
void softmaxInto(Builder& b, int64_t axis, bool log, ir::NodeId target);

/// ReduceMean/Sum/Max/Min.
void expandReduce(Builder& b);
/// ArgMax, ArgMin: the extreme along the axis, then the first (or last) index holding it.
void expandArgReduce(Builder& b);
/// TopK: the k largest (or smallest) elements along the axis and their indices, by ranking.
void expandTopK(Builder& b);
/// Hardmax: 1 at the first maximum along the axis, 0 elsewhere.
void expandHardmax(Builder& b);
/// MeanVarianceNormalization: (x - mean) / (standard deviation + 1e-9) over the axes.
void expandMeanVarianceNorm(Builder& b);
/// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool.
void expandPool(Builder& b);

/// Transpose, Concat, Split, Slice, Expand, Tile, Trilu.
void expandAffineCopy(Builder& b);
/// Reshape, Flatten, Squeeze, Unsqueeze: a row-major reinterpretation.
void expandReshape(Builder& b);
/// Gather, GatherElements, GatherND (runtime indices), OneHot and Pad (constant, reflect,
/// edge, wrap).
void expandGather(Builder& b);
void expandGatherElements(Builder& b);
void expandGatherNd(Builder& b);
void expandOneHot(Builder& b);
/// ScatterElements and ScatterND: each output element gathers the updates naming it.
void expandScatter(Builder& b);
void expandPad(Builder& b);
/// Resize (nearest, linear, cubic; every coordinate transformation but tf_crop_and_resize).
void expandResize(Builder& b);

/// The kinds of reduction shared by Reduce* and the global pools.
enum class ReduceKind { Sum, Mean, Max, Min, Product, SumOfSquares, L1, L2, LogSum, LogSumExp };

/// Reduces `in0` over `axes` into `out0` (which has keepDims' shape): the output (or a
/// transient a last map finishes) is initialised with the identity, then a map over the input
/// accumulates with WCR.
void reduceInto(Builder& b, ReduceKind kind, const std::vector<int64_t>& axes, bool keepDims);

/// Copies the array of `src` into the array of `dst` at offset `begin` (per dimension; negative
/// crops), filling the rest of `dst` (its border) with `fill`. Every index of the
/// copy map stays affine. `role` names the maps ("pad" gives "<op>_pad_fill" and "<op>_pad"; ""
/// gives "<op>_fill" and "<op>").
void copyPadded(Builder& b, ir::NodeId src, ir::NodeId dst, const std::vector<int64_t>& begin,
                const ir::Expr& fill, const std::string& role);

}  // namespace conflux::passes::expansions
