#include "api/tensor_compare.h"

#include <cmath>

namespace conflux::api {

Tolerance toleranceFor(ir::DType dtype) {
  switch (dtype) {
    case ir::DType::F32: return {1e-4, 1e-3};
    case ir::DType::BF16: return {1e-2, 1e-2};
    case ir::DType::F16: return {1e-3, 1e-2};
    default: return {0, 0};
  }
}

Difference compareTensors(const ir::Tensor& actual, const ir::Tensor& expected) {
  Difference d;
  if (actual.dtype() != expected.dtype() || actual.shape() != expected.shape()) {
    d.withinTolerance = false;
    d.mismatch = "dtype or shape differ";
    return d;
  }
  Tolerance tol = toleranceFor(expected.dtype());
  for (int64_t i = 0; i < expected.numElements(); ++i) {
    double a = actual.at(i), e = expected.at(i);
    if (std::isnan(a) && std::isnan(e)) {
      ++d.nonFinite;
      continue;
    }
    if (std::isinf(a) || std::isinf(e) || std::isnan(a) || std::isnan(e)) {
      if (a != e) {
        d.withinTolerance = false;
        d.maxAbs = INFINITY;
      } else {
        ++d.nonFinite;
      }
      continue;
    }
    double diff = std::fabs(a - e);
    d.maxAbs = std::max(d.maxAbs, diff);
    if (e != 0) d.maxRel = std::max(d.maxRel, diff / std::fabs(e));
    if (diff > tol.atol + tol.rtol * std::fabs(e)) d.withinTolerance = false;
  }
  return d;
}

}  // namespace conflux::api
