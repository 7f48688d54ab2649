// Reduce* and the global pools: the output is initialised with the reduction's identity, then a
// map over the input accumulates each element's contribution into it with WCR (a mean adds
// x * (1/n), a sum of squares x * x). ReduceL2 and ReduceLogSum accumulate into a transient that
// a last map finishes (sqrt, log); ReduceLogSumExp reduces the maximum m first, then adds
// exp(x - m), and the last map writes m + log(sum): no exp overflows. ArgMax, ArgMin and Hardmax
// reduce the extreme, then the first (or last) index holding it; MeanVarianceNormalization the
// mean, then the variance, then maps the input.
#include "passes/expansions/expansions.h"
#include "passes/expansions/reduction_space.h"

namespace conflux::passes::expansions {

using namespace ir;

namespace {

Wcr wcrOf(ReduceKind kind) {
  switch (kind) {
    case ReduceKind::Max:
      return Wcr::Max;
    case ReduceKind::Min:
      return Wcr::Min;
    case ReduceKind::Product:
      return Wcr::Product;
    default:
      return Wcr::Sum;
  }
}

ReduceKind kindOf(const Builder& b) {
  switch (b.op().op) {
    case OpKind::ReduceSum:
      return ReduceKind::Sum;
    case OpKind::ReduceMean:
      return ReduceKind::Mean;
    case OpKind::ReduceMax:
      return ReduceKind::Max;
    case OpKind::ReduceMin:
      return ReduceKind::Min;
    case OpKind::ReduceProd:
      return ReduceKind::Product;
    case OpKind::ReduceSumSquare:
      return ReduceKind::SumOfSquares;
    case OpKind::ReduceL1:
      return ReduceKind::L1;
    case OpKind::ReduceL2:
      return ReduceKind::L2;
    case OpKind::ReduceLogSum:
      return ReduceKind::LogSum;
    case OpKind::ReduceLogSumExp:
      return ReduceKind::LogSumExp;
    default:
      b.fail("not a reduction");
  }
}

/// The space of a reduction whose result is out0.
ReductionSpace reducingIntoOutput(const Builder& b, const std::vector<int64_t>& axes,
                                  bool keepDims) {
  ReductionSpace space(b, axes, keepDims);
  if (b.shape("out0") != space.reducedShape())
    b.fail("the output shape does not match the reduction");
  return space;
}

/// A new transient `suffix` of the space's reduced shape.
std::string reducedArray(Builder& b, const ReductionSpace& space, const std::string& suffix,
                         DType dtype) {
  return b.addTransient(suffix, dtype, space.reducedShape());
}

/// Reduces into `array` (i64, the space's reduced shape) the first (or, `last`, the last)
/// index along `axis` holding the maximum (or minimum) of in0 there, or a NaN (which the
/// extreme is then); returns the access node written.
NodeId extremeIndex(Builder& b, const ReductionSpace& space, size_t axis, bool isMax, bool last,
                    const std::string& array) {
  DType dtype = b.dtype("in0");
  Expr x = ref("x", dtype);
  NodeId extreme = accumulate(b, space, reducedArray(b, space, "extreme", dtype),
                              isMax ? Wcr::Max : Wcr::Min, {space.input()}, x, "extreme");
  Expr holds =
      binary(BinaryOp::Or, binary(BinaryOp::Eq, x, ref("m", dtype)), unary(UnaryOp::IsNaN, x));
  Wcr pick = last ? Wcr::Max : Wcr::Min;
  Expr index = ref(space.params()[axis], DType::I64);
  return accumulate(b, space, array, pick, {space.input(), space.reduced(extreme, "m")},
                    select(holds, index, identityOf(pick, DType::I64)),
                    array == b.array("out0") ? "" : "index");
}

}  // namespace

void reduceInto(Builder& b, ReduceKind kind, const std::vector<int64_t>& axes, bool keepDims) {
  ReductionSpace space = reducingIntoOutput(b, axes, keepDims);
  DType dtype = b.dtype("out0");
  Expr x = ref("x", b.dtype("in0"));
  const std::string& out = b.array("out0");
  auto needsFloat = [&](const std::string& what) {
    if (!isFloat(dtype)) b.fail(what + " needs a float input");
  };
  // Accumulates `value` of each input element into `array` with `wcr`.
  auto reduce = [&](const std::string& array, Wcr wcr, const Expr& value, const std::string& role) {
    return accumulate(b, space, array, wcr, {space.input()}, value, role);
  };
  switch (kind) {
    case ReduceKind::Mean:
      needsFloat("a mean");
      reduce(out, Wcr::Sum, mul(x, constant(1.0 / static_cast<double>(space.count()), dtype)), "");
      return;
    case ReduceKind::SumOfSquares:
      reduce(out, Wcr::Sum, mul(x, x), "");
      return;
    case ReduceKind::L1:
      reduce(out, Wcr::Sum, unary(UnaryOp::Abs, x), "");
      return;
    case ReduceKind::L2:
    case ReduceKind::LogSum: {
      needsFloat(kind == ReduceKind::L2 ? "an L2 norm" : "a log-sum");
      NodeId sum = reduce(reducedArray(b, space, "sum", dtype), Wcr::Sum,
                          kind == ReduceKind::L2 ? mul(x, x) : x, "sum");
      mapOverReduced(b, space, "finish", {{sum, "s"}}, b.access("out0"),
                     unary(kind == ReduceKind::L2 ? UnaryOp::Sqrt : UnaryOp::Log, ref("s", dtype)));
      return;
    }
    case ReduceKind::LogSumExp: {
      needsFloat("a log-sum-exp");
      NodeId max = reduce(reducedArray(b, space, "max", dtype), Wcr::Max, x, "max");
      Expr m = ref("m", dtype);
      NodeId sum = accumulate(b, space, reducedArray(b, space, "sum", dtype), Wcr::Sum,
                              {space.input(), space.reduced(max, "m")},
                              unary(UnaryOp::Exp, sub(x, m)), "sum");
      mapOverReduced(b, space, "finish", {{max, "m"}, {sum, "s"}}, b.access("out0"),
                     add(m, unary(UnaryOp::Log, ref("s", dtype))));
      return;
    }
    default:
      reduce(out, wcrOf(kind), x, "");
  }
}

void expandReduce(Builder& b) {
  const auto& attrs = b.attrs<ReduceAttrs>();
  reduceInto(b, kindOf(b), attrs.axes, attrs.keepDims);
}

void expandArgReduce(Builder& b) {
  const auto& attrs = b.attrs<ArgReduceAttrs>();
  ReductionSpace space = reducingIntoOutput(b, {attrs.axis}, attrs.keepDims);
  extremeIndex(b, space, static_cast<size_t>(attrs.axis), b.op().op == OpKind::ArgMax,
               attrs.selectLast, b.array("out0"));
}

void expandHardmax(Builder& b) {
  auto axis = static_cast<size_t>(b.attrs<AxisAttrs>().axis);
  ReductionSpace space(b, {static_cast<int64_t>(axis)}, true);
  NodeId first =
      extremeIndex(b, space, axis, true, false, reducedArray(b, space, "index", DType::I64));
  DType dtype = b.dtype("out0");
  Expr isFirst =
      binary(BinaryOp::Eq, ref(space.params()[axis], DType::I64), ref("first", DType::I64));
  mapOverInput(b, space, "one_hot", {space.reduced(first, "first")}, b.access("out0"),
               select(isFirst, constant(1, dtype), constant(0, dtype)));
}

void expandMeanVarianceNorm(Builder& b) {
  ReductionSpace space(b, b.attrs<ReduceAttrs>().axes, true);
  DType dtype = b.dtype("in0");
  if (!isFloat(dtype)) b.fail("expects a float input");
  Expr x = ref("x", dtype), m = ref("m", dtype);
  Expr share = constant(1.0 / static_cast<double>(space.count()), dtype);
  NodeId mean = accumulate(b, space, reducedArray(b, space, "mean", dtype), Wcr::Sum,
                           {space.input()}, mul(x, share), "mean");
  Expr centered = sub(x, m);
  NodeId variance = accumulate(b, space, reducedArray(b, space, "var", dtype), Wcr::Sum,
                               {space.input(), space.reduced(mean, "m")},
                               mul(mul(centered, centered), share), "var");
  // ONNX's function body: (x - mean) / (sqrt(variance) + 1e-9).
  Expr deviation = add(unary(UnaryOp::Sqrt, ref("v", dtype)), constant(1e-9, dtype));
  mapOverInput(b, space, "",
               {space.input(), space.reduced(mean, "m"), space.reduced(variance, "v")},
               b.access("out0"), div(centered, deviation));
}

}  // namespace conflux::passes::expansions
