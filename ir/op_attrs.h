#pragma once
// Typed attribute structs of library nodes, one per family of operations. The variant
// `OpAttrs` holds exactly one of them; `NoAttrs` for ops without attributes.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ir/dtype.h"

namespace conflux::ir {

struct NoAttrs {
  static constexpr std::string_view kName = "none";
  bool operator==(const NoAttrs&) const = default;
};

/// One axis (Softmax, LogSoftmax, Concat, Gather, Flatten).
struct AxisAttrs {
  static constexpr std::string_view kName = "axis";
  int64_t axis = -1;
  bool operator==(const AxisAttrs&) const = default;
};

/// Reductions over `axes` (empty = all).
struct ReduceAttrs {
  static constexpr std::string_view kName = "reduce";
  std::vector<int64_t> axes;
  bool keepDims = true;
  bool operator==(const ReduceAttrs&) const = default;
};

/// Y = alpha * op(A) * op(B) + beta * C.
struct GemmAttrs {
  static constexpr std::string_view kName = "gemm";
  double alpha = 1.0;
  double beta = 1.0;
  bool transA = false;
  bool transB = false;
  bool operator==(const GemmAttrs&) const = default;
};

/// Convolution and transposed convolution. Pads are [begin..., end...] as in ONNX.
struct ConvAttrs {
  static constexpr std::string_view kName = "conv";
  std::vector<int64_t> kernelShape;
  std::vector<int64_t> strides;
  std::vector<int64_t> pads;
  std::vector<int64_t> dilations;
  std::vector<int64_t> outputPadding;
  int64_t group = 1;
  bool operator==(const ConvAttrs&) const = default;
};

/// Max and average pooling windows.
struct PoolAttrs {
  static constexpr std::string_view kName = "pool";
  std::vector<int64_t> kernelShape;
  std::vector<int64_t> strides;
  std::vector<int64_t> pads;
  std::vector<int64_t> dilations;
  bool ceilMode = false;
  bool countIncludePad = false;
  bool operator==(const PoolAttrs&) const = default;
};

/// Layer and batch normalisation.
struct NormAttrs {
  static constexpr std::string_view kName = "norm";
  double epsilon = 1e-5;
  int64_t axis = -1;
  bool operator==(const NormAttrs&) const = default;
};

/// Parameterised activations: LeakyRelu, Elu, Celu, ThresholdedRelu (alpha), HardSigmoid
/// (alpha, beta), Selu (alpha, gamma as beta), Shrink (bias, lambd as alpha, beta), Clip (min,
/// max as alpha, beta), Gelu (approximate = tanh when tanhApproximation).
struct ActivationAttrs {
  static constexpr std::string_view kName = "activation";
  double alpha = 0.0;
  double beta = 0.0;
  bool tanhApproximation = false;
  bool operator==(const ActivationAttrs&) const = default;
};

/// ArgMax, ArgMin: the axis, whether it stays (size 1), and which of equal extremes counts.
struct ArgReduceAttrs {
  static constexpr std::string_view kName = "arg_reduce";
  int64_t axis = 0;
  bool keepDims = true;
  bool selectLast = false;
  bool operator==(const ArgReduceAttrs&) const = default;
};

/// DepthToSpace, SpaceToDepth: the block size, and DepthToSpace's mode (CRD when
/// columnRowDepth, else DCR: depth-column-row).
struct BlockAttrs {
  static constexpr std::string_view kName = "block";
  int64_t blockSize = 1;
  bool columnRowDepth = false;
  bool operator==(const BlockAttrs&) const = default;
};

/// Mod: the remainder takes the dividend's sign (C's fmod) when `fmod`, else the divisor's.
struct ModAttrs {
  static constexpr std::string_view kName = "mod";
  bool fmod = false;
  bool operator==(const ModAttrs&) const = default;
};

/// IsInf: which infinities count.
struct IsInfAttrs {
  static constexpr std::string_view kName = "is_inf";
  bool negative = true;
  bool positive = true;
  bool operator==(const IsInfAttrs&) const = default;
};

/// TopK: the `k` largest (or smallest) elements along `axis` (>= 0), in order, with their
/// indices; of equal elements the one at the lower index comes first.
struct TopKAttrs {
  static constexpr std::string_view kName = "top_k";
  int64_t axis = 0;
  int64_t k = 1;
  bool largest = true;
  bool operator==(const TopKAttrs&) const = default;
};

/// LRN: y = x / (bias + alpha / size * the sum of x^2 over `size` neighbouring channels)^beta.
struct LrnAttrs {
  static constexpr std::string_view kName = "lrn";
  double alpha = 1e-4;
  double beta = 0.75;
  double bias = 1.0;
  int64_t size = 1;
  bool operator==(const LrnAttrs&) const = default;
};

/// NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss: how the per-element losses reduce
/// ("none", "sum", "mean") and, when `ignores`, the target value whose elements count nothing.
struct LossAttrs {
  static constexpr std::string_view kName = "loss";
  std::string reduction = "mean";
  bool ignores = false;
  int64_t ignoreIndex = 0;
  bool operator==(const LossAttrs&) const = default;
};

/// OneHot: the inserted axis (>= 0) and its length.
struct OneHotAttrs {
  static constexpr std::string_view kName = "one_hot";
  int64_t axis = 0;
  int64_t depth = 1;
  bool operator==(const OneHotAttrs&) const = default;
};

/// GatherND: the leading dimensions data and indices share.
struct GatherNdAttrs {
  static constexpr std::string_view kName = "gather_nd";
  int64_t batchDims = 0;
  bool operator==(const GatherNdAttrs&) const = default;
};

/// ScatterElements (along `axis`), ScatterND: how an update meets the element it names ("none":
/// replaces it, the last update of several winning; "add", "mul", "max", "min": combines).
struct ScatterAttrs {
  static constexpr std::string_view kName = "scatter";
  int64_t axis = 0;
  std::string reduction = "none";
  bool operator==(const ScatterAttrs&) const = default;
};

/// Transpose permutation.
struct TransposeAttrs {
  static constexpr std::string_view kName = "transpose";
  std::vector<int64_t> perm;
  bool operator==(const TransposeAttrs&) const = default;
};

/// Cast target dtype.
struct CastAttrs {
  static constexpr std::string_view kName = "cast";
  DType to = DType::F32;
  bool operator==(const CastAttrs&) const = default;
};

/// Slicing with per-axis starts, ends and steps (already normalised to the input shape).
struct SliceAttrs {
  static constexpr std::string_view kName = "slice";
  std::vector<int64_t> axes;
  std::vector<int64_t> starts;
  std::vector<int64_t> ends;
  std::vector<int64_t> steps;
  bool operator==(const SliceAttrs&) const = default;
};

/// ConstantOfShape fill value (and other single-value attributes).
struct FillAttrs {
  static constexpr std::string_view kName = "fill";
  double value = 0.0;
  bool operator==(const FillAttrs&) const = default;
};

/// Trilu: keep the upper (or lower) triangle from diagonal k.
struct TriluAttrs {
  static constexpr std::string_view kName = "trilu";
  bool upper = true;
  int64_t k = 0;
  bool operator==(const TriluAttrs&) const = default;
};

/// Padding: pads are [begin..., end...] per axis; mode is "constant", "reflect" or "edge".
struct PadAttrs {
  static constexpr std::string_view kName = "pad";
  std::vector<int64_t> pads;
  std::string mode = "constant";
  double value = 0.0;
  bool operator==(const PadAttrs&) const = default;
};

/// Split along `axis` into pieces of `sizes`.
struct SplitAttrs {
  static constexpr std::string_view kName = "split";
  int64_t axis = 0;
  std::vector<int64_t> sizes;
  bool operator==(const SplitAttrs&) const = default;
};

/// Resize with per-axis scales (output = floor(input * scale)); ONNX mode names.
struct ResizeAttrs {
  static constexpr std::string_view kName = "resize";
  std::vector<double> scales;
  std::string mode = "nearest";                       // nearest, linear, cubic
  std::string coordinateTransformation = "half_pixel";  // ONNX coordinate_transformation_mode
  std::string nearestMode = "round_prefer_floor";
  double cubicCoeffA = -0.75;
  bool excludeOutside = false;
  bool operator==(const ResizeAttrs&) const = default;
};

using OpAttrs = std::variant<NoAttrs, AxisAttrs, ReduceAttrs, GemmAttrs, ConvAttrs, PoolAttrs,
                             NormAttrs, ActivationAttrs, TransposeAttrs, CastAttrs, SliceAttrs,
                             FillAttrs, TriluAttrs, PadAttrs, SplitAttrs, ResizeAttrs, ModAttrs,
                             IsInfAttrs, ArgReduceAttrs, BlockAttrs, LrnAttrs, LossAttrs,
                             OneHotAttrs, GatherNdAttrs, ScatterAttrs, TopKAttrs>;

/// The kName of the alternative held.
std::string_view attrsName(const OpAttrs& attrs);

}  // namespace conflux::ir
