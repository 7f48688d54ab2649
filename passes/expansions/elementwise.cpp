// Element-wise ops: one table from op to the scalar expression of one output element, and one
// map over the output whose inputs are read with NumPy broadcasting (a broadcast dimension of
// size 1 is indexed at 0), so every memlet stays affine.
#include <array>
#include <cmath>
#include <limits>
#include <numbers>

#include "passes/expansions/expansions.h"

namespace conflux::passes::expansions {

using namespace ir;

namespace {

/// Builds one output element from the input elements (in connector order).
using ScalarBuilder = Expr (*)(const std::vector<Expr>& in, const Builder& b);

template <BinaryOp op>
Expr binaryRule(const std::vector<Expr>& in, const Builder&) {
  return binary(op, in[0], in[1]);
}

template <UnaryOp op>
Expr unaryRule(const std::vector<Expr>& in, const Builder&) {
  return unary(op, in[0]);
}

/// Folds a variadic op left to right.
template <BinaryOp op>
Expr foldRule(const std::vector<Expr>& in, const Builder&) {
  Expr e = in[0];
  for (size_t i = 1; i < in.size(); ++i) e = binary(op, e, in[i]);
  return e;
}

Expr meanRule(const std::vector<Expr>& in, const Builder& b) {
  return binary(BinaryOp::Div, foldRule<BinaryOp::Add>(in, b),
                constantLike(static_cast<double>(in.size()), in[0]));
}

Expr powRule(const std::vector<Expr>& in, const Builder&) {
  Expr exponent = in[1]->dtype == in[0]->dtype ? in[1] : cast(in[1], in[0]->dtype);
  return binary(BinaryOp::Pow, in[0], exponent);
}

Expr identityRule(const std::vector<Expr>& in, const Builder&) {
  return in[0];
}

Expr whereRule(const std::vector<Expr>& in, const Builder&) {
  return select(in[0], in[1], in[2]);
}

Expr castRule(const std::vector<Expr>& in, const Builder& b) {
  return cast(in[0], b.attrs<CastAttrs>().to);
}

Expr leakyReluRule(const std::vector<Expr>& in, const Builder& b) {
  const Expr& x = in[0];
  double alpha = b.attrs<ActivationAttrs>().alpha;
  return select(binary(BinaryOp::Lt, x, constantLike(0, x)), mul(constantLike(alpha, x), x), x);
}

/// max(0, min(1, alpha * x + beta)).
Expr hardSigmoid(const Expr& x, double alpha, double beta) {
  return maxOf(constantLike(0, x), minOf(constantLike(1, x), add(mul(constantLike(alpha, x), x),
                                                                 constantLike(beta, x))));
}

Expr hardSigmoidRule(const std::vector<Expr>& in, const Builder& b) {
  const auto& a = b.attrs<ActivationAttrs>();
  return hardSigmoid(in[0], a.alpha, a.beta);
}

Expr hardSwishRule(const std::vector<Expr>& in, const Builder&) {
  return mul(in[0], hardSigmoid(in[0], 1.0 / 6.0, 0.5));
}

/// Clip between alpha (min) and beta (max); infinite bounds are left out.
Expr clipRule(const std::vector<Expr>& in, const Builder& b) {
  const auto& a = b.attrs<ActivationAttrs>();
  Expr e = in[0];
  if (!std::isinf(a.alpha)) e = maxOf(e, constantLike(a.alpha, e));
  if (!std::isinf(a.beta)) e = minOf(e, constantLike(a.beta, e));
  return e;
}

/// 0.5 x (1 + erf(x / sqrt 2)), or with tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
Expr geluRule(const std::vector<Expr>& in, const Builder& b) {
  const Expr& x = in[0];
  Expr inner;
  if (b.attrs<ActivationAttrs>().tanhApproximation) {
    Expr cube = mul(mul(x, x), x);
    Expr arg = mul(constantLike(std::sqrt(2.0 / std::numbers::pi), x),
                   add(x, mul(constantLike(0.044715, x), cube)));
    inner = unary(UnaryOp::Tanh, arg);
  } else {
    inner = unary(UnaryOp::Erf, mul(x, constantLike(1.0 / std::numbers::sqrt2, x)));
  }
  return mul(mul(constantLike(0.5, x), x), add(constantLike(1, x), inner));
}

Expr exp(const Expr& x) {
  return unary(UnaryOp::Exp, x);
}
Expr log(const Expr& x) {
  return unary(UnaryOp::Log, x);
}
Expr sqrt(const Expr& x) {
  return unary(UnaryOp::Sqrt, x);
}
Expr absOf(const Expr& x) {
  return unary(UnaryOp::Abs, x);
}
Expr less(const Expr& a, const Expr& b) {
  return binary(BinaryOp::Lt, a, b);
}

Expr tanRule(const std::vector<Expr>& in, const Builder&) {
  return div(unary(UnaryOp::Sin, in[0]), unary(UnaryOp::Cos, in[0]));
}

/// An odd function near 0: its Taylor series x (c1 + x^2 (c3 + x^2 (c5 + x^2 c7))) where |x| <
/// 0.1 (truncated after x^7: relative error below 1e-9 there), `formula` elsewhere. The formulas
/// of sinh, asinh and atanh cancel or round 1 + x there and lose the low bits of x.
Expr oddNearZero(const Expr& x, const std::array<double, 4>& coefficients, const Expr& formula) {
  Expr square = mul(x, x), series = constantLike(coefficients[3], x);
  for (int k = 2; k >= 0; --k)
    series = add(constantLike(coefficients[static_cast<size_t>(k)], x), mul(square, series));
  return select(less(absOf(x), constantLike(0.1, x)), mul(x, series), formula);
}

/// (e^x - e^-x) / 2, or with `sign` +1 (e^x + e^-x) / 2.
template <int sign>
Expr hyperbolicRule(const std::vector<Expr>& in, const Builder&) {
  const Expr& x = in[0];
  Expr e = exp(x), inverse = exp(unary(UnaryOp::Neg, x));
  if (sign > 0) return mul(constantLike(0.5, x), add(e, inverse));
  return oddNearZero(x, {1, 1.0 / 6, 1.0 / 120, 1.0 / 5040},
                     mul(constantLike(0.5, x), sub(e, inverse)));
}

/// sign(x) log(|x| + sqrt(x^2 + 1)): odd, so negative x does not cancel.
Expr asinhRule(const std::vector<Expr>& in, const Builder&) {
  const Expr& x = in[0];
  Expr magnitude = absOf(x);
  return oddNearZero(
      x, {1, -1.0 / 6, 3.0 / 40, -5.0 / 112},
      mul(unary(UnaryOp::Sign, x), log(add(magnitude, sqrt(add(mul(x, x), constantLike(1, x)))))));
}

Expr acoshRule(const std::vector<Expr>& in, const Builder&) {
  const Expr& x = in[0];
  return log(add(x, sqrt(sub(mul(x, x), constantLike(1, x)))));
}

Expr atanhRule(const std::vector<Expr>& in, const Builder&) {
  const Expr& x = in[0];
  Expr one = constantLike(1, x);
  return oddNearZero(x, {1, 1.0 / 3, 1.0 / 5, 1.0 / 7},
                     mul(constantLike(0.5, x), log(div(add(one, x), sub(one, x)))));
}

/// log(1 + e^x) as max(x, 0) + log(1 + e^-|x|): no overflow for large x.
Expr softplusRule(const std::vector<Expr>& in, const Builder&) {
  const Expr& x = in[0];
  return add(maxOf(x, constantLike(0, x)),
             log(add(constantLike(1, x), exp(unary(UnaryOp::Neg, absOf(x))))));
}

Expr softsignRule(const std::vector<Expr>& in, const Builder&) {
  const Expr& x = in[0];
  return div(x, add(constantLike(1, x), absOf(x)));
}

/// alpha (e^x - 1) below 0, x above.
Expr eluRule(const std::vector<Expr>& in, const Builder& b) {
  const Expr& x = in[0];
  double alpha = b.attrs<ActivationAttrs>().alpha;
  return select(less(x, constantLike(0, x)),
                mul(constantLike(alpha, x), sub(exp(x), constantLike(1, x))), x);
}

/// gamma (alpha e^x - alpha) up to 0, gamma x above (alpha, gamma as alpha, beta).
Expr seluRule(const std::vector<Expr>& in, const Builder& b) {
  const Expr& x = in[0];
  const auto& a = b.attrs<ActivationAttrs>();
  Expr alpha = constantLike(a.alpha, x), gamma = constantLike(a.beta, x);
  return mul(gamma, select(binary(BinaryOp::Le, x, constantLike(0, x)),
                           sub(mul(alpha, exp(x)), alpha), x));
}

/// max(0, x) + min(0, alpha (e^(x / alpha) - 1)).
Expr celuRule(const std::vector<Expr>& in, const Builder& b) {
  const Expr& x = in[0];
  Expr alpha = constantLike(b.attrs<ActivationAttrs>().alpha, x), zero = constantLike(0, x);
  return add(maxOf(zero, x), minOf(zero, mul(alpha, sub(exp(div(x, alpha)), constantLike(1, x)))));
}

Expr thresholdedReluRule(const std::vector<Expr>& in, const Builder& b) {
  const Expr& x = in[0];
  return select(binary(BinaryOp::Gt, x, constantLike(b.attrs<ActivationAttrs>().alpha, x)), x,
                constantLike(0, x));
}

/// x + bias below -lambd, x - bias above lambd, 0 between (bias, lambd as alpha, beta).
Expr shrinkRule(const std::vector<Expr>& in, const Builder& b) {
  const Expr& x = in[0];
  const auto& a = b.attrs<ActivationAttrs>();
  Expr bias = constantLike(a.alpha, x), lambd = constantLike(a.beta, x);
  return select(less(x, unary(UnaryOp::Neg, lambd)), add(x, bias),
                select(binary(BinaryOp::Gt, x, lambd), sub(x, bias), constantLike(0, x)));
}

/// slope x below 0, x above; the slope broadcast to x.
Expr preluRule(const std::vector<Expr>& in, const Builder&) {
  const Expr& x = in[0];
  return select(less(x, constantLike(0, x)), mul(in[1], x), x);
}

/// The IR's Mod: C's fmod for floats, the divisor's sign for integers; an integer fmod is
/// a - trunc(a / b) b (the IR's integer division truncates).
Expr modRule(const std::vector<Expr>& in, const Builder& b) {
  if (!b.attrs<ModAttrs>().fmod || isFloat(in[0]->dtype))
    return binary(BinaryOp::Mod, in[0], in[1]);
  return sub(in[0], mul(div(in[0], in[1]), in[1]));
}

/// Beyond the largest finite float on the counted side(s). NaN is tested first, not left to
/// the comparison: the cpu target compiles float comparisons with no-NaN flags.
Expr isInfRule(const std::vector<Expr>& in, const Builder& b) {
  const Expr& x = in[0];
  const auto& a = b.attrs<IsInfAttrs>();
  Expr largest = constantLike(std::numeric_limits<float>::max(), x);
  Expr beyond = a.negative && a.positive ? binary(BinaryOp::Gt, absOf(x), largest)
                : a.positive             ? binary(BinaryOp::Gt, x, largest)
                : a.negative             ? less(x, unary(UnaryOp::Neg, largest))
                                         : constant(0, DType::Bool);
  return select(unary(UnaryOp::IsNaN, x), constant(0, DType::Bool), beyond);
}

struct Rule {
  OpKind op;
  /// Number of inputs; 0 for variadic ops.
  size_t arity;
  ScalarBuilder build;
};

const Rule kRules[] = {
    {OpKind::Add, 2, binaryRule<BinaryOp::Add>},
    {OpKind::Sub, 2, binaryRule<BinaryOp::Sub>},
    {OpKind::Mul, 2, binaryRule<BinaryOp::Mul>},
    {OpKind::Div, 2, binaryRule<BinaryOp::Div>},
    {OpKind::Pow, 2, powRule},
    {OpKind::Equal, 2, binaryRule<BinaryOp::Eq>},
    {OpKind::Less, 2, binaryRule<BinaryOp::Lt>},
    {OpKind::Greater, 2, binaryRule<BinaryOp::Gt>},
    {OpKind::Sqrt, 1, unaryRule<UnaryOp::Sqrt>},
    {OpKind::Exp, 1, unaryRule<UnaryOp::Exp>},
    {OpKind::Log, 1, unaryRule<UnaryOp::Log>},
    {OpKind::Erf, 1, unaryRule<UnaryOp::Erf>},
    {OpKind::Tanh, 1, unaryRule<UnaryOp::Tanh>},
    {OpKind::Sigmoid, 1, unaryRule<UnaryOp::Sigmoid>},
    {OpKind::Relu, 1, unaryRule<UnaryOp::Relu>},
    {OpKind::Neg, 1, unaryRule<UnaryOp::Neg>},
    {OpKind::Abs, 1, unaryRule<UnaryOp::Abs>},
    {OpKind::Reciprocal, 1, unaryRule<UnaryOp::Reciprocal>},
    {OpKind::LeakyRelu, 1, leakyReluRule},
    {OpKind::HardSigmoid, 1, hardSigmoidRule},
    {OpKind::HardSwish, 1, hardSwishRule},
    {OpKind::Clip, 1, clipRule},
    {OpKind::Gelu, 1, geluRule},
    {OpKind::Cast, 1, castRule},
    {OpKind::Identity, 1, identityRule},
    {OpKind::Dropout, 1, identityRule},
    {OpKind::Where, 3, whereRule},
    {OpKind::Max, 0, foldRule<BinaryOp::Max>},
    {OpKind::Min, 0, foldRule<BinaryOp::Min>},
    {OpKind::Sum, 0, foldRule<BinaryOp::Add>},
    {OpKind::Mean, 0, meanRule},
    {OpKind::Floor, 1, unaryRule<UnaryOp::Floor>},
    {OpKind::Ceil, 1, unaryRule<UnaryOp::Ceil>},
    {OpKind::Round, 1, unaryRule<UnaryOp::Round>},
    {OpKind::Sign, 1, unaryRule<UnaryOp::Sign>},
    {OpKind::Sin, 1, unaryRule<UnaryOp::Sin>},
    {OpKind::Cos, 1, unaryRule<UnaryOp::Cos>},
    {OpKind::Tan, 1, tanRule},
    {OpKind::Asin, 1, unaryRule<UnaryOp::Asin>},
    {OpKind::Acos, 1, unaryRule<UnaryOp::Acos>},
    {OpKind::Atan, 1, unaryRule<UnaryOp::Atan>},
    {OpKind::Sinh, 1, hyperbolicRule<-1>},
    {OpKind::Cosh, 1, hyperbolicRule<1>},
    {OpKind::Asinh, 1, asinhRule},
    {OpKind::Acosh, 1, acoshRule},
    {OpKind::Atanh, 1, atanhRule},
    {OpKind::Softplus, 1, softplusRule},
    {OpKind::Softsign, 1, softsignRule},
    {OpKind::Elu, 1, eluRule},
    {OpKind::Selu, 1, seluRule},
    {OpKind::Celu, 1, celuRule},
    {OpKind::ThresholdedRelu, 1, thresholdedReluRule},
    {OpKind::Shrink, 1, shrinkRule},
    {OpKind::PRelu, 2, preluRule},
    {OpKind::Mod, 2, modRule},
    {OpKind::IsNaN, 1, unaryRule<UnaryOp::IsNaN>},
    {OpKind::IsInf, 1, isInfRule},
    {OpKind::Not, 1, unaryRule<UnaryOp::Not>},
    {OpKind::And, 2, binaryRule<BinaryOp::And>},
    {OpKind::Or, 2, binaryRule<BinaryOp::Or>},
    {OpKind::Xor, 2, binaryRule<BinaryOp::Ne>},
    {OpKind::LessOrEqual, 2, binaryRule<BinaryOp::Le>},
    {OpKind::GreaterOrEqual, 2, binaryRule<BinaryOp::Ge>},
};

const Rule& ruleFor(const Builder& b) {
  for (const Rule& r : kRules)
    if (r.op == b.op().op) return r;
  b.fail("not an element-wise op");
}

}  // namespace

void expandElementwise(Builder& b) {
  const Rule& rule = ruleFor(b);
  size_t arity = rule.arity != 0 ? rule.arity : b.numInputs();
  if (arity == 0) b.fail("expects at least one input");

  const std::vector<int64_t>& outShape = b.shape("out0");
  std::vector<std::string> params = paramNames("i", outShape.size());
  std::vector<AffineExpr> index = symbols(params);
  MapSpec spec{"", params, Subset::full(outShape), {}, {}, {}, {}};
  std::vector<Expr> args;
  for (size_t k = 0; k < arity; ++k) {
    std::string conn = "in" + std::to_string(k);
    const std::vector<int64_t>& shape = b.shape(conn);
    if (shape.size() > outShape.size()) b.fail("input '" + conn + "' has a higher rank than out0");
    spec.inputs.push_back({b.access(conn), conn, point(broadcastIndex(shape, index, outShape))});
    args.push_back(ref(conn, b.dtype(conn)));
  }
  Expr value;
  try {
    value = rule.build(args, b);
  } catch (const Error& e) {  // operand dtypes the op does not accept
    if (std::string_view(e.what()).starts_with("node '")) throw;
    b.fail(e.what());
  }
  if (value->dtype != b.dtype("out0"))
    b.fail("computes " + std::string(dtypeName(value->dtype)) + " but out0 is " +
           std::string(dtypeName(b.dtype("out0"))));
  spec.outputs.push_back({b.access("out0"), "out0", point(index)});
  spec.exprs.push_back(value);
  if (b.op().op == OpKind::Dropout && b.has("out1")) {  // inference: the mask keeps everything
    spec.outputs.push_back({b.access("out1"), "out1", point(index)});
    spec.exprs.push_back(constant(1.0, b.dtype("out1")));
  }
  b.addMap(spec);
}

}  // namespace conflux::passes::expansions
