// map-fusion: element-wise chains become one map whose tasklet composes the chain; what does
// not fuse says why; the fused graph computes exactly what the unfused one does and moves fewer
// bytes.
#include <gtest/gtest.h>

#include "api/conflux.h"
#include "ir/memlet_propagation.h"
#include "ir/printer.h"
#include "ir/validate.h"
#include "passes/data_movement.h"
#include "passes/map_fusion.h"
#include "passes/pass_manager.h"
#include "tests/passes/library_graphs.h"
#include "tests/support/golden.h"

namespace conflux::passes {
namespace {

using testing::expandedGraph;
using testing::expectSameOutputs;

/// x [4,6] -> Add(b [6], broadcast) -> Relu -> Mul(s, scalar) -> y.
const char* kChain = R"({"format": "conflux-graph", "version": 1, "name": "chain",
  "tensors": {"x": {"shape": [4, 6], "dtype": "float32", "kind": "input"},
              "b": {"shape": [6], "dtype": "float32", "kind": "input"},
              "s": {"shape": [], "dtype": "float32", "kind": "constant", "data": [0.5]},
              "y": {"shape": [4, 6], "dtype": "float32", "kind": "output"}},
  "nodes": [{"name": "bias", "op": "Add", "inputs": ["x", "b"], "outputs": ["h0"]},
            {"name": "act", "op": "Relu", "inputs": ["h0"], "outputs": ["h1"]},
            {"name": "scale", "op": "Mul", "inputs": ["h1", "s"], "outputs": ["y"]}]})";

int mapCount(const ir::Graph& graph) {
  int maps = 0;
  for (const ir::State& s : graph.states())
    for (ir::NodeId id : s.nodeIds()) maps += s.node(id).kind() == ir::NodeKind::MapEntry ? 1 : 0;
  return maps;
}

/// Expects graph's transient `data` (in state 0) to have access nodes, and whyNotFusable at each
/// to give a reason containing `reason`.
void expectNotFusableBecause(const ir::Graph& graph, const std::string& data, const std::string& reason) {
  std::vector<ir::NodeId> nodes = testing::accessNodesOf(graph, 0, data);
  ASSERT_FALSE(nodes.empty()) << data;
  for (ir::NodeId id : nodes) {
    std::optional<std::string> why = whyNotFusable(graph, 0, id);
    ASSERT_TRUE(why.has_value()) << data;
    EXPECT_NE(why->find(reason), std::string::npos) << *why;
  }
}

TEST(MapFusion, ElementwiseChainBecomesOneMap) {
  ir::Graph before = expandedGraph(kChain);
  ASSERT_EQ(mapCount(before), 3);
  ir::Graph after = before;
  EXPECT_EQ(fuseElementwiseMaps(after), 2);
  ir::propagateMemlets(after);
  ir::validate(after);
  EXPECT_EQ(mapCount(after), 1);
  EXPECT_FALSE(after.hasArray("h0"));
  EXPECT_FALSE(after.hasArray("h1"));
  testing::expectMatchesGolden(ir::print(before), "tests/passes/golden/map_fusion_chain.before.txt");
  testing::expectMatchesGolden(ir::print(after), "tests/passes/golden/map_fusion_chain.after.txt");
  expectSameOutputs(before, after);
}

TEST(MapFusion, FusedKernelKeepsEverySourceOpAndMovesOnlyItsInputsAndOutput) {
  ir::Graph graph = expandedGraph(kChain);
  fuseElementwiseMaps(graph);
  ir::propagateMemlets(graph);
  std::vector<KernelTraffic> kernels = analyzeDataMovement(graph);
  ASSERT_EQ(kernels.size(), 1u);
  EXPECT_EQ(kernels[0].origins, (std::vector<std::string>{"bias", "act", "scale"}));
  // x and y (4*6 floats each), b (6) and s (1): each once.
  EXPECT_EQ(kernels[0].bytesMin, 4.0 * (24 + 24 + 6 + 1));
  EXPECT_EQ(kernels[0].bytesMoved, kernels[0].bytesMin);
}

TEST(MapFusion, ReductionOutputIsNotFusedAndSaysWhy) {
  // MatMul writes its output with write-conflict resolution after an initialising map: two
  // access nodes of one transient, so the bias map cannot absorb it.
  ir::Graph graph = expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "mm",
    "tensors": {"a": {"shape": [2, 3], "dtype": "float32", "kind": "input"},
                "w": {"shape": [3, 4], "dtype": "float32", "kind": "input"},
                "y": {"shape": [2, 4], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "mm", "op": "MatMul", "inputs": ["a", "w"], "outputs": ["h"]},
              {"name": "act", "op": "Relu", "inputs": ["h"], "outputs": ["y"]}]})");
  EXPECT_TRUE(findMapFusionCandidates(graph).empty());
  const ir::State& state = graph.state(0);
  for (ir::NodeId id : state.nodeIds()) {
    const auto* access = std::get_if<ir::AccessNode>(&state.node(id).payload);
    if (!access) continue;
    std::optional<std::string> why = whyNotFusable(graph, 0, id);
    ASSERT_TRUE(why.has_value()) << access->data;
    if (access->data == "h") {
      EXPECT_NE(why->find("more than one place"), std::string::npos) << *why;
    }
    if (access->data == "a") {
      EXPECT_NE(why->find("not transient"), std::string::npos) << *why;
    }
  }
}

TEST(MapFusion, OneOperationReadByTwoMapsIsRecomputedByEach) {
  // Writing h and reading it twice moves three arrays; reading x twice moves two.
  ir::Graph before = expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "fan",
    "tensors": {"x": {"shape": [8], "dtype": "float32", "kind": "input"},
                "y": {"shape": [8], "dtype": "float32", "kind": "output"},
                "z": {"shape": [8], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "e", "op": "Exp", "inputs": ["x"], "outputs": ["h"]},
              {"name": "r", "op": "Relu", "inputs": ["h"], "outputs": ["y"]},
              {"name": "n", "op": "Neg", "inputs": ["h"], "outputs": ["z"]}]})");
  ir::Graph after = before;
  EXPECT_EQ(fuseElementwiseMaps(after), 1);
  ir::propagateMemlets(after);
  ir::validate(after);
  EXPECT_EQ(mapCount(after), 2);
  EXPECT_FALSE(after.hasArray("h"));
  testing::expectMatchesGolden(ir::print(before), "tests/passes/golden/map_fusion_fan_out.before.txt");
  testing::expectMatchesGolden(ir::print(after), "tests/passes/golden/map_fusion_fan_out.after.txt");
  double moved = 0;
  for (const KernelTraffic& k : analyzeDataMovement(after)) moved += k.bytesMoved;
  EXPECT_EQ(moved, 4.0 * 8 * 4);  // x twice, y and z
  expectSameOutputs(before, after);
}

TEST(MapFusion, ASumReadByFourMapsIsNotRecomputedByEach) {
  // Recomputed, x and w would be read four times each (8 arrays); written once, h moves 1 + 4.
  ir::Graph graph = expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "fan",
    "tensors": {"x": {"shape": [8], "dtype": "float32", "kind": "input"},
                "w": {"shape": [8], "dtype": "float32", "kind": "input"},
                "y1": {"shape": [8], "dtype": "float32", "kind": "output"},
                "y2": {"shape": [8], "dtype": "float32", "kind": "output"},
                "y3": {"shape": [8], "dtype": "float32", "kind": "output"},
                "y4": {"shape": [8], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "e", "op": "Add", "inputs": ["x", "w"], "outputs": ["h"]},
              {"name": "r1", "op": "Relu", "inputs": ["h"], "outputs": ["y1"]},
              {"name": "r2", "op": "Neg", "inputs": ["h"], "outputs": ["y2"]},
              {"name": "r3", "op": "Abs", "inputs": ["h"], "outputs": ["y3"]},
              {"name": "r4", "op": "Exp", "inputs": ["h"], "outputs": ["y4"]}]})");
  EXPECT_EQ(fuseElementwiseMaps(graph), 0);
  expectNotFusableBecause(graph, "h", "would move more bytes");
}

TEST(MapFusion, AValueOneReaderCopiesIntoAConcatenationStaysStored) {
  // Relu(x) is read by a Sigmoid and copied into its slice of a concatenation: recomputing it
  // in both would move as many bytes as storing it, and stored it is stored in the slice
  // (copy-elision), so it stays.
  ir::Graph graph = expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "skip",
    "tensors": {"x": {"shape": [1, 2, 4, 4], "dtype": "float32", "kind": "input"},
                "z": {"shape": [1, 2, 4, 4], "dtype": "float32", "kind": "input"},
                "s": {"shape": [1, 2, 4, 4], "dtype": "float32", "kind": "output"},
                "c": {"shape": [1, 4, 4, 4], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "act", "op": "Relu", "inputs": ["x"], "outputs": ["r"]},
              {"name": "sig", "op": "Sigmoid", "inputs": ["r"], "outputs": ["s"]},
              {"name": "cat", "op": "Concat", "inputs": ["z", "r"], "outputs": ["c"], "attrs": {"axis": 1}}]})");
  ir::Graph before = graph;
  fuseElementwiseMaps(graph);
  EXPECT_TRUE(graph.hasArray("r"));
  expectNotFusableBecause(graph, "r", "copies it into another array");
  expectSameOutputs(before, graph);
}

/// Graph JSON of an attention's output a [heads 2, rows 4, d 8] merged into ar [rows, 2 * 8] (a
/// transpose and a reshape, as every transformer layer does) and read by `reader` (a node),
/// with `tensors` (JSON members) declared besides a and the reshape's shape.
std::string headsMergedInto(const std::string& tensors, const std::string& reader) {
  return R"({"format": "conflux-graph", "version": 1, "name": "heads",
    "tensors": {"a": {"shape": [2, 4, 8], "dtype": "float32", "kind": "input"},
                "shape": {"shape": [2], "dtype": "int64", "kind": "constant", "data": [4, 16]},
                )" + tensors + R"(},
    "nodes": [{"name": "t", "op": "Transpose", "inputs": ["a"], "outputs": ["at"], "attrs": {"perm": [1, 0, 2]}},
              {"name": "r", "op": "Reshape", "inputs": ["at", "shape"], "outputs": ["ar"]},
              )" + reader + "]}";
}

TEST(MapFusion, AHeadMergingReshapeInlinesIntoTheMatMulThroughSplitParameters) {
  // An attention's output [heads, rows, d] transposed to [rows, heads, d] and reshaped to
  // [rows, heads*d] is read by the output projection at column k: the copy writes column
  // 8*h + e, so the MatMul's k is split into (h, e) and reads the heads' output in place.
  ir::Graph before = expandedGraph(headsMergedInto(R"("w": {"shape": [16, 5], "dtype": "float32", "kind": "input"},
                "y": {"shape": [4, 5], "dtype": "float32", "kind": "output"})",
                                                  R"({"name": "proj", "op": "MatMul", "inputs": ["ar", "w"], "outputs": ["y"]})"));
  ir::Graph after = before;
  EXPECT_GE(fuseElementwiseMaps(after), 1);
  ir::propagateMemlets(after);
  ir::validate(after);
  testing::expectMatchesGolden(ir::print(after), "tests/passes/golden/map_fusion_split.after.txt");
  EXPECT_FALSE(after.hasArray("ar"));
  EXPECT_FALSE(after.hasArray("at"));
  // The MatMul reads a [h, row, e] directly: 2 of its reduction parameters, 2 x 8.
  bool split = false;
  for (ir::NodeId id : after.state(0).nodeIds())
    if (const auto* entry = std::get_if<ir::MapEntry>(&after.state(0).node(id).payload))
      split = split || entry->map.params.size() == 4;
  EXPECT_TRUE(split);
  expectSameOutputs(before, after, "reference", 1e-5);  // the sums' association may differ
  expectSameOutputs(before, after, "cpu", 1e-5);
}

TEST(MapFusion, ADigitDimensionReadAtAStrideIsNotSplit) {
  // A slice with step 2 reads the merged column at 2*k: no parameter to split into (h, e).
  ir::Graph graph = expandedGraph(headsMergedInto(R"("starts": {"shape": [1], "dtype": "int64", "kind": "constant", "data": [0]},
                "ends": {"shape": [1], "dtype": "int64", "kind": "constant", "data": [16]},
                "axes": {"shape": [1], "dtype": "int64", "kind": "constant", "data": [1]},
                "steps": {"shape": [1], "dtype": "int64", "kind": "constant", "data": [2]},
                "y": {"shape": [4, 8], "dtype": "float32", "kind": "output"})",
                                                 R"({"name": "s", "op": "Slice", "inputs": ["ar", "starts", "ends", "axes", "steps"], "outputs": ["y"]})"));
  ir::Graph before = graph;
  fuseElementwiseMaps(graph);
  ASSERT_TRUE(graph.hasArray("ar"));
  expectNotFusableBecause(graph, "ar", "as digits, other than at one parameter covering it");
  expectSameOutputs(before, graph);
}

TEST(MapFusion, LongChainsStopBeforeTaskletsGrowPastTheLimit) {
  // Gelu uses its input twice: composing ten of them would double the expression ten times.
  std::string nodes, tensors = R"("x": {"shape": [16], "dtype": "float32", "kind": "input"},
    "t10": {"shape": [16], "dtype": "float32", "kind": "output"})";
  for (int k = 1; k <= 10; ++k)
    nodes += std::string(k > 1 ? "," : "") + R"({"name": "g)" + std::to_string(k) + R"(", "op": "Gelu", "inputs": [")" +
             (k == 1 ? std::string("x") : "t" + std::to_string(k - 1)) + R"("], "outputs": ["t)" +
             std::to_string(k) + R"("]})";
  ir::Graph before = expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "gelus", "tensors": {)" +
                                   tensors + R"(}, "nodes": [)" + nodes + "]}");
  ir::Graph after = before;
  int fusions = fuseElementwiseMaps(after);
  EXPECT_GT(fusions, 0);
  EXPECT_LT(fusions, 9);
  ir::propagateMemlets(after);
  ir::validate(after);
  expectSameOutputs(before, after);
}

TEST(MapFusion, PipelineAtO3FusesAndO0DoesNot) {
  for (int level : {0, 3}) {
    ir::Graph graph = expandedGraph(kChain);
    api::OptimizeOptions options;
    options.level = level;
    api::optimize(graph, options);
    EXPECT_EQ(mapCount(graph), level == 0 ? 3 : 1) << "-O" << level;
  }
}

}  // namespace
}  // namespace conflux::passes
