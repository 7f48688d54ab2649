#pragma once
// Translation of tasklet expressions (ir::Expr) and affine indices into Halide expressions, with
// the reference target's semantics: truncating integer division, Python-style integer modulo,
// NaN-propagating max/min, saturating float-to-integer casts (NaN -> 0).
#include <Halide.h>

#include <functional>
#include <map>
#include <string>

#include "ir/affine_expr.h"
#include "ir/expr.h"

namespace conflux::targets::cpu {

/// The Halide type that computes values of `dtype` (Bool is Halide's bool).
Halide::Type halideType(ir::DType dtype);
/// The Halide type that stores elements of `dtype` in memory (Bool is a byte, as in ir::Tensor).
Halide::Type storageType(ir::DType dtype);

/// What a tasklet expression can name.
struct ExprScope {
  /// Map parameters (Int(32) Halide expressions) and connector values, by name.
  std::map<std::string, Halide::Expr> values;
  /// Indirect reads: connector name and row-major element indices (i64, relative to the
  /// connector's region) to the value read.
  std::function<Halide::Expr(const std::string&, const std::vector<Halide::Expr>&)> load;
};

/// `e` as a Halide expression of its computing type; throws conflux::Error for names that
/// `scope` does not hold.
Halide::Expr toHalide(const ir::Expr& e, const ExprScope& scope);

/// An affine index as an Int(32) Halide expression over the Int(32) parameters in `params`.
Halide::Expr toHalide(const ir::AffineExpr& e, const std::map<std::string, Halide::Expr>& params);

}  // namespace conflux::targets::cpu
