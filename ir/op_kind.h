#pragma once
// The closed list of high-level operations a library node can stand for.
#include <string_view>

namespace conflux::ir {

/// Library-node operations. Names follow the ONNX operator specification.
enum class OpKind {
  // Element-wise
  Add, Sub, Mul, Div, Pow, Sqrt, Exp, Log, Erf, Tanh, Sigmoid, Relu, LeakyRelu, HardSigmoid,
  HardSwish, Clip, Neg, Abs, Reciprocal, Max, Min, Sum, Mean, Where, Equal, Less, Greater, Cast,
  Gelu, Identity, Dropout, Floor, Ceil, Round, Sign, Sin, Cos, Tan, Sinh, Cosh, Asinh, Acosh,
  Atanh, Softplus, Softsign, Elu, Selu, Celu, ThresholdedRelu, Shrink, PRelu, Mod, IsNaN, IsInf,
  Not, And, Or, Xor, LessOrEqual, GreaterOrEqual, Asin, Acos, Atan, Hardmax,
  // Contractions
  MatMul, Gemm, Conv, ConvTranspose,
  // Normalisations and reductions
  BatchNormalization, LayerNormalization, InstanceNormalization, MeanVarianceNormalization,
  Softmax, LogSoftmax, ReduceMean,
  ReduceSum, ReduceMax, ReduceMin, ReduceProd, ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum,
  ReduceLogSumExp, ArgMax, ArgMin, TopK, LRN,
  // Losses
  NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss,
  // Pooling
  MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool,
  // Data movement and shape
  Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Concat, Split, Slice, Gather, GatherElements,
  GatherND, OneHot, ScatterElements, ScatterND, Expand, Pad, DepthToSpace, SpaceToDepth,
  Tile, Range, Resize, Shape, Constant, ConstantOfShape, Trilu, Size, EyeLike,
};

/// The ONNX spelling ("MatMul", "LayerNormalization").
std::string_view opKindName(OpKind op);
/// Parses an op name; returns false when the name is not in the list.
bool parseOpKind(std::string_view name, OpKind& op);

}  // namespace conflux::ir
