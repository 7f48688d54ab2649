#include "frontends/op_table.h"

#include <limits>
#include <vector>

#include "frontends/op_rules.h"

namespace conflux::frontends {

namespace {

using ir::OpKind;

constexpr size_t kAny = std::numeric_limits<size_t>::max();

/// The bit mask of the given input positions.
constexpr uint32_t maskOf(std::initializer_list<int> positions) {
  uint32_t mask = 0;
  for (int i : positions) mask |= 1u << i;
  return mask;
}
/// Value inputs at the given positions.
constexpr InputRoles valueInputs(std::initializer_list<int> positions) {
  return {maskOf(positions), 0};
}
/// Type-only inputs at the given positions.
constexpr InputRoles typeInputs(std::initializer_list<int> positions) {
  return {0, maskOf(positions)};
}
constexpr InputRoles kNone{};

const std::vector<OpInfo>& opTable() {
  static const std::vector<OpInfo> table{
      // Element-wise unary
      {"Sqrt", OpKind::Sqrt, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Exp", OpKind::Exp, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Log", OpKind::Log, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Erf", OpKind::Erf, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Tanh", OpKind::Tanh, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Sigmoid", OpKind::Sigmoid, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Reciprocal", OpKind::Reciprocal, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"HardSwish", OpKind::HardSwish, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Relu", OpKind::Relu, 1, 1, kNone, parseNoAttrs, inferSameAsInput},
      {"Neg", OpKind::Neg, 1, 1, kNone, parseNoAttrs, inferSameAsInput},
      {"Abs", OpKind::Abs, 1, 1, kNone, parseNoAttrs, inferSameAsInput},
      {"Identity", OpKind::Identity, 1, 1, kNone, parseNoAttrs, inferSameAsInput},
      {"Dropout", OpKind::Dropout, 1, 3, valueInputs({1, 2}), parseDropout, inferDropout},
      {"LeakyRelu", OpKind::LeakyRelu, 1, 1, kNone, parseLeakyRelu, inferSameAsFloatInput},
      {"HardSigmoid", OpKind::HardSigmoid, 1, 1, kNone, parseHardSigmoid, inferSameAsFloatInput},
      {"Clip", OpKind::Clip, 1, 3, valueInputs({1, 2}), parseClip, inferSameAsInput},
      {"Gelu", OpKind::Gelu, 1, 1, kNone, parseGelu, inferSameAsFloatInput},
      {"Cast", OpKind::Cast, 1, 1, kNone, parseCast, inferCast},
      {"CastLike", OpKind::Cast, 2, 2, typeInputs({1}), parseCastLike, inferCast},
      {"Floor", OpKind::Floor, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Ceil", OpKind::Ceil, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Round", OpKind::Round, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Sign", OpKind::Sign, 1, 1, kNone, parseNoAttrs, inferSameAsNumericInput},
      {"Sin", OpKind::Sin, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Cos", OpKind::Cos, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Tan", OpKind::Tan, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Sinh", OpKind::Sinh, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Cosh", OpKind::Cosh, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Asinh", OpKind::Asinh, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Acosh", OpKind::Acosh, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Atanh", OpKind::Atanh, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Softplus", OpKind::Softplus, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Softsign", OpKind::Softsign, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Asin", OpKind::Asin, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Acos", OpKind::Acos, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Atan", OpKind::Atan, 1, 1, kNone, parseNoAttrs, inferSameAsFloatInput},
      {"Elu", OpKind::Elu, 1, 1, kNone, parseElu, inferSameAsFloatInput},
      {"Selu", OpKind::Selu, 1, 1, kNone, parseSelu, inferSameAsFloatInput},
      {"Celu", OpKind::Celu, 1, 1, kNone, parseCelu, inferSameAsFloatInput},
      {"ThresholdedRelu", OpKind::ThresholdedRelu, 1, 1, kNone, parseThresholdedRelu,
       inferSameAsFloatInput},
      {"Shrink", OpKind::Shrink, 1, 1, kNone, parseShrink, inferSameAsNumericInput},
      {"IsNaN", OpKind::IsNaN, 1, 1, kNone, parseNoAttrs, inferFloatPredicate},
      {"IsInf", OpKind::IsInf, 1, 1, kNone, parseIsInf, inferFloatPredicate},
      {"Not", OpKind::Not, 1, 1, kNone, parseNoAttrs, inferLogical},
      // Element-wise with broadcasting
      {"Add", OpKind::Add, 2, 2, kNone, parseNoAttrs, inferBroadcast},
      {"Sub", OpKind::Sub, 2, 2, kNone, parseNoAttrs, inferBroadcast},
      {"Mul", OpKind::Mul, 2, 2, kNone, parseNoAttrs, inferBroadcast},
      {"Div", OpKind::Div, 2, 2, kNone, parseNoAttrs, inferBroadcast},
      {"Pow", OpKind::Pow, 2, 2, kNone, parseNoAttrs, inferPow},
      {"Max", OpKind::Max, 1, kAny, kNone, parseNoAttrs, inferBroadcast},
      {"Min", OpKind::Min, 1, kAny, kNone, parseNoAttrs, inferBroadcast},
      {"Sum", OpKind::Sum, 1, kAny, kNone, parseNoAttrs, inferBroadcast},
      {"Mean", OpKind::Mean, 1, kAny, kNone, parseNoAttrs, inferBroadcast},
      {"Equal", OpKind::Equal, 2, 2, kNone, parseNoAttrs, inferComparison},
      {"Less", OpKind::Less, 2, 2, kNone, parseNoAttrs, inferComparison},
      {"Greater", OpKind::Greater, 2, 2, kNone, parseNoAttrs, inferComparison},
      {"Where", OpKind::Where, 3, 3, kNone, parseNoAttrs, inferWhere},
      {"LessOrEqual", OpKind::LessOrEqual, 2, 2, kNone, parseNoAttrs, inferComparison},
      {"GreaterOrEqual", OpKind::GreaterOrEqual, 2, 2, kNone, parseNoAttrs, inferComparison},
      {"And", OpKind::And, 2, 2, kNone, parseNoAttrs, inferLogical},
      {"Or", OpKind::Or, 2, 2, kNone, parseNoAttrs, inferLogical},
      {"Xor", OpKind::Xor, 2, 2, kNone, parseNoAttrs, inferLogical},
      {"PRelu", OpKind::PRelu, 2, 2, kNone, parseNoAttrs, inferPRelu},
      {"Mod", OpKind::Mod, 2, 2, kNone, parseMod, inferMod},
      // Contractions
      {"MatMul", OpKind::MatMul, 2, 2, kNone, parseNoAttrs, inferMatMul},
      {"Gemm", OpKind::Gemm, 2, 3, kNone, parseGemm, inferGemm},
      {"Conv", OpKind::Conv, 2, 3, kNone, parseConv, inferConv},
      {"ConvTranspose", OpKind::ConvTranspose, 2, 3, kNone, parseConvTranspose, inferConvTranspose},
      // Normalisations and reductions
      {"BatchNormalization", OpKind::BatchNormalization, 5, 5, kNone, parseBatchNormalization,
       inferBatchNormalization},
      {"LayerNormalization", OpKind::LayerNormalization, 2, 3, kNone, parseLayerNormalization,
       inferLayerNormalization},
      {"InstanceNormalization", OpKind::InstanceNormalization, 3, 3, kNone,
       parseInstanceNormalization, inferInstanceNormalization},
      {"MeanVarianceNormalization", OpKind::MeanVarianceNormalization, 1, 1, kNone,
       parseMeanVarianceNormalization, inferSameAsFloatInput},
      {"Softmax", OpKind::Softmax, 1, 1, kNone, parseSoftmax, inferSameAsFloatInput},
      {"LogSoftmax", OpKind::LogSoftmax, 1, 1, kNone, parseSoftmax, inferSameAsFloatInput},
      {"ReduceMean", OpKind::ReduceMean, 1, 2, valueInputs({1}), parseReduce, inferReduce},
      {"ReduceSum", OpKind::ReduceSum, 1, 2, valueInputs({1}), parseReduce, inferReduce},
      {"ReduceMax", OpKind::ReduceMax, 1, 2, valueInputs({1}), parseReduce, inferReduce},
      {"ReduceMin", OpKind::ReduceMin, 1, 2, valueInputs({1}), parseReduce, inferReduce},
      {"ReduceProd", OpKind::ReduceProd, 1, 2, valueInputs({1}), parseReduce, inferReduce},
      {"ReduceSumSquare", OpKind::ReduceSumSquare, 1, 2, valueInputs({1}), parseReduce,
       inferReduce},
      {"ReduceL1", OpKind::ReduceL1, 1, 2, valueInputs({1}), parseReduce, inferReduce},
      {"ReduceL2", OpKind::ReduceL2, 1, 2, valueInputs({1}), parseReduce, inferReduce},
      {"ReduceLogSum", OpKind::ReduceLogSum, 1, 2, valueInputs({1}), parseReduce, inferReduce},
      {"ReduceLogSumExp", OpKind::ReduceLogSumExp, 1, 2, valueInputs({1}), parseReduce,
       inferReduce},
      {"ArgMax", OpKind::ArgMax, 1, 1, kNone, parseArgReduce, inferArgReduce},
      {"ArgMin", OpKind::ArgMin, 1, 1, kNone, parseArgReduce, inferArgReduce},
      {"Hardmax", OpKind::Hardmax, 1, 1, kNone, parseSoftmax, inferSameAsInput},
      {"TopK", OpKind::TopK, 1, 2, valueInputs({1}), parseTopK, inferTopK},
      {"LRN", OpKind::LRN, 1, 1, kNone, parseLrn, inferLrn},
      // Losses
      {"NegativeLogLikelihoodLoss", OpKind::NegativeLogLikelihoodLoss, 2, 3, kNone, parseLoss,
       inferLoss},
      {"SoftmaxCrossEntropyLoss", OpKind::SoftmaxCrossEntropyLoss, 2, 3, kNone, parseLoss,
       inferLoss},
      // Pooling
      {"MaxPool", OpKind::MaxPool, 1, 1, kNone, parsePool, inferPool},
      {"AveragePool", OpKind::AveragePool, 1, 1, kNone, parsePool, inferPool},
      {"GlobalAveragePool", OpKind::GlobalAveragePool, 1, 1, kNone, parseNoAttrs, inferGlobalPool},
      {"GlobalMaxPool", OpKind::GlobalMaxPool, 1, 1, kNone, parseNoAttrs, inferGlobalPool},
      // Data movement and shape
      {"Flatten", OpKind::Flatten, 1, 1, kNone, parseNoAttrs, inferFlatten},
      {"Reshape", OpKind::Reshape, 2, 2, valueInputs({1}), parseNoAttrs, inferReshape},
      {"Squeeze", OpKind::Squeeze, 1, 2, valueInputs({1}), parseNoAttrs, inferSqueeze},
      {"Unsqueeze", OpKind::Unsqueeze, 1, 2, valueInputs({1}), parseNoAttrs, inferUnsqueeze},
      {"Transpose", OpKind::Transpose, 1, 1, kNone, parseTranspose, inferTranspose},
      {"Expand", OpKind::Expand, 2, 2, valueInputs({1}), parseNoAttrs, inferExpand},
      {"Tile", OpKind::Tile, 2, 2, valueInputs({1}), parseNoAttrs, inferTile},
      {"Concat", OpKind::Concat, 1, kAny, kNone, parseConcat, inferConcat},
      {"Split", OpKind::Split, 1, 2, valueInputs({1}), parseSplit, inferSplit},
      {"Gather", OpKind::Gather, 2, 2, kNone, parseGather, inferGather},
      {"GatherElements", OpKind::GatherElements, 2, 2, kNone, parseGather, inferGatherElements},
      {"GatherND", OpKind::GatherND, 2, 2, kNone, parseGatherNd, inferGatherNd},
      {"OneHot", OpKind::OneHot, 3, 3, valueInputs({1}), parseOneHot, inferOneHot},
      {"ScatterElements", OpKind::ScatterElements, 3, 3, kNone, parseScatter, inferScatterElements},
      {"Scatter", OpKind::ScatterElements, 3, 3, kNone, parseScatter, inferScatterElements},
      {"ScatterND", OpKind::ScatterND, 3, 3, kNone, parseScatter, inferScatterNd},
      {"DepthToSpace", OpKind::DepthToSpace, 1, 1, kNone, parseBlockShuffle, inferBlockShuffle},
      {"SpaceToDepth", OpKind::SpaceToDepth, 1, 1, kNone, parseBlockShuffle, inferBlockShuffle},
      {"Slice", OpKind::Slice, 1, 5, valueInputs({1, 2, 3, 4}), parseSlice, inferSlice},
      {"Pad", OpKind::Pad, 1, 4, valueInputs({1, 2, 3}), parsePad, inferPad},
      {"Resize", OpKind::Resize, 1, 4, valueInputs({1, 2, 3}), parseResize, inferResize},
      {"Upsample", OpKind::Resize, 1, 2, valueInputs({1}), parseUpsample, inferResize},
      {"Trilu", OpKind::Trilu, 1, 2, valueInputs({1}), parseTrilu, inferTrilu},
      // Known at load time: always folded to constants
      {"Shape", OpKind::Shape, 1, 1, kNone, parseNoAttrs, inferShape},
      {"Size", OpKind::Size, 1, 1, kNone, parseNoAttrs, inferSize},
      {"EyeLike", OpKind::EyeLike, 1, 1, kNone, parseNoAttrs, inferEyeLike},
      {"Constant", OpKind::Constant, 0, 0, kNone, parseNoAttrs, inferConstant},
      {"ConstantOfShape", OpKind::ConstantOfShape, 1, 1, valueInputs({0}), parseNoAttrs,
       inferConstantOfShape},
      {"Range", OpKind::Range, 3, 3, valueInputs({0, 1, 2}), parseNoAttrs, inferRange},
  };
  return table;
}

}  // namespace

const OpInfo* findOp(std::string_view onnxOpType) {
  for (const OpInfo& info : opTable())
    if (info.name == onnxOpType) return &info;
  return nullptr;
}

bool isSupportedOp(std::string_view onnxOpType) { return findOp(onnxOpType) != nullptr; }

}  // namespace conflux::frontends
