// row-fusion: a softmax's or layer norm's per-row statistics and the map that reads them become
// one kernel over the rows that reads its input from memory once; what does not fuse says why;
// the fused graph computes what the unfused one does on the reference and cpu targets.
#include <gtest/gtest.h>

#include "ir/memlet_propagation.h"
#include "ir/printer.h"
#include "ir/validate.h"
#include "passes/data_movement.h"
#include "passes/kernel_patterns.h"
#include "passes/kernels.h"
#include "passes/map_fusion.h"
#include "passes/reduction_fusion.h"
#include "passes/row_fusion.h"
#include "tests/passes/library_graphs.h"
#include "tests/support/golden.h"

namespace conflux::passes {
namespace {

using testing::expandedGraph;
using testing::expectSameOutputs;

/// One op `op` (with `attrs`) from x of `shape` to y, plus `extra` inputs.
std::string oneOp(const std::string& op, const std::string& shape, const std::string& attrs,
                  const std::string& extraTensors = "", const std::string& extraInputs = "") {
  return R"({"format": "conflux-graph", "version": 1, "name": "rows",
    "tensors": {"x": {"shape": )" + shape + R"(, "dtype": "float32", "kind": "input"},)" + extraTensors + R"(
                "y": {"shape": )" + shape + R"(, "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "op", "op": ")" + op + R"(", "inputs": ["x")" + extraInputs + R"(], "outputs": ["y"],
               "attrs": )" + attrs + "}]}";
}

/// `graph` after map-fusion and reduction-fusion, memlets propagated.
ir::Graph reduced(ir::Graph graph) {
  fuseElementwiseMaps(graph);
  fuseReductions(graph);
  ir::propagateMemlets(graph);
  return graph;
}

/// `graph` after row-fusion too, validated.
ir::Graph rowFused(ir::Graph graph, int expectedFusions = 1) {
  return testing::fusedBy(std::move(graph), fuseRowGroups, expectedFusions);
}

TEST(RowFusion, SoftmaxIsOneKernelReadingItsInputOnce) {
  ir::Graph before = expandedGraph(oneOp("Softmax", "[2, 3, 8, 16]", R"({"axis": -1})"));
  ir::Graph three = reduced(before);
  ASSERT_EQ(extractKernels(three).size(), 3u);  // maximum, sum, normalise
  ir::Graph after = rowFused(three);
  testing::expectMatchesGolden(ir::print(three), "tests/passes/golden/row_fusion_softmax.before.txt");
  testing::expectMatchesGolden(ir::print(after), "tests/passes/golden/row_fusion_softmax.after.txt");

  std::vector<KernelTraffic> kernels = analyzeDataMovement(after);
  ASSERT_EQ(kernels.size(), 1u);
  const double elements = 2 * 3 * 8 * 16;
  EXPECT_EQ(kernels[0].bytesMin, 4 * 2 * elements);  // x in, y out
  EXPECT_EQ(kernels[0].bytesMoved, kernels[0].bytesMin);
  // Before, each kernel read x and the statistics went through memory.
  double movedBefore = 0;
  for (const KernelTraffic& k : analyzeDataMovement(three)) movedBefore += k.bytesMoved;
  EXPECT_GT(movedBefore, 3 * 4 * elements);
  EXPECT_EQ(after.array("op_max").storage, ir::Storage::Register);
  EXPECT_TRUE(after.array("op_max").shape.empty());
  expectSameOutputs(before, after, "reference", 1e-6);
  expectSameOutputs(before, after, "cpu", 1e-6);
}

TEST(RowFusion, TheOutputStageReadsTheSoftmaxExponentialsItsSumComputed) {
  // exp(x - max) is the sum stage's value and part of the output's: the cpu target computes it
  // once per element. The maximum stage's value is x itself: nothing to share.
  ir::Graph graph = rowFused(reduced(expandedGraph(oneOp("Softmax", "[2, 3, 8, 16]", R"({"axis": -1})"))));
  std::vector<Kernel> kernels = extractKernels(graph);
  ASSERT_EQ(kernels.size(), 1u);
  std::optional<RowKernel> row = rowKernel(graph.state(0), kernels[0]);
  ASSERT_TRUE(row.has_value());
  ASSERT_EQ(row->reductions.size(), 2u);
  EXPECT_FALSE(valueSharedWithOutput(graph.state(0), *row, row->reductions[0]).has_value());
  std::optional<ir::Expr> shared = valueSharedWithOutput(graph.state(0), *row, row->reductions[1]);
  ASSERT_TRUE(shared.has_value());
  EXPECT_EQ(ir::toString(*shared), "exp((x - max))");
}

TEST(RowFusion, LayerNormOverABatchOfOneIsOneKernel) {
  // Rows [1, 8]: the batch dimension of one is no parameter of the statistics' maps.
  ir::Graph before = expandedGraph(oneOp(
      "LayerNormalization", "[1, 8, 48]", R"({"axis": -1, "epsilon": 1e-5})",
      R"("scale": {"shape": [48], "dtype": "float32", "kind": "input"},
         "bias": {"shape": [48], "dtype": "float32", "kind": "input"},)",
      R"(, "scale", "bias")"));
  ir::Graph after = rowFused(reduced(before));
  std::vector<KernelTraffic> kernels = analyzeDataMovement(after);
  ASSERT_EQ(kernels.size(), 1u);
  EXPECT_EQ(kernels[0].bytesMoved, kernels[0].bytesMin);
  expectSameOutputs(before, after, "reference", 1e-5);
  expectSameOutputs(before, after, "cpu", 1e-5);
}

TEST(RowFusion, ALayerNormWhoseRowsATransposeRenamesIsOneKernel) {
  // A pre-LN transformer's first layer norm feeding the attention's [L, B, D] transpose: the
  // sink's map names the rows i0 (its first index), which the producers name i1 beside their
  // batch of one, i0 = 0; that parameter gets a fresh name.
  ir::Graph before = expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "pre_ln",
    "tensors": {"x": {"shape": [1, 8, 48], "dtype": "float32", "kind": "input"},
                "scale": {"shape": [48], "dtype": "float32", "kind": "input"},
                "y": {"shape": [8, 1, 48], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "ln", "op": "LayerNormalization", "inputs": ["x", "scale"], "outputs": ["n"],
               "attrs": {"axis": -1, "epsilon": 1e-5}},
              {"name": "t", "op": "Transpose", "inputs": ["n"], "outputs": ["y"], "attrs": {"perm": [1, 0, 2]}}]})");
  ir::Graph after = rowFused(reduced(before));
  EXPECT_EQ(extractKernels(after).size(), 1u);
  expectSameOutputs(before, after, "reference", 1e-5);
  expectSameOutputs(before, after, "cpu", 1e-5);
}

TEST(RowFusion, RowsThatAreNotOutermostStillComputeTheSame) {
  // A softmax over the channels of NCHW: the reduced dimension is not the innermost in memory,
  // so the cpu target computes the statistics of all rows before the output.
  ir::Graph before = expandedGraph(oneOp("Softmax", "[2, 8, 4, 5]", R"({"axis": 1})"));
  ir::Graph after = rowFused(reduced(before));
  EXPECT_EQ(extractKernels(after).size(), 1u);
  expectSameOutputs(before, after, "reference", 1e-6);
  expectSameOutputs(before, after, "cpu", 1e-6);
}

TEST(RowFusion, AStatisticReadOutsideTheGroupIsNotFusedAndSaysWhy) {
  // The maximum is a graph output too (ReduceMax kept next to the Softmax reading the same x):
  // a statistic read by another kernel cannot become a register.
  ir::Graph graph = reduced(expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "two",
    "tensors": {"x": {"shape": [4, 16], "dtype": "float32", "kind": "input"},
                "y": {"shape": [4, 16], "dtype": "float32", "kind": "output"},
                "z": {"shape": [4, 16], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "m", "op": "ReduceMax", "inputs": ["x"], "outputs": ["mx"], "attrs": {"axes": [1], "keepdims": 1}},
              {"name": "s", "op": "Sub", "inputs": ["x", "mx"], "outputs": ["y"]},
              {"name": "e", "op": "Add", "inputs": ["x", "mx"], "outputs": ["z"]}]})"));
  EXPECT_TRUE(findRowFusionCandidates(graph).empty());
  const ir::State& state = graph.state(0);
  for (ir::NodeId id : state.nodeIds())
    if (state.node(id).label == "s") {
      std::optional<std::string> why = whyNotRowFusable(graph, 0, id);
      ASSERT_TRUE(why.has_value());
      EXPECT_NE(why->find("read outside the group"), std::string::npos) << *why;
    }
}

TEST(RowFusion, AnElementwiseReadOfAReductionIsNoStatistic) {
  // The MatMul's output [1, 4, 8] has a dimension of one, but the Relu reads it element by
  // element: it is no per-row statistic, and nothing fuses.
  ir::Graph graph = reduced(expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "mm",
    "tensors": {"a": {"shape": [1, 4, 6], "dtype": "float32", "kind": "input"},
                "w": {"shape": [6, 8], "dtype": "float32", "kind": "input"},
                "y": {"shape": [1, 4, 8], "dtype": "float32", "kind": "output"},
                "z": {"shape": [1, 4, 8], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "mm", "op": "MatMul", "inputs": ["a", "w"], "outputs": ["h"]},
              {"name": "r", "op": "Relu", "inputs": ["h"], "outputs": ["y"]},
              {"name": "n", "op": "Neg", "inputs": ["h"], "outputs": ["z"]}]})"));
  EXPECT_EQ(fuseRowGroups(graph), 0);
}

TEST(RowFusion, OnlyTheO3PipelineFusesRows) {
  std::string softmax = oneOp("Softmax", "[4, 32]", R"({"axis": -1})");
  EXPECT_EQ(testing::kernelsAtLevel(softmax, 2), 5u);  // two inits, two reductions, the output
  EXPECT_EQ(testing::kernelsAtLevel(softmax, 3), 1u);
}

}  // namespace
}  // namespace conflux::passes
