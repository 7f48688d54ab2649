// Reduce* and the global pools: the output is initialised with the reduction's identity, then a
// map over the input accumulates each element's contribution into it with WCR (a mean adds
// x * (1/n), a sum of squares x * x). ReduceL2 and ReduceLogSum accumulate into a transient that
// a last map finishes (sqrt, log); ReduceLogSumExp reduces the maximum m first, then adds
// exp(x - m), and the last map writes m + log(sum): no exp overflows. ArgMax, ArgMin and Hardmax
// reduce the extreme, then the first (or last) index holding it; MeanVarianceNormalization the
// mean, then the variance, then maps the input.
#include <set>

#include "passes/expansions/expansions.h"

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

/// The iteration space of one reduction: a parameter per input dimension, and the output
/// element each input element reduces into.
struct ReductionSpace {
  std::vector<std::string> params;
  std::vector<AffineExpr> index, outIndex;
  std::vector<int64_t> inShape, outShape;
  int64_t count = 1;  // elements reduced into each output element
};

ReductionSpace spaceOf(const Builder& b, const std::vector<int64_t>& axes, bool keepDims) {
  ReductionSpace space;
  space.inShape = b.shape("in0");
  const std::vector<int64_t>& shape = space.inShape;
  std::set<size_t> reduced;
  for (int64_t a : axes) {
    if (a < 0 || a >= static_cast<int64_t>(shape.size()))
      b.fail("axis " + std::to_string(a) + " is out of range");
    reduced.insert(static_cast<size_t>(a));
  }
  if (axes.empty())
    for (size_t d = 0; d < shape.size(); ++d) reduced.insert(d);
  space.params = paramNames("i", shape.size());
  space.index = symbols(space.params);
  for (size_t d = 0; d < shape.size(); ++d) {
    bool r = reduced.count(d) != 0;
    space.count *= r ? shape[d] : 1;
    if (r && !keepDims) continue;
    space.outIndex.push_back(r ? AffineExpr(0) : space.index[d]);
    space.outShape.push_back(r ? 1 : shape[d]);
  }
  return space;
}

/// spaceOf, for an op whose out0 is the reduction's result.
ReductionSpace reducingIntoOutput(const Builder& b, const std::vector<int64_t>& axes,
                                  bool keepDims) {
  ReductionSpace space = spaceOf(b, axes, keepDims);
  if (b.shape("out0") != space.outShape) b.fail("the output shape does not match the reduction");
  return space;
}

/// Accumulates `contribution` (an expression of the element "x" and of the `extra` inputs,
/// read at the output element) of every input element into the array of `target` with `wcr`,
/// after filling it with the identity; returns the access node the accumulation wrote.
NodeId accumulate(Builder& b, const ReductionSpace& space, const std::string& array, Wcr wcr,
                  const Expr& contribution,
                  const std::vector<std::pair<NodeId, std::string>>& extra,
                  const std::string& role) {
  NodeId initAccess = b.addAccess(array);
  NodeId init = b.fill(initAccess, identityOf(wcr, b.descOf(initAccess).dtype),
                       role + (role.empty() ? "init" : "_init"));
  std::vector<Port> inputs{{b.access("in0"), "x", point(space.index)}};
  for (const auto& [access, conn] : extra) inputs.push_back({access, conn, point(space.outIndex)});
  NodeId target = array == b.array("out0") ? b.access("out0") : b.addAccess(array);
  b.addMap({role,
            space.params,
            Subset::full(space.inShape),
            inputs,
            {{target, "acc", point(space.outIndex), wcr}},
            {contribution},
            {init}});
  return target;
}

/// Writes out0 = `value`, an expression of the reduced arrays `inputs` (access node,
/// connector), element by element.
void finish(Builder& b, const ReductionSpace& space,
            const std::vector<std::pair<NodeId, std::string>>& inputs, const Expr& value) {
  std::vector<std::string> params = paramNames("o", space.outShape.size());
  std::vector<AffineExpr> index = symbols(params);
  std::vector<Port> ports;
  for (const auto& [access, conn] : inputs) ports.push_back({access, conn, point(index)});
  b.addMap({"finish",
            params,
            Subset::full(space.outShape),
            ports,
            {{b.access("out0"), "y", point(index)}},
            {value},
            {}});
}

/// Reduces into `array` (i64, the space's output shape) the first (or, `last`, the last) index
/// along `axis` holding the maximum (or minimum) of in0 there, or a NaN (which the extreme is
/// then); returns the access node written.
NodeId extremeIndex(Builder& b, const ReductionSpace& space, size_t axis, bool isMax, bool last,
                    const std::string& array) {
  DType dtype = b.dtype("in0");
  Expr x = ref("x", dtype);
  NodeId extreme = accumulate(b, space, b.addTransient("extreme", dtype, space.outShape),
                              isMax ? Wcr::Max : Wcr::Min, x, {}, "extreme");
  Expr holds =
      binary(BinaryOp::Or, binary(BinaryOp::Eq, x, ref("m", dtype)), unary(UnaryOp::IsNaN, x));
  Wcr pick = last ? Wcr::Max : Wcr::Min;
  Expr index = ref(space.params[axis], DType::I64);
  return accumulate(b, space, array, pick, select(holds, index, identityOf(pick, DType::I64)),
                    {{extreme, "m"}}, array == b.array("out0") ? "" : "index");
}

/// Writes out0 (of the input's shape) element by element: `value`, an expression of the input
/// element "x" and of the reduced arrays `reduced` (access node, connector) at its output
/// element.
void mapOverInput(Builder& b, const ReductionSpace& space, const std::string& role,
                  const std::vector<std::pair<NodeId, std::string>>& reduced, const Expr& value) {
  if (b.shape("out0") != space.inShape) b.fail("the output shape differs from the input's");
  std::vector<Port> inputs{{b.access("in0"), "x", point(space.index)}};
  for (const auto& [access, conn] : reduced)
    inputs.push_back({access, conn, point(space.outIndex)});
  b.addMap({role,
            space.params,
            Subset::full(space.inShape),
            inputs,
            {{b.access("out0"), "y", point(space.index)}},
            {value},
            {}});
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
  switch (kind) {
    case ReduceKind::Mean:
      needsFloat("a mean");
      accumulate(b, space, out, Wcr::Sum,
                 mul(x, constant(1.0 / static_cast<double>(space.count), dtype)), {}, "");
      return;
    case ReduceKind::SumOfSquares:
      accumulate(b, space, out, Wcr::Sum, mul(x, x), {}, "");
      return;
    case ReduceKind::L1:
      accumulate(b, space, out, Wcr::Sum, unary(UnaryOp::Abs, x), {}, "");
      return;
    case ReduceKind::L2:
    case ReduceKind::LogSum: {
      needsFloat(kind == ReduceKind::L2 ? "an L2 norm" : "a log-sum");
      std::string sum = b.addTransient("sum", dtype, space.outShape);
      NodeId reduced =
          accumulate(b, space, sum, Wcr::Sum, kind == ReduceKind::L2 ? mul(x, x) : x, {}, "sum");
      finish(b, space, {{reduced, "s"}},
             unary(kind == ReduceKind::L2 ? UnaryOp::Sqrt : UnaryOp::Log, ref("s", dtype)));
      return;
    }
    case ReduceKind::LogSumExp: {
      needsFloat("a log-sum-exp");
      NodeId max = accumulate(b, space, b.addTransient("max", dtype, space.outShape), Wcr::Max, x,
                              {}, "max");
      Expr m = ref("m", dtype);
      NodeId sum = accumulate(b, space, b.addTransient("sum", dtype, space.outShape), Wcr::Sum,
                              unary(UnaryOp::Exp, sub(x, m)), {{max, "m"}}, "sum");
      finish(b, space, {{max, "m"}, {sum, "s"}}, add(m, unary(UnaryOp::Log, ref("s", dtype))));
      return;
    }
    default:
      accumulate(b, space, out, wcrOf(kind), x, {}, "");
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
  ReductionSpace space = spaceOf(b, {static_cast<int64_t>(axis)}, true);
  NodeId first = extremeIndex(b, space, axis, true, false,
                              b.addTransient("index", DType::I64, space.outShape));
  DType dtype = b.dtype("out0");
  Expr isFirst =
      binary(BinaryOp::Eq, ref(space.params[axis], DType::I64), ref("first", DType::I64));
  mapOverInput(b, space, "one_hot", {{first, "first"}},
               select(isFirst, constant(1, dtype), constant(0, dtype)));
}

void expandMeanVarianceNorm(Builder& b) {
  ReductionSpace space = spaceOf(b, b.attrs<ReduceAttrs>().axes, true);
  DType dtype = b.dtype("in0");
  if (!isFloat(dtype)) b.fail("expects a float input");
  Expr x = ref("x", dtype), m = ref("m", dtype);
  Expr share = constant(1.0 / static_cast<double>(space.count), dtype);
  NodeId mean = accumulate(b, space, b.addTransient("mean", dtype, space.outShape), Wcr::Sum,
                           mul(x, share), {}, "mean");
  Expr centered = sub(x, m);
  NodeId variance = accumulate(b, space, b.addTransient("var", dtype, space.outShape), Wcr::Sum,
                               mul(mul(centered, centered), share), {{mean, "m"}}, "var");
  // ONNX's function body: (x - mean) / (sqrt(variance) + 1e-9).
  Expr deviation = add(unary(UnaryOp::Sqrt, ref("v", dtype)), constant(1e-9, dtype));
  mapOverInput(b, space, "", {{mean, "m"}, {variance, "v"}}, div(centered, deviation));
}

}  // namespace conflux::passes::expansions
