// `conflux run --check`'s comparison: elements within the dtype's tolerance pass, NaN matches NaN
// and an infinity the same infinity — counted, as they say nothing of the numerics.
#include <gtest/gtest.h>

#include <cmath>

#include "api/tensor_compare.h"

namespace conflux::api {
namespace {

ir::Tensor floats(const std::vector<double>& values) {
  return ir::Tensor::fromDoubles(ir::DType::F32, {static_cast<int64_t>(values.size())}, values);
}

TEST(TensorCompare, Float32WithinTheToleranceMatches) {
  Difference d = compareTensors(floats({1.0005, -2.0, 0.0}), floats({1.0, -2.0, 0.0}));
  EXPECT_TRUE(d.withinTolerance);
  EXPECT_NEAR(d.maxAbs, 5e-4, 1e-7);
  EXPECT_EQ(d.nonFinite, 0);
  EXPECT_FALSE(compareTensors(floats({1.01}), floats({1.0})).withinTolerance);
}

TEST(TensorCompare, ValuesNotFiniteOnBothSidesMatchAndAreCounted) {
  Difference d = compareTensors(floats({NAN, INFINITY, 1.0}), floats({NAN, INFINITY, 1.0}));
  EXPECT_TRUE(d.withinTolerance);
  EXPECT_EQ(d.maxAbs, 0);
  EXPECT_EQ(d.nonFinite, 2);
}

TEST(TensorCompare, ANaNOrInfinityOnOneSideOnlyFails) {
  EXPECT_FALSE(compareTensors(floats({NAN}), floats({1.0})).withinTolerance);
  EXPECT_FALSE(compareTensors(floats({1.0}), floats({-INFINITY})).withinTolerance);
  EXPECT_FALSE(compareTensors(floats({INFINITY}), floats({-INFINITY})).withinTolerance);
}

}  // namespace
}  // namespace conflux::api
