// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss. The scores x are (N, C, d1, ...), the
// target t is (N, d1, ...) and the weights w (C) are 1 when absent. A map over the target's
// elements reads each element's row of scores along the classes and loads the class it names:
// its loss is -x[n, t, d...] * w[t], and 0 where t is the ignored index (whose weight counts 0
// too). "none" writes the losses, "sum" accumulates them into the scalar output, "mean"
// accumulates them and the picked weights (without weights or an ignored index: their count)
// into two scalars whose quotient a last tasklet writes. SoftmaxCrossEntropyLoss first writes the
// log-softmax of its scores over the classes (into its second output when requested) and takes that
// as x.
#include "passes/expansions/expansions.h"

namespace conflux::passes::expansions {

using namespace ir;

namespace {

/// One target element's class and what it contributes.
struct PickedClass {
  std::vector<std::string> params;  // over the target's shape
  std::vector<Port> reads;          // the scores' row ("x"), the class ("t"), the weights ("w")
  Expr loss, weight;
};

/// The class the target element at `params` names, its loss and its weight, read from the
/// scores behind `scores`.
PickedClass pickClass(Builder& b, NodeId scores) {
  const auto& attrs = b.attrs<LossAttrs>();
  const std::vector<int64_t>& shape = b.descOf(scores).shape;
  DType dtype = b.descOf(scores).dtype, targetType = b.dtype("in1");
  PickedClass picked;
  picked.params = paramNames("i", b.shape("in1").size());
  std::vector<AffineExpr> at = symbols(picked.params);
  Subset row;  // the scores of every class at this element
  for (size_t d = 0; d < shape.size(); ++d)
    row.ranges.push_back(d == 1 ? Range{0, shape[1] - 1, 1} : Range::point(at[d == 0 ? 0 : d - 1]));
  picked.reads = {{scores, "x", row}, {b.access("in1"), "t", point(at)}};

  Expr t = ref("t", targetType);
  if (targetType != DType::I64) t = cast(t, DType::I64);
  Expr ignored = attrs.ignores ? binary(BinaryOp::Eq, t, i64(attrs.ignoreIndex)) : nullptr;
  Expr cls = ignored ? select(ignored, i64(0), t) : t;  // an ignored index may name no class
  std::vector<Expr> inRow(shape.size(), i64(0));
  inRow[1] = cls;
  Expr weight = constant(1, dtype);
  if (b.has("in2")) {
    picked.reads.push_back({b.access("in2"), "w", Subset::full(b.shape("in2"))});
    weight = load("w", {cls}, dtype);
  }
  Expr loss = unary(UnaryOp::Neg, mul(load("x", inRow, dtype), weight));
  picked.loss = ignored ? select(ignored, constant(0, dtype), loss) : loss;
  picked.weight = ignored ? select(ignored, constant(0, dtype), weight) : weight;
  return picked;
}

/// Accumulates `value` of every target element into the scalar array `array`, after filling
/// it with 0; returns the access node written.
NodeId sumInto(Builder& b, const PickedClass& picked, const std::string& array, const Expr& value,
               const std::string& role) {
  NodeId init = b.fill(b.addAccess(array), constant(0, value->dtype), role + "_init");
  NodeId target = array == b.array("out0") ? b.access("out0") : b.addAccess(array);
  b.addMap({role,
            picked.params,
            Subset::full(b.shape("in1")),
            picked.reads,
            {{target, "acc", point({}), Wcr::Sum}},
            {value},
            {init}});
  return target;
}

}  // namespace

void expandLoss(Builder& b) {
  NodeId scores = b.access("in0");
  DType dtype = b.dtype("in0");
  if (b.op().op == OpKind::SoftmaxCrossEntropyLoss) {
    scores = b.has("out1") ? b.access("out1")
                           : b.addAccess(b.addTransient("log_prob", dtype, b.shape("in0")));
    softmaxInto(b, 1, true, scores);
  }
  PickedClass picked = pickClass(b, scores);
  const std::string& reduction = b.attrs<LossAttrs>().reduction;
  if (reduction == "none") {
    b.addMap({"",
              picked.params,
              Subset::full(b.shape("in1")),
              picked.reads,
              {{b.access("out0"), "loss", point(symbols(picked.params))}},
              {picked.loss},
              {}});
    return;
  }
  if (reduction == "sum") {
    sumInto(b, picked, b.array("out0"), picked.loss, "sum");
    return;
  }
  NodeId loss = sumInto(b, picked, b.addTransient("loss", dtype, {}), picked.loss, "loss");
  std::vector<Port> reads{{loss, "loss", point({})}};
  Expr weight = constant(static_cast<double>(b.descOf(b.access("in1")).numElements()), dtype);
  if (b.has("in2") || b.attrs<LossAttrs>().ignores) {  // else every element weighs 1
    reads.push_back(
        {sumInto(b, picked, b.addTransient("weight", dtype, {}), picked.weight, "weight"), "weight",
         point({})});
    weight = ref("weight", dtype);
  }
  b.addMap({"mean",
            {},
            Subset{},
            reads,
            {{b.access("out0"), "y", point({})}},
            {div(ref("loss", dtype), weight)},
            {}});
}

}  // namespace conflux::passes::expansions
