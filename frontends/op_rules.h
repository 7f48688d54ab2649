#pragma once
// The attribute parsers and shape rules the op table points to, one pair per op family.
// Internal to frontends/; see op_table.h for their contracts.
#include <optional>
#include <vector>

#include "frontends/node_context.h"
#include "ir/op_attrs.h"

namespace conflux::frontends {

/// NumPy broadcasting of two shapes; nullopt when they are incompatible.
std::optional<std::vector<int64_t>> broadcastShapes(const std::vector<int64_t>& a,
                                                    const std::vector<int64_t>& b);

ir::OpAttrs parseNoAttrs(NodeContext& node);
/// Fails unless input `i` is a floating-point tensor.
void requireFloat(const NodeContext& node, size_t i);
/// Fails unless input `i` is numeric (not bool).
void requireNumeric(const NodeContext& node, size_t i);

// rules_elementwise.cpp
ir::OpAttrs parseLeakyRelu(NodeContext& node);
ir::OpAttrs parseHardSigmoid(NodeContext& node);
ir::OpAttrs parseElu(NodeContext& node);
ir::OpAttrs parseCelu(NodeContext& node);
ir::OpAttrs parseThresholdedRelu(NodeContext& node);
ir::OpAttrs parseSelu(NodeContext& node);
ir::OpAttrs parseShrink(NodeContext& node);
ir::OpAttrs parseMod(NodeContext& node);
ir::OpAttrs parseIsInf(NodeContext& node);
ir::OpAttrs parseClip(NodeContext& node);
ir::OpAttrs parseGelu(NodeContext& node);
ir::OpAttrs parseCast(NodeContext& node);
/// CastLike: a Cast to the dtype of input 1.
ir::OpAttrs parseCastLike(NodeContext& node);
ir::OpAttrs parseDropout(NodeContext& node);
void inferSameAsInput(NodeContext& node, const ir::OpAttrs& attrs);
void inferSameAsFloatInput(NodeContext& node, const ir::OpAttrs& attrs);
void inferSameAsNumericInput(NodeContext& node, const ir::OpAttrs& attrs);
void inferFloatPredicate(NodeContext& node, const ir::OpAttrs& attrs);
void inferDropout(NodeContext& node, const ir::OpAttrs& attrs);
void inferCast(NodeContext& node, const ir::OpAttrs& attrs);
void inferBroadcast(NodeContext& node, const ir::OpAttrs& attrs);
void inferPow(NodeContext& node, const ir::OpAttrs& attrs);
void inferComparison(NodeContext& node, const ir::OpAttrs& attrs);
void inferLogical(NodeContext& node, const ir::OpAttrs& attrs);
void inferPRelu(NodeContext& node, const ir::OpAttrs& attrs);
void inferMod(NodeContext& node, const ir::OpAttrs& attrs);
void inferWhere(NodeContext& node, const ir::OpAttrs& attrs);

// rules_contraction.cpp
ir::OpAttrs parseGemm(NodeContext& node);
void inferMatMul(NodeContext& node, const ir::OpAttrs& attrs);
void inferGemm(NodeContext& node, const ir::OpAttrs& attrs);

// rules_window.cpp
ir::OpAttrs parseConv(NodeContext& node);
ir::OpAttrs parseConvTranspose(NodeContext& node);
ir::OpAttrs parsePool(NodeContext& node);
void inferConv(NodeContext& node, const ir::OpAttrs& attrs);
void inferConvTranspose(NodeContext& node, const ir::OpAttrs& attrs);
void inferPool(NodeContext& node, const ir::OpAttrs& attrs);
void inferGlobalPool(NodeContext& node, const ir::OpAttrs& attrs);

// rules_normalization.cpp
ir::OpAttrs parseBatchNormalization(NodeContext& node);
ir::OpAttrs parseLayerNormalization(NodeContext& node);
ir::OpAttrs parseInstanceNormalization(NodeContext& node);
ir::OpAttrs parseSoftmax(NodeContext& node);
ir::OpAttrs parseReduce(NodeContext& node);
ir::OpAttrs parseArgReduce(NodeContext& node);
ir::OpAttrs parseMeanVarianceNormalization(NodeContext& node);
void inferBatchNormalization(NodeContext& node, const ir::OpAttrs& attrs);
void inferLayerNormalization(NodeContext& node, const ir::OpAttrs& attrs);
void inferInstanceNormalization(NodeContext& node, const ir::OpAttrs& attrs);
void inferReduce(NodeContext& node, const ir::OpAttrs& attrs);
void inferArgReduce(NodeContext& node, const ir::OpAttrs& attrs);
ir::OpAttrs parseTopK(NodeContext& node);
void inferTopK(NodeContext& node, const ir::OpAttrs& attrs);
ir::OpAttrs parseLrn(NodeContext& node);
void inferLrn(NodeContext& node, const ir::OpAttrs& attrs);

// rules_loss.cpp
ir::OpAttrs parseLoss(NodeContext& node);
void inferLoss(NodeContext& node, const ir::OpAttrs& attrs);

// rules_layout.cpp (reshapes, permutations, joins and splits)
ir::OpAttrs parseTranspose(NodeContext& node);
ir::OpAttrs parseConcat(NodeContext& node);
ir::OpAttrs parseSplit(NodeContext& node);
ir::OpAttrs parseGather(NodeContext& node);
void inferReshape(NodeContext& node, const ir::OpAttrs& attrs);
void inferFlatten(NodeContext& node, const ir::OpAttrs& attrs);
void inferSqueeze(NodeContext& node, const ir::OpAttrs& attrs);
void inferUnsqueeze(NodeContext& node, const ir::OpAttrs& attrs);
void inferTranspose(NodeContext& node, const ir::OpAttrs& attrs);
void inferExpand(NodeContext& node, const ir::OpAttrs& attrs);
void inferTile(NodeContext& node, const ir::OpAttrs& attrs);
void inferConcat(NodeContext& node, const ir::OpAttrs& attrs);
void inferSplit(NodeContext& node, const ir::OpAttrs& attrs);
void inferGather(NodeContext& node, const ir::OpAttrs& attrs);
void inferGatherElements(NodeContext& node, const ir::OpAttrs& attrs);
ir::OpAttrs parseBlockShuffle(NodeContext& node);
void inferBlockShuffle(NodeContext& node, const ir::OpAttrs& attrs);
ir::OpAttrs parseGatherNd(NodeContext& node);
void inferGatherNd(NodeContext& node, const ir::OpAttrs& attrs);
ir::OpAttrs parseOneHot(NodeContext& node);
void inferOneHot(NodeContext& node, const ir::OpAttrs& attrs);
ir::OpAttrs parseScatter(NodeContext& node);
void inferScatterElements(NodeContext& node, const ir::OpAttrs& attrs);
void inferScatterNd(NodeContext& node, const ir::OpAttrs& attrs);

// rules_region.cpp (ops that select, pad or resample a region)
ir::OpAttrs parseSlice(NodeContext& node);
ir::OpAttrs parsePad(NodeContext& node);
ir::OpAttrs parseResize(NodeContext& node);
ir::OpAttrs parseUpsample(NodeContext& node);
ir::OpAttrs parseTrilu(NodeContext& node);
void inferSlice(NodeContext& node, const ir::OpAttrs& attrs);
void inferPad(NodeContext& node, const ir::OpAttrs& attrs);
void inferResize(NodeContext& node, const ir::OpAttrs& attrs);
void inferTrilu(NodeContext& node, const ir::OpAttrs& attrs);

// rules_generators.cpp (ops whose outputs are known at load time)
void inferShape(NodeContext& node, const ir::OpAttrs& attrs);
void inferSize(NodeContext& node, const ir::OpAttrs& attrs);
void inferEyeLike(NodeContext& node, const ir::OpAttrs& attrs);
void inferConstant(NodeContext& node, const ir::OpAttrs& attrs);
void inferConstantOfShape(NodeContext& node, const ir::OpAttrs& attrs);
void inferRange(NodeContext& node, const ir::OpAttrs& attrs);

}  // namespace conflux::frontends
