#include "targets/cpu/halide_expr.h"

#include <cmath>
#include <limits>

#include "ir/error.h"

namespace conflux::targets::cpu {
namespace {

using Halide::Expr;

Expr constantOf(double value, ir::DType dtype) {
  Halide::Type type = halideType(dtype);
  if (type.is_bool()) return Halide::cast(type, value != 0);
  if (type.is_float()) return Halide::cast(type, Halide::Expr(static_cast<float>(value)));
  return Halide::cast(type, Halide::Expr(static_cast<int64_t>(value)));
}

/// True where `a` is NaN, tested on its bits (exponent all ones, mantissa non-zero: the
/// magnitude's bits above infinity's): Halide compiles float code with no-NaN flags, under
/// which LLVM may fold a float comparison (`is_nan`) to false — it did in a guarded last vector.
Expr isNan(const Expr& a) {
  if (!a.type().is_float()) return Halide::cast<bool>(false);
  Halide::Type bits = Halide::UInt(a.type().bits(), a.type().lanes());
  Expr signless = Halide::Internal::make_const(bits, ~(uint64_t{1} << (a.type().bits() - 1)));
  Expr magnitude = Halide::reinterpret(bits, a) & signless;
  Expr infinity =
      Halide::reinterpret(bits, Halide::cast(a.type(), std::numeric_limits<float>::infinity()));
  return magnitude > infinity;
}

/// erf as x P(x^2) / Q(x^2) over x clamped to [-4, 4] (erf is 1 to within 2e-8 beyond), the
/// rational approximation Eigen and XLA use for float32: one division and 13 multiply-adds,
/// no exp; absolute error below 4.3e-7 against std::erf over [-10, 10], relative error small
/// near 0 where erf(x) ~ 1.128 x; NaN stays NaN (the clamp alone would make it +-4).
Expr erfApprox(const Expr& x) {
  Expr c = Halide::clamp(x, -4.0f, 4.0f);
  Expr c2 = c * c;
  Expr p = -2.72614225801306e-10f;
  for (float alpha : {2.77068142495902e-08f, -2.10102402082508e-06f, -5.69250639462346e-05f,
                      -7.34990630326855e-04f, -2.95459980854025e-03f, -1.60960333262415e-02f})
    p = p * c2 + alpha;
  Expr q = -1.45660718464996e-05f;
  for (float beta : {-2.13374055278905e-04f, -1.68282697438203e-03f, -7.37332916720468e-03f,
                     -1.42647390514189e-02f})
    q = q * c2 + beta;
  return Halide::select(isNan(x), x, c * p / q);
}

Expr unaryOp(ir::UnaryOp op, const Expr& a) {
  Halide::Type type = a.type();
  switch (op) {
    case ir::UnaryOp::Neg: return -a;
    case ir::UnaryOp::Abs: return Halide::cast(type, Halide::abs(a));
    case ir::UnaryOp::Sqrt: return Halide::sqrt(a);
    case ir::UnaryOp::Exp: return Halide::exp(a);
    case ir::UnaryOp::Log: return Halide::log(a);
    case ir::UnaryOp::Erf: return erfApprox(a);
    case ir::UnaryOp::Tanh: return Halide::tanh(a);
    case ir::UnaryOp::Sigmoid: return 1.0f / (1.0f + Halide::exp(-a));
    case ir::UnaryOp::Relu: {  // NaN stays NaN, as in ONNX (no-NaN flags may make the select a max)
      Expr zero = Halide::cast(type, 0);
      return Halide::select(isNan(a), a, Halide::max(a, zero));
    }
    case ir::UnaryOp::Not: return !a;
    case ir::UnaryOp::Floor: return Halide::floor(Halide::strict_float(a));
    case ir::UnaryOp::Ceil: return Halide::ceil(Halide::strict_float(a));
    case ir::UnaryOp::Reciprocal: return Halide::cast(type, 1) / a;
    case ir::UnaryOp::Sin: return Halide::sin(a);
    case ir::UnaryOp::Cos: return Halide::cos(a);
    case ir::UnaryOp::Asin: return Halide::asin(a);
    case ir::UnaryOp::Acos: return Halide::acos(a);
    case ir::UnaryOp::Atan: return Halide::atan(a);
    case ir::UnaryOp::Round: return Halide::round(Halide::strict_float(a));  // half to even, as the reference
    case ir::UnaryOp::Sign:
      return Halide::select(a > Halide::cast(type, 0), Halide::cast(type, 1),
                            Halide::select(a < Halide::cast(type, 0), Halide::cast(type, -1), a));
    case ir::UnaryOp::IsNaN: return isNan(a);
  }
  throw Error("cpu target: unknown unary operator");
}

/// a / b rounded toward zero, as the reference divides integers; x86's division traps on a
/// zero divisor and on the lowest value over -1, so neither reaches it: lanes past an
/// array's end in a guarded last vector hold zeros (the reference rejects a real zero
/// divisor; here its quotient is a), and a / -1 is -a.
Expr integerDiv(const Expr& a, const Expr& b) {
  Expr one = Halide::cast(b.type(), 1);
  Expr minusOne = Halide::cast(b.type(), -1);
  Expr safe = Halide::select(b == Halide::cast(b.type(), 0) || b == minusOne, one, b);
  return Halide::select(b == minusOne, -a, Halide::div_round_to_zero(a, safe));
}

/// Integer remainder with the divisor's sign (Python's %), 0 for a divisor of -1.
Expr integerMod(const Expr& a, const Expr& b) {
  Expr r = a - b * integerDiv(a, b);
  Expr zero = Halide::cast(a.type(), 0);
  return Halide::select(r != zero && ((r < zero) != (b < zero)), r + b, r);
}

Expr binaryOp(ir::BinaryOp op, const Expr& a, const Expr& b) {
  bool isFloat = a.type().is_float();
  switch (op) {
    case ir::BinaryOp::Add: return a.type().is_bool() ? (a || b) : a + b;
    case ir::BinaryOp::Sub: return a - b;
    case ir::BinaryOp::Mul: return a.type().is_bool() ? (a && b) : a * b;
    case ir::BinaryOp::Div:
      return isFloat ? a / b : integerDiv(a, b);
    case ir::BinaryOp::Pow:
      return isFloat ? Halide::pow(a, b)
                     : Halide::cast(a.type(), Halide::pow(Halide::cast<double>(a), Halide::cast<double>(b)));
    case ir::BinaryOp::Max:
    case ir::BinaryOp::Min: {
      Expr m = op == ir::BinaryOp::Max ? Halide::max(a, b) : Halide::min(a, b);
      if (!isFloat) return m;
      return Halide::select(isNan(a) || isNan(b), Halide::cast(a.type(), std::numeric_limits<float>::quiet_NaN()), m);
    }
    case ir::BinaryOp::Mod: return isFloat ? a - b * Halide::trunc(a / b) : integerMod(a, b);
    case ir::BinaryOp::Eq: return a == b;
    case ir::BinaryOp::Ne: return a != b;
    case ir::BinaryOp::Lt: return a < b;
    case ir::BinaryOp::Le: return a <= b;
    case ir::BinaryOp::Gt: return a > b;
    case ir::BinaryOp::Ge: return a >= b;
    case ir::BinaryOp::And: return a && b;
    case ir::BinaryOp::Or: return a || b;
  }
  throw Error("cpu target: unknown binary operator");
}

/// Conversion with the reference's rules: float -> integer saturates and maps NaN to 0;
/// anything -> bool is "!= 0".
Expr castTo(const Expr& a, ir::DType dtype) {
  Halide::Type to = halideType(dtype);
  if (a.type() == to) return a;
  if (to.is_bool()) return a != Halide::cast(a.type(), 0);
  if (a.type().is_float() && !to.is_float()) {
    // Strict: an index computed as 3.5 / 3.5 - 0.5 must stay 0.5, not become 0.50000006.
    Expr strict = Halide::strict_float(a);
    return Halide::select(Halide::is_nan(a), Halide::cast(to, 0), Halide::saturating_cast(to, strict));
  }
  return Halide::cast(to, a);
}

}  // namespace

Halide::Type halideType(ir::DType dtype) {
  switch (dtype) {
    case ir::DType::F32: return Halide::Float(32);
    case ir::DType::I64: return Halide::Int(64);
    case ir::DType::I32: return Halide::Int(32);
    case ir::DType::Bool: return Halide::Bool();
    default: break;
  }
  throw Error("the cpu target does not support dtype " + std::string(ir::dtypeName(dtype)) +
              " yet (it computes f32, i64, i32 and bool)");
}

Halide::Type storageType(ir::DType dtype) {
  return dtype == ir::DType::Bool ? Halide::UInt(8) : halideType(dtype);
}

Expr toHalide(const ir::Expr& e, const ExprScope& scope) {
  switch (e->kind) {
    case ir::ExprKind::Constant: return constantOf(e->value, e->dtype);
    case ir::ExprKind::Ref: {
      auto it = scope.values.find(e->name);
      if (it == scope.values.end()) throw Error("cpu target: tasklet names unknown value '" + e->name + "'");
      return castTo(it->second, e->dtype);
    }
    case ir::ExprKind::Unary: return unaryOp(e->unaryOp, toHalide(e->args[0], scope));
    case ir::ExprKind::Binary:
      return binaryOp(e->binaryOp, toHalide(e->args[0], scope), toHalide(e->args[1], scope));
    case ir::ExprKind::Select:
      return Halide::select(toHalide(e->args[0], scope), toHalide(e->args[1], scope), toHalide(e->args[2], scope));
    case ir::ExprKind::Cast: return castTo(toHalide(e->args[0], scope), e->dtype);
    case ir::ExprKind::Load: {
      std::vector<Expr> indices;
      for (const ir::Expr& index : e->args) indices.push_back(toHalide(index, scope));
      return castTo(scope.load(e->name, indices), e->dtype);
    }
  }
  throw Error("cpu target: unknown expression kind");
}

Expr toHalide(const ir::AffineExpr& e, const std::map<std::string, Expr>& params) {
  Expr result = static_cast<int32_t>(e.constant());
  for (const auto& [name, coefficient] : e.terms()) {
    auto it = params.find(name);
    if (it == params.end()) throw Error("cpu target: index names unknown symbol '" + name + "'");
    result = result + static_cast<int32_t>(coefficient) * it->second;
  }
  return Halide::Internal::simplify(result);
}

}  // namespace conflux::targets::cpu
