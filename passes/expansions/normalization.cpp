// Softmax, LogSoftmax, LayerNormalization, InstanceNormalization (a layer norm over the spatial
// dimensions, scaled per channel) and inference BatchNormalization as maps over
// transients. Every statistic is a reduction into a transient of the input's shape with the
// reduced dimensions kept as size 1: initialised with its identity, accumulated with WCR by a
// map over the input, then read back with broadcasting (reduced dimensions at index 0).
#include <cmath>
#include <limits>

#include "passes/expansions/expansions.h"

namespace conflux::passes::expansions {

using namespace ir;

namespace {

/// Maps over the input of one normalisation, reducing dimensions [from, to) of it.
class Reducer {
 public:
  Reducer(Builder& b, size_t from, size_t to) : b_(b), shape_(b.shape("in0")) {
    params_ = paramNames("i", shape_.size());
    index_ = symbols(params_);
    reducedShape_ = shape_;
    reducedIndex_ = index_;
    for (size_t d = from; d < to; ++d) {
      reducedShape_[d] = 1;
      reducedIndex_[d] = 0;
      count_ *= shape_[d];
    }
  }

  const std::vector<std::string>& params() const { return params_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  const std::vector<int64_t>& reducedShape() const { return reducedShape_; }
  /// Elements per reduced row.
  int64_t count() const { return count_; }
  /// The input element (connector "x").
  Port input() const { return {b_.access("in0"), "x", point(index_)}; }
  /// An element of the reduced statistics `stat`, seen from the input's iteration space.
  Port statistic(NodeId stat, const std::string& conn) const {
    return {stat, conn, point(reducedIndex_)};
  }
  /// An element of output `conn` of the input's shape.
  Port output(const std::string& conn) const { return {b_.access(conn), "y", point(index_)}; }

  /// A new statistic `suffix`: a transient of the reduced shape, initialised with the identity
  /// of `wcr` and accumulated with `value` (over `reads`) by a map labelled `role`. Returns
  /// the access node holding the result.
  NodeId reduce(const std::string& suffix, Wcr wcr, std::vector<Port> reads, const Expr& value) {
    std::string name = b_.addTransient(suffix, value->dtype, reducedShape_);
    NodeId init = b_.fill(b_.addAccess(name), identityOf(wcr, value->dtype), suffix + "_init");
    NodeId result = b_.addAccess(name);
    b_.addMap({suffix,
               params_,
               Subset::full(shape_),
               std::move(reads),
               {{result, "acc", point(reducedIndex_), wcr}},
               {value},
               {init}});
    return result;
  }

  /// An element of the statistic `stat`, seen from perRow's iteration space.
  Port row(NodeId stat, const std::string& conn) const {
    return {stat, conn, point(symbols(paramNames("i", reducedShape_.size())))};
  }

  /// An element-wise map over the reduced shape writing `value` into `target`.
  void perRow(const std::string& role, std::vector<Port> reads, NodeId target, const Expr& value) {
    std::vector<std::string> params = paramNames("i", reducedShape_.size());
    b_.addMap({role,
               params,
               Subset::full(reducedShape_),
               std::move(reads),
               {{target, "out", point(symbols(params))}},
               {value},
               {}});
  }

 private:
  Builder& b_;
  std::vector<int64_t> shape_, reducedShape_;
  std::vector<std::string> params_;
  std::vector<AffineExpr> index_, reducedIndex_;
  int64_t count_ = 1;
};

/// Checks that the op's axis indexes the input.
size_t axisOf(const Builder& b, int64_t axis) {
  if (axis < 0 || axis >= static_cast<int64_t>(b.shape("in0").size()))
    b.fail("axis " + std::to_string(axis) + " is out of range");
  return static_cast<size_t>(axis);
}

}  // namespace

void expandSoftmax(Builder& b) {
  size_t axis = axisOf(b, b.attrs<AxisAttrs>().axis);
  DType dtype = b.dtype("in0");
  if (!isFloat(dtype)) b.fail("expects a float input");
  Reducer r(b, axis, axis + 1);
  Expr x = ref("x", dtype), max = ref("max", dtype), sum = ref("sum", dtype);
  NodeId maxes = r.reduce("max", Wcr::Max, {r.input()}, x);
  Expr shifted = sub(x, max);
  NodeId sums = r.reduce("sum", Wcr::Sum, {r.input(), r.statistic(maxes, "max")},
                         unary(UnaryOp::Exp, shifted));
  Expr y = b.op().op == OpKind::LogSoftmax ? sub(shifted, unary(UnaryOp::Log, sum))
                                           : div(unary(UnaryOp::Exp, shifted), sum);
  b.addMap({"",
            r.params(),
            Subset::full(r.shape()),
            {r.input(), r.statistic(maxes, "max"), r.statistic(sums, "sum")},
            {r.output("out0")},
            {y},
            {}});
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
  Reducer r(b, from, b.shape("in0").size());
  Expr x = ref("x", dtype), count = constant(static_cast<double>(r.count()), dtype);

  // mean = sum(x) / n, written to Mean (out1) when requested.
  NodeId sums = r.reduce("sum", Wcr::Sum, {r.input()}, x);
  NodeId mean = b.has("out1") ? b.access("out1")
                              : b.addAccess(b.addTransient("mean", dtype, r.reducedShape()));
  r.perRow("mean", {r.row(sums, "sum")}, mean, div(ref("sum", dtype), count));
  // invStdDev = 1 / sqrt(sum((x - mean)^2) / n + epsilon), written to out2 when requested.
  Expr centered = sub(x, ref("mean", dtype));
  NodeId squares =
      r.reduce("var", Wcr::Sum, {r.input(), r.statistic(mean, "mean")}, mul(centered, centered));
  NodeId invStd = b.has("out2")
                      ? b.access("out2")
                      : b.addAccess(b.addTransient("inv_std_dev", dtype, r.reducedShape()));
  Expr variance = div(ref("var", dtype), count);
  r.perRow("inv_std_dev", {r.row(squares, "var")}, invStd,
           unary(UnaryOp::Reciprocal,
                 unary(UnaryOp::Sqrt, binary(BinaryOp::Add, variance, constant(epsilon, dtype)))));

  // y = (x - mean) * invStdDev * scale (+ bias).
  std::vector<AffineExpr> index = symbols(r.params());
  std::vector<Port> reads = {r.input(),
                             r.statistic(mean, "mean"),
                             r.statistic(invStd, "inv"),
                             {b.access("in1"), "scale", point(scaleAt(index))}};
  Expr y = mul(mul(centered, ref("inv", dtype)), ref("scale", dtype));
  if (b.has("in2")) {
    reads.push_back({b.access("in2"), "bias", point(biasAt(index))});
    y = binary(BinaryOp::Add, y, ref("bias", dtype));
  }
  b.addMap({"", r.params(), Subset::full(r.shape()), reads, {r.output("out0")}, {y}, {}});
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

}  // namespace conflux::passes::expansions
