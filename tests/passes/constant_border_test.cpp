// Constant borders: the padded input of a convolution holds zeros outside the box its writer
// computes each run, a max pooling's -inf, a Pad node's its constant; arrays computed whole
// have none.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "api/conflux.h"
#include "passes/constant_border.h"
#include "passes/kernels.h"
#include "tests/support/graph_json.h"

namespace conflux::passes {
namespace {

/// The constant borders of `json` optimised at the cpu target's -O3.
std::map<std::string, ConstantBorder> bordersOf(const std::string& json) {
  ir::Graph graph = testing::loadGraphJson(json, "border");
  api::optimize(graph, {});
  std::vector<Kernel> kernels = extractKernels(graph);
  return constantBorders(graph, kernels, runOnceKernels(graph, kernels));
}

/// x [1, 4, 6, 6] through Relu into `node` (`op` with `attrs`) to y of `yShape`.
std::string afterRelu(const std::string& op, const std::string& attrs, const std::string& yShape,
                      const std::string& extraInputs = "", const std::string& extraTensors = "") {
  return R"({"format": "conflux-graph", "version": 1, "name": "border",
    "tensors": {"x": {"shape": [1, 4, 6, 6], "dtype": "float32", "kind": "input"}, )" + extraTensors + R"(
                "y": {"shape": )" + yShape + R"(, "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "act", "op": "Relu", "inputs": ["x"], "outputs": ["h"]},
              {"name": "node", "op": ")" + op + R"(", "inputs": ["h")" + extraInputs + R"(], "outputs": ["y"],
               "attrs": )" + attrs + "}]}";
}

using Box = std::vector<std::pair<int64_t, int64_t>>;

TEST(ConstantBorder, AConvolutionsPaddedInputIsZeroAroundTheImage) {
  auto borders = bordersOf(afterRelu("Conv", R"({"pads": [1, 1, 1, 1]})", "[1, 8, 6, 6]", R"(, "w")",
                                     R"("w": {"shape": [8, 4, 3, 3], "dtype": "float32", "kind": "input"},)"));
  ASSERT_EQ(borders.size(), 1u);
  EXPECT_EQ(borders.begin()->first, "node_padded");
  EXPECT_EQ(borders.begin()->second.box, (Box{{0, 0}, {0, 3}, {1, 6}, {1, 6}}));
  EXPECT_EQ(borders.begin()->second.value, 0.0);
}

TEST(ConstantBorder, AMaxPoolingsPaddedInputIsMinusInfinity) {
  auto borders = bordersOf(afterRelu("MaxPool", R"({"kernel_shape": [3, 3], "pads": [1, 2, 1, 2]})", "[1, 4, 6, 8]"));
  ASSERT_EQ(borders.size(), 1u);
  EXPECT_EQ(borders.begin()->second.box, (Box{{0, 0}, {0, 3}, {1, 6}, {2, 7}}));
  EXPECT_EQ(borders.begin()->second.value, -std::numeric_limits<double>::infinity());
}

TEST(ConstantBorder, APadNodesBorderHoldsItsConstant) {
  auto borders = bordersOf(afterRelu("Pad", R"({"mode": "constant"})", "[1, 4, 8, 6]", R"(, "pads", "value")",
                                     R"("pads": {"shape": [8], "dtype": "int64", "kind": "constant", "data": [0, 0, 1, 0, 0, 0, 1, 0]},
                                        "value": {"shape": [], "dtype": "float32", "kind": "constant", "data": [2.5]},)"));
  // y is a graph output, not a transient: no border a later kernel could rely on.
  EXPECT_TRUE(borders.empty());
  auto padded = bordersOf(R"({"format": "conflux-graph", "version": 1, "name": "border",
    "tensors": {"x": {"shape": [1, 4, 6, 6], "dtype": "float32", "kind": "input"},
                "pads": {"shape": [8], "dtype": "int64", "kind": "constant", "data": [0, 0, 1, 0, 0, 0, 1, 0]},
                "value": {"shape": [], "dtype": "float32", "kind": "constant", "data": [2.5]},
                "y": {"shape": [1, 4, 8, 6], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "act", "op": "Relu", "inputs": ["x"], "outputs": ["h"]},
              {"name": "pad", "op": "Pad", "inputs": ["h", "pads", "value"], "outputs": ["p"], "attrs": {"mode": "constant"}},
              {"name": "out", "op": "Sigmoid", "inputs": ["p"], "outputs": ["y"]}]})");
  ASSERT_EQ(padded.size(), 1u);
  EXPECT_EQ(padded.begin()->second.box, (Box{{0, 0}, {0, 3}, {1, 6}, {0, 5}}));
  EXPECT_EQ(padded.begin()->second.value, 2.5);
}

TEST(ConstantBorder, ArraysComputedWholeHaveNone) {
  EXPECT_TRUE(bordersOf(afterRelu("Sigmoid", "{}", "[1, 4, 6, 6]")).empty());
  EXPECT_TRUE(bordersOf(afterRelu("Conv", "{}", "[1, 8, 4, 4]", R"(, "w")",
                                  R"("w": {"shape": [8, 4, 3, 3], "dtype": "float32", "kind": "input"},)"))
                  .empty());
}

}  // namespace
}  // namespace conflux::passes
