#include "ir/op_kind.h"

#include <array>
#include <utility>

#include "ir/error.h"

namespace conflux::ir {
namespace {

#define CONFLUX_OP(name) std::pair<OpKind, std::string_view>{OpKind::name, #name}
constexpr std::array kOpNames{
    CONFLUX_OP(Add), CONFLUX_OP(Sub), CONFLUX_OP(Mul), CONFLUX_OP(Div), CONFLUX_OP(Pow),
    CONFLUX_OP(Sqrt), CONFLUX_OP(Exp), CONFLUX_OP(Log), CONFLUX_OP(Erf), CONFLUX_OP(Tanh),
    CONFLUX_OP(Sigmoid), CONFLUX_OP(Relu), CONFLUX_OP(LeakyRelu), CONFLUX_OP(HardSigmoid),
    CONFLUX_OP(HardSwish), CONFLUX_OP(Clip), CONFLUX_OP(Neg), CONFLUX_OP(Abs),
    CONFLUX_OP(Reciprocal), CONFLUX_OP(Max), CONFLUX_OP(Min), CONFLUX_OP(Sum), CONFLUX_OP(Mean),
    CONFLUX_OP(Where), CONFLUX_OP(Equal), CONFLUX_OP(Less), CONFLUX_OP(Greater), CONFLUX_OP(Cast),
    CONFLUX_OP(Gelu), CONFLUX_OP(Identity), CONFLUX_OP(Dropout), CONFLUX_OP(Floor),
    CONFLUX_OP(Ceil), CONFLUX_OP(Round), CONFLUX_OP(Sign), CONFLUX_OP(Sin), CONFLUX_OP(Cos),
    CONFLUX_OP(Tan), CONFLUX_OP(Sinh), CONFLUX_OP(Cosh), CONFLUX_OP(Asinh), CONFLUX_OP(Acosh),
    CONFLUX_OP(Atanh), CONFLUX_OP(Softplus), CONFLUX_OP(Softsign), CONFLUX_OP(Elu),
    CONFLUX_OP(Selu), CONFLUX_OP(Celu), CONFLUX_OP(ThresholdedRelu), CONFLUX_OP(Shrink),
    CONFLUX_OP(PRelu), CONFLUX_OP(Mod), CONFLUX_OP(IsNaN), CONFLUX_OP(IsInf), CONFLUX_OP(Not),
    CONFLUX_OP(And), CONFLUX_OP(Or), CONFLUX_OP(Xor), CONFLUX_OP(LessOrEqual),
    CONFLUX_OP(GreaterOrEqual), CONFLUX_OP(Asin), CONFLUX_OP(Acos), CONFLUX_OP(Atan),
    CONFLUX_OP(Hardmax), CONFLUX_OP(MatMul), CONFLUX_OP(Gemm), CONFLUX_OP(Conv),
    CONFLUX_OP(ConvTranspose), CONFLUX_OP(BatchNormalization), CONFLUX_OP(LayerNormalization),
    CONFLUX_OP(InstanceNormalization), CONFLUX_OP(MeanVarianceNormalization), CONFLUX_OP(Softmax),
    CONFLUX_OP(LogSoftmax),
    CONFLUX_OP(ReduceMean), CONFLUX_OP(ReduceSum), CONFLUX_OP(ReduceMax), CONFLUX_OP(ReduceMin),
    CONFLUX_OP(ReduceProd), CONFLUX_OP(ReduceSumSquare), CONFLUX_OP(ReduceL1), CONFLUX_OP(ReduceL2),
    CONFLUX_OP(ReduceLogSum), CONFLUX_OP(ReduceLogSumExp), CONFLUX_OP(ArgMax), CONFLUX_OP(ArgMin),
    CONFLUX_OP(TopK), CONFLUX_OP(LRN), CONFLUX_OP(NegativeLogLikelihoodLoss),
    CONFLUX_OP(SoftmaxCrossEntropyLoss),
    CONFLUX_OP(MaxPool), CONFLUX_OP(AveragePool), CONFLUX_OP(GlobalAveragePool),
    CONFLUX_OP(GlobalMaxPool), CONFLUX_OP(Flatten), CONFLUX_OP(Reshape), CONFLUX_OP(Transpose),
    CONFLUX_OP(Squeeze), CONFLUX_OP(Unsqueeze), CONFLUX_OP(Concat), CONFLUX_OP(Split),
    CONFLUX_OP(Slice), CONFLUX_OP(Gather), CONFLUX_OP(GatherElements), CONFLUX_OP(Expand),
    CONFLUX_OP(GatherND), CONFLUX_OP(OneHot), CONFLUX_OP(ScatterElements), CONFLUX_OP(ScatterND),
    CONFLUX_OP(Pad), CONFLUX_OP(DepthToSpace), CONFLUX_OP(SpaceToDepth), CONFLUX_OP(Tile),
    CONFLUX_OP(Range), CONFLUX_OP(Resize), CONFLUX_OP(Shape), CONFLUX_OP(Constant),
    CONFLUX_OP(ConstantOfShape), CONFLUX_OP(Trilu), CONFLUX_OP(Size), CONFLUX_OP(EyeLike),
};
#undef CONFLUX_OP

}  // namespace

std::string_view opKindName(OpKind op) {
  for (const auto& [o, n] : kOpNames)
    if (o == op) return n;
  CONFLUX_ASSERT(false, "unknown op enumerator");
}

bool parseOpKind(std::string_view name, OpKind& op) {
  for (const auto& [o, n] : kOpNames)
    if (n == name) {
      op = o;
      return true;
    }
  return false;
}

}  // namespace conflux::ir
