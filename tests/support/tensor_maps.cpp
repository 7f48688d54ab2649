#include "tests/support/tensor_maps.h"

#include <gtest/gtest.h>

namespace conflux::testing {

void expectSameTensors(const api::TensorMap& expected, const api::TensorMap& actual) {
  ASSERT_EQ(expected.size(), actual.size());
  for (const auto& [name, tensor] : expected) {
    auto other = actual.find(name);
    ASSERT_NE(other, actual.end()) << name;
    ASSERT_EQ(tensor.shape(), other->second.shape()) << name;
    for (int64_t i = 0; i < tensor.numElements(); ++i)
      ASSERT_EQ(tensor.at(i), other->second.at(i)) << name << "[" << i << "]";
  }
}

}  // namespace conflux::testing
