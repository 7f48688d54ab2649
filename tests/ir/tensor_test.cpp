// Tensor values built from bytes, and constant values a graph shares with their other holders.
#include "ir/tensor.h"

#include <gtest/gtest.h>

#include <memory>

#include "ir/error.h"
#include "ir/graph.h"

namespace conflux::ir {
namespace {

TEST(Tensor, ACopyOfBytesHoldsTheElementsTheyStore) {
  const float values[] = {1.5f, -2.0f, 3.25f, 0.0f, 7.0f, -0.5f};
  Tensor t(DType::F32, {2, 3}, reinterpret_cast<const std::byte*>(values), "w");
  ASSERT_EQ(t.numElements(), 6);
  ASSERT_EQ(t.byteSize(), sizeof(values));
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(t.at(i), values[i]) << i;
  EXPECT_EQ(t, Tensor::fromDoubles(DType::F32, {2, 3}, {1.5, -2, 3.25, 0, 7, -0.5}));
}

TEST(Tensor, ACopyOfBytesChecksItsShapeLikeTheZeroFilledOne) {
  const float value = 1.0f;
  try {
    Tensor(DType::F32, {2, -1}, reinterpret_cast<const std::byte*>(&value), "initializer 'w'");
    FAIL() << "expected conflux::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("initializer 'w': negative dimension -1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Tensor(DType::F32, {1 << 21, 1 << 20}, reinterpret_cast<const std::byte*>(&value)), Error);
  EXPECT_EQ(Tensor(DType::F32, {0, 4}, reinterpret_cast<const std::byte*>(&value)).byteSize(), 0u);
}

/// A non-transient f32 vector of `n` elements.
DataDesc vectorOf(int64_t n) {
  DataDesc desc;
  desc.shape = {n};
  desc.layout = Layout::rowMajor(1);
  return desc;
}

TEST(Graph, AConstantValueGivenSharedIsHeldWithoutACopy) {
  Graph graph;
  graph.addArray("w", vectorOf(3));
  auto value = std::make_shared<const Tensor>(Tensor::fromDoubles(DType::F32, {3}, {1, 2, 3}));
  graph.setConstantValue("w", value);
  EXPECT_EQ(graph.constantValue("w"), value.get());
  EXPECT_EQ(value.use_count(), 2);  // held here and by the graph
}

TEST(Graph, ASharedConstantValueOfAnotherShapeIsAnError) {
  Graph graph("g");
  graph.addArray("w", vectorOf(3));
  auto value = std::make_shared<const Tensor>(Tensor::fromDoubles(DType::F32, {2}, {1, 2}));
  try {
    graph.setConstantValue("w", value);
    FAIL() << "expected conflux::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("the value of 'w' does not match"), std::string::npos) << e.what();
  }
  EXPECT_EQ(graph.constantValue("w"), nullptr);
}

}  // namespace
}  // namespace conflux::ir
