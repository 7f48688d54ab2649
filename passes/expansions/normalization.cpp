// Softmax, LogSoftmax, LayerNormalization, InstanceNormalization (a layer norm over the spatial
// dimensions, scaled per channel), inference BatchNormalization and LRN (a sum of squares over
// neighbouring channels, read from a copy padded with zeros along them) as maps over
// transients. Every statistic is a reduction into a transient of the input's shape with the
// reduced dimensions kept as size 1: initialised with its identity, accumulated with WCR by a
// map over the input, then read back with broadcasting (reduced dimensions at index 0).
#include <cmath>
#include <limits>

#include "passes/expansions/expansions.h"
#include "passes/expansions/reduction_space.h"

namespace conflux::passes::expansions {

using namespace ir;

namespace {

/// Checks that the op's axis indexes the input.
size_t axisOf(const Builder& b, int64_t axis) {
  if (axis < 0 || axis >= static_cast<int64_t>(b.shape("in0").size()))
    b.fail("axis " + std::to_string(axis) + " is out of range");
  return static_cast<size_t>(axis);
}

/// A statistic `suffix` of the reduced shape: the reduction of `value`, an expression of
/// `reads`, with `wcr` over the space.
NodeId statistic(Builder& b, const ReductionSpace& space, const std::string& suffix, Wcr wcr,
                 std::vector<Port> reads, const Expr& value) {
  return accumulate(b, space, b.addTransient(suffix, value->dtype, space.reducedShape()), wcr,
                    std::move(reads), value, suffix);
}

}  // namespace

void softmaxInto(Builder& b, int64_t axis, bool log, NodeId target) {
  DType dtype = b.dtype("in0");
  if (!isFloat(dtype)) b.fail("expects a float input");
  ReductionSpace r(b, {axis}, true);
  Expr x = ref("x", dtype), max = ref("max", dtype), sum = ref("sum", dtype);
  NodeId maxes = statistic(b, r, "max", Wcr::Max, {r.input()}, x);
  Expr shifted = sub(x, max);
  NodeId sums = statistic(b, r, "sum", Wcr::Sum, {r.input(), r.reduced(maxes, "max")},
                          unary(UnaryOp::Exp, shifted));
  Expr y = log ? sub(shifted, unary(UnaryOp::Log, sum)) : div(unary(UnaryOp::Exp, shifted), sum);
  mapOverInput(b, r, "", {r.input(), r.reduced(maxes, "max"), r.reduced(sums, "sum")}, target, y);
}

void expandSoftmax(Builder& b) {
  softmaxInto(b, b.attrs<AxisAttrs>().axis, b.op().op == OpKind::LogSoftmax, b.access("out0"));
}

namespace {

/// Normalises dimensions [from, rank) of in0 to mean 0 and variance 1 (epsilon added to the
/// variance), writing the mean to out1 and the inverse standard deviation to out2 when
/// requested, then scales by in1 and shifts by in2 (when present), read at `scaleAt(index)`
/// and `biasAt(index)` of the input element at `index`.
template <class ScaleIndex, class BiasIndex>
void normalizeRows(Builder& b, size_t from, double epsilon, ScaleIndex scaleAt, BiasIndex biasAt) {
  DType dtype = b.dtype("in0");
  if (!isFloat(dtype)) b.fail("expects a float input");
  std::vector<int64_t> rows;
  for (size_t d = from; d < b.shape("in0").size(); ++d) rows.push_back(static_cast<int64_t>(d));
  ReductionSpace r(b, rows, true);
  Expr x = ref("x", dtype), count = constant(static_cast<double>(r.count()), dtype);

  // mean = sum(x) / n, written to Mean (out1) when requested.
  NodeId sums = statistic(b, r, "sum", Wcr::Sum, {r.input()}, x);
  NodeId mean = b.has("out1") ? b.access("out1")
                              : b.addAccess(b.addTransient("mean", dtype, r.reducedShape()));
  mapOverReduced(b, r, "mean", {{sums, "sum"}}, mean, div(ref("sum", dtype), count));
  // invStdDev = 1 / sqrt(sum((x - mean)^2) / n + epsilon), written to out2 when requested.
  Expr centered = sub(x, ref("mean", dtype));
  NodeId squares = statistic(b, r, "var", Wcr::Sum, {r.input(), r.reduced(mean, "mean")},
                             mul(centered, centered));
  NodeId invStd = b.has("out2")
                      ? b.access("out2")
                      : b.addAccess(b.addTransient("inv_std_dev", dtype, r.reducedShape()));
  Expr variance = div(ref("var", dtype), count);
  mapOverReduced(
      b, r, "inv_std_dev", {{squares, "var"}}, invStd,
      unary(UnaryOp::Reciprocal,
            unary(UnaryOp::Sqrt, binary(BinaryOp::Add, variance, constant(epsilon, dtype)))));

  // y = (x - mean) * invStdDev * scale (+ bias).
  std::vector<Port> reads = {r.input(),
                             r.reduced(mean, "mean"),
                             r.reduced(invStd, "inv"),
                             {b.access("in1"), "scale", point(scaleAt(r.index()))}};
  Expr y = mul(mul(centered, ref("inv", dtype)), ref("scale", dtype));
  if (b.has("in2")) {
    reads.push_back({b.access("in2"), "bias", point(biasAt(r.index()))});
    y = binary(BinaryOp::Add, y, ref("bias", dtype));
  }
  mapOverInput(b, r, "", std::move(reads), b.access("out0"), y);
}

}  // namespace

void expandLayerNorm(Builder& b) {
  const auto& attrs = b.attrs<NormAttrs>();
  const std::vector<int64_t>& shape = b.shape("in0");
  // scale and bias broadcast over the rows.
  auto broadcastFrom = [&](const std::string& conn) {
    return [&b, &shape, conn](const std::vector<AffineExpr>& index) {
      return broadcastIndex(b.shape(conn), index, shape);
    };
  };
  normalizeRows(b, axisOf(b, attrs.axis), attrs.epsilon, broadcastFrom("in1"),
                broadcastFrom("in2"));
}

void expandInstanceNorm(Builder& b) {
  if (b.shape("in0").size() < 3) b.fail("expects an input of rank >= 3 (N, C, spatial...)");
  auto channel = [](const std::vector<AffineExpr>& index) {
    return std::vector<AffineExpr>{index[1]};
  };
  normalizeRows(b, 2, b.attrs<NormAttrs>().epsilon, channel, channel);
}

void expandBatchNorm(Builder& b) {
  const auto& attrs = b.attrs<NormAttrs>();
  const std::vector<int64_t>& shape = b.shape("in0");
  if (shape.size() < 2) b.fail("expects an input of rank >= 2");
  if (b.has("out1")) b.fail("training mode (running statistics outputs) is not supported");
  DType dtype = b.dtype("in0");
  std::vector<std::string> params = paramNames("i", shape.size());
  std::vector<AffineExpr> index = symbols(params);
  Subset channel = point({index[1]});
  std::vector<Port> reads = {{b.access("in0"), "x", point(index)},
                             {b.access("in1"), "scale", channel},
                             {b.access("in2"), "bias", channel},
                             {b.access("in3"), "mean", channel},
                             {b.access("in4"), "var", channel}};
  Expr invStd =
      unary(UnaryOp::Reciprocal, unary(UnaryOp::Sqrt, binary(BinaryOp::Add, ref("var", dtype),
                                                             constant(attrs.epsilon, dtype))));
  Expr y = binary(BinaryOp::Add,
                  mul(mul(sub(ref("x", dtype), ref("mean", dtype)), invStd), ref("scale", dtype)),
                  ref("bias", dtype));
  b.addMap(
      {"", params, Subset::full(shape), reads, {{b.access("out0"), "y", point(index)}}, {y}, {}});
}

void expandLrn(Builder& b) {
  const auto& attrs = b.attrs<LrnAttrs>();
  const std::vector<int64_t>& shape = b.shape("in0");
  DType dtype = b.dtype("in0");
  if (shape.size() < 3 || !isFloat(dtype)) b.fail("expects a float input of rank >= 3");
  // Channel c sums the squares of channels c - (size - 1) / 2 ... c + size / 2 that exist.
  std::vector<int64_t> padded = shape, begin(shape.size(), 0);
  padded[1] += attrs.size - 1;
  begin[1] = (attrs.size - 1) / 2;
  NodeId xp = b.addAccess(b.addTransient("padded", dtype, padded));
  copyPadded(b, b.access("in0"), xp, begin, constant(0, dtype), "pad");

  std::vector<std::string> params = paramNames("i", shape.size());
  std::vector<AffineExpr> index = symbols(params);
  std::vector<AffineExpr> neighbour = index;
  neighbour[1] = index[1] + AffineExpr::symbol("k");
  Subset space = Subset::full(shape);
  space.ranges.push_back({0, attrs.size - 1, 1});
  std::vector<std::string> windowParams = params;
  windowParams.push_back("k");
  std::string squares = b.addTransient("squares", dtype, shape);
  NodeId init = b.fill(b.addAccess(squares), constant(0, dtype), "squares_init");
  NodeId sums = b.addAccess(squares);
  Expr x = ref("x", dtype);
  b.addMap({"squares",
            windowParams,
            space,
            {{xp, "x", point(neighbour)}},
            {{sums, "acc", point(index), Wcr::Sum}},
            {mul(x, x)},
            {init}});
  // y = x / (bias + alpha / size * sum)^beta
  Expr scaled =
      add(constant(attrs.bias, dtype),
          mul(constant(attrs.alpha / static_cast<double>(attrs.size), dtype), ref("sum", dtype)));
  b.addMap({"",
            params,
            Subset::full(shape),
            {{b.access("in0"), "x", point(index)}, {sums, "sum", point(index)}},
            {{b.access("out0"), "y", point(index)}},
            {div(x, binary(BinaryOp::Pow, scaled, constant(attrs.beta, dtype)))},
            {}});
}

}  // namespace conflux::passes::expansions
