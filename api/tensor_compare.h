#pragma once
// Numerical comparison of a target's outputs with the reference target's.
#include <string>

#include "ir/tensor.h"

namespace conflux::api {

/// Tolerances per dtype: an element passes when |actual - expected| <= atol + rtol * |expected|.
/// f32: atol 1e-4, rtol 1e-3; bf16: atol 1e-2, rtol 1e-2; f16: atol 1e-3, rtol 1e-2;
/// integers and bool: exact. NaN matches NaN; infinities must match exactly.
struct Tolerance {
  double atol = 0;
  double rtol = 0;
};
Tolerance toleranceFor(ir::DType dtype);

/// How far `actual` is from `expected`.
struct Difference {
  double maxAbs = 0;
  double maxRel = 0;  // |a - e| / |e| over elements with e != 0
  bool withinTolerance = true;
  /// Elements NaN in both, or the same infinity in both: they match, but say nothing of the
  /// numerics (inputs drawn in [-1, 1) overflow a deep model whose weights they are).
  int64_t nonFinite = 0;
  /// Empty, or why the tensors are not comparable (dtype or shape differ).
  std::string mismatch;
};

/// Compares element-wise with toleranceFor(expected.dtype()).
Difference compareTensors(const ir::Tensor& actual, const ir::Tensor& expected);

}  // namespace conflux::api
