// reduction-fusion: a reduction, its init map and its element-wise consumer become one kernel
// whose output never makes a round trip to memory; what does not fuse says why; the fused graph
// computes what the unfused one does on the reference and cpu targets.
#include <gtest/gtest.h>

#include "ir/memlet_propagation.h"
#include "ir/printer.h"
#include "ir/validate.h"
#include "passes/data_movement.h"
#include "passes/kernel_patterns.h"
#include "passes/kernels.h"
#include "passes/map_fusion.h"
#include "passes/reduction_fusion.h"
#include "tests/passes/library_graphs.h"
#include "tests/support/golden.h"

namespace conflux::passes {
namespace {

using testing::expandedGraph;
using testing::expectSameOutputs;

/// x [8,16] · w [16,32] -> + b [32] -> Relu -> y.
const char* kMatMulBiasRelu = R"({"format": "conflux-graph", "version": 1, "name": "mlp",
  "tensors": {"x": {"shape": [8, 16], "dtype": "float32", "kind": "input"},
              "w": {"shape": [16, 32], "dtype": "float32", "kind": "input"},
              "b": {"shape": [32], "dtype": "float32", "kind": "input"},
              "y": {"shape": [8, 32], "dtype": "float32", "kind": "output"}},
  "nodes": [{"name": "fc1", "op": "MatMul", "inputs": ["x", "w"], "outputs": ["h0"]},
            {"name": "bias", "op": "Add", "inputs": ["h0", "b"], "outputs": ["h1"]},
            {"name": "act", "op": "Relu", "inputs": ["h1"], "outputs": ["y"]}]})";

/// `graph` after map-fusion and reduction-fusion, memlets propagated and validated.
ir::Graph fused(ir::Graph graph) {
  fuseElementwiseMaps(graph);
  fuseReductions(graph);
  ir::propagateMemlets(graph);
  ir::validate(graph);
  return graph;
}

TEST(ReductionFusion, MatMulBiasReluBecomesOneKernelMovingItsOperandsOnce) {
  ir::Graph before = expandedGraph(kMatMulBiasRelu);
  EXPECT_EQ(extractKernels(before).size(), 4u);  // init, matmul, add, relu
  ir::Graph after = before;
  fuseElementwiseMaps(after);
  ir::propagateMemlets(after);
  testing::expectMatchesGolden(ir::print(after), "tests/passes/golden/reduction_fusion_mlp.before.txt");
  EXPECT_EQ(fuseReductions(after), 1);
  ir::propagateMemlets(after);
  ir::validate(after);
  EXPECT_FALSE(after.hasArray("h0"));
  testing::expectMatchesGolden(ir::print(after), "tests/passes/golden/reduction_fusion_mlp.after.txt");

  std::vector<KernelTraffic> kernels = analyzeDataMovement(after);
  ASSERT_EQ(kernels.size(), 1u);
  EXPECT_EQ(kernels[0].origins, (std::vector<std::string>{"fc1", "bias", "act"}));
  const double m = 8, k = 16, n = 32;
  EXPECT_EQ(kernels[0].flops, 2 * m * k * n + 2 * m * n);  // multiply-add, bias add, max
  EXPECT_EQ(kernels[0].bytesMin, 4 * (m * k + k * n + n + m * n));
  EXPECT_EQ(kernels[0].bytesMoved, kernels[0].bytesMin);
  expectSameOutputs(before, after, "reference", 1e-5);
  expectSameOutputs(before, after, "cpu", 1e-5);
}

TEST(ReductionFusion, DecomposedGeluReadingTheBiasAddTwiceIsTheEpilogue) {
  // BERT's FFN as PyTorch exports it: h = x·w + b, y = h · 0.5 · (1 + erf(h / √2)). The GELU
  // chain reads h twice (the Div and the Mul); map-fusion reads it once, so the chain, the bias
  // add and the MatMul become one kernel that never writes h.
  ir::Graph before = expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "ffn",
    "tensors": {"x": {"shape": [8, 16], "dtype": "float32", "kind": "input"},
                "w": {"shape": [16, 32], "dtype": "float32", "kind": "input"},
                "b": {"shape": [32], "dtype": "float32", "kind": "input"},
                "sqrt2": {"shape": [], "dtype": "float32", "kind": "constant", "data": [1.4142135]},
                "one": {"shape": [], "dtype": "float32", "kind": "constant", "data": [1.0]},
                "half": {"shape": [], "dtype": "float32", "kind": "constant", "data": [0.5]},
                "y": {"shape": [8, 32], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "fc1", "op": "MatMul", "inputs": ["x", "w"], "outputs": ["h0"]},
              {"name": "bias", "op": "Add", "inputs": ["h0", "b"], "outputs": ["h"]},
              {"name": "div", "op": "Div", "inputs": ["h", "sqrt2"], "outputs": ["t0"]},
              {"name": "erf", "op": "Erf", "inputs": ["t0"], "outputs": ["t1"]},
              {"name": "add1", "op": "Add", "inputs": ["t1", "one"], "outputs": ["t2"]},
              {"name": "mul", "op": "Mul", "inputs": ["h", "t2"], "outputs": ["t3"]},
              {"name": "mul1", "op": "Mul", "inputs": ["t3", "half"], "outputs": ["y"]}]})");
  ir::Graph after = fused(before);
  testing::expectMatchesGolden(ir::print(after), "tests/passes/golden/reduction_fusion_gelu.after.txt");
  std::vector<KernelTraffic> kernels = analyzeDataMovement(after);
  ASSERT_EQ(kernels.size(), 1u);
  EXPECT_EQ(kernels[0].origins,
            (std::vector<std::string>{"fc1", "bias", "div", "erf", "add1", "mul", "mul1"}));
  EXPECT_FALSE(after.hasArray("h"));
  EXPECT_EQ(kernels[0].bytesMoved, kernels[0].bytesMin);
  expectSameOutputs(before, after, "reference", 1e-5);
  expectSameOutputs(before, after, "cpu", 1e-5);
}

TEST(ReductionFusion, AResidualAddBehindAReshapeToABatchOfOneIsTheEpilogue) {
  // PyTorch's attention out-projection: [L, E] reshaped to [L, 1, E], transposed to [1, L, E],
  // plus the residual. map-fusion inlines the reshape's copy, which writes a dimension of one at
  // 0, into the transposed add; reduction-fusion takes the add, whose batch of one the product
  // does not have, as its epilogue.
  const char* json = R"({"format": "conflux-graph", "version": 1, "name": "out_proj",
    "tensors": {"x": {"shape": [8, 16], "dtype": "float32", "kind": "input"},
                "w": {"shape": [16, 24], "dtype": "float32", "kind": "input"},
                "shape": {"shape": [3], "dtype": "int64", "kind": "constant", "data": [8, 1, 24]},
                "r": {"shape": [1, 8, 24], "dtype": "float32", "kind": "input"},
                "y": {"shape": [1, 8, 24], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "proj", "op": "MatMul", "inputs": ["x", "w"], "outputs": ["p"]},
              {"name": "split", "op": "Reshape", "inputs": ["p", "shape"], "outputs": ["p3"]},
              {"name": "t", "op": "Transpose", "inputs": ["p3"], "outputs": ["pt"], "attrs": {"perm": [1, 0, 2]}},
              {"name": "residual", "op": "Add", "inputs": ["pt", "r"], "outputs": ["y"]}]})";
  ir::Graph before = expandedGraph(json);
  ir::Graph after = fused(before);
  std::vector<Kernel> kernels = extractKernels(after);
  ASSERT_EQ(kernels.size(), 1u);
  EXPECT_EQ(kernels[0].origins, (std::vector<std::string>{"proj", "split", "t", "residual"}));
  expectSameOutputs(before, after, "reference", 1e-6);
  expectSameOutputs(before, after, "cpu", 1e-5);
}

TEST(ReductionFusion, GemmBiasStartsTheAccumulator) {
  ir::Graph before = expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "gemm",
    "tensors": {"a": {"shape": [5, 7], "dtype": "float32", "kind": "input"},
                "bt": {"shape": [33, 7], "dtype": "float32", "kind": "input"},
                "c": {"shape": [33], "dtype": "float32", "kind": "input"},
                "y": {"shape": [5, 33], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "g", "op": "Gemm", "inputs": ["a", "bt", "c"], "outputs": ["y"],
               "attrs": {"transB": 1, "alpha": 0.5, "beta": 2.0}}]})");
  ir::Graph after = fused(before);
  std::vector<Kernel> kernels = extractKernels(after);
  ASSERT_EQ(kernels.size(), 1u);
  // No consumer (y is an output): the epilogue stores acc, which started as beta * c.
  EXPECT_EQ(whyNotReductionFusable(before, 0, before.state(0).nodeIds().front()).value_or(""), "not a map entry");
  std::optional<NestedReduction> nested = nestedReduction(after.state(0), kernels[0]);
  ASSERT_TRUE(nested.has_value());
  EXPECT_EQ(nested->wcr, ir::Wcr::Sum);
  expectSameOutputs(before, after, "reference", 1e-5);
  expectSameOutputs(before, after, "cpu", 1e-5);
}

TEST(ReductionFusion, ConvReluAndMaxPoolFuseAndComputeTheSame) {
  ir::Graph before = expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "cnn",
    "tensors": {"x": {"shape": [1, 3, 10, 10], "dtype": "float32", "kind": "input"},
                "w": {"shape": [16, 3, 3, 3], "dtype": "float32", "kind": "input"},
                "y": {"shape": [1, 16, 7, 7], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "conv", "op": "Conv", "inputs": ["x", "w"], "outputs": ["c"],
               "attrs": {"kernel_shape": [3, 3], "pads": [0, 0, 0, 0]}},
              {"name": "act", "op": "Relu", "inputs": ["c"], "outputs": ["r"]},
              {"name": "pool", "op": "MaxPool", "inputs": ["r"], "outputs": ["y"],
               "attrs": {"kernel_shape": [2, 2], "strides": [1, 1]}}]})");
  ir::Graph after = fused(before);
  // Overlapping pooling windows read each Relu output four times, so the Relu is the conv's
  // epilogue rather than inlined into the pooling.
  EXPECT_FALSE(after.hasArray("c"));
  EXPECT_EQ(extractKernels(after).size(), 2u);
  expectSameOutputs(before, after, "reference", 1e-5);
  expectSameOutputs(before, after, "cpu", 1e-5);
}

TEST(ReductionFusion, AConvWritesStraightIntoTheNextConvsPaddedInput) {
  ir::Graph before = expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "cnn",
    "tensors": {"x": {"shape": [1, 3, 8, 8], "dtype": "float32", "kind": "input"},
                "w1": {"shape": [16, 3, 3, 3], "dtype": "float32", "kind": "input"},
                "w2": {"shape": [4, 16, 3, 3], "dtype": "float32", "kind": "input"},
                "y": {"shape": [1, 4, 8, 8], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "conv1", "op": "Conv", "inputs": ["x", "w1"], "outputs": ["c"],
               "attrs": {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}},
              {"name": "act", "op": "Relu", "inputs": ["c"], "outputs": ["r"]},
              {"name": "conv2", "op": "Conv", "inputs": ["r", "w2"], "outputs": ["y"],
               "attrs": {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}}]})");
  ir::Graph after = fused(before);
  // The Relu is inlined into conv2's padded copy, which is conv1's epilogue: conv1 writes the
  // interior of conv2's padded input, and neither c nor r exists.
  EXPECT_FALSE(after.hasArray("c"));
  EXPECT_FALSE(after.hasArray("r"));
  int withRelu = 0;
  for (const KernelTraffic& k : analyzeDataMovement(after)) {
    if (std::find(k.origins.begin(), k.origins.end(), "act") == k.origins.end()) continue;
    ++withRelu;
    EXPECT_EQ(k.origins, (std::vector<std::string>{"conv1", "act", "conv2"})) << k.name;
  }
  EXPECT_EQ(withRelu, 1);
  expectSameOutputs(before, after, "reference", 1e-5);
  expectSameOutputs(before, after, "cpu", 1e-5);
}

TEST(ReductionFusion, SoftmaxRowReductionsLoseTheirInitKernels) {
  ir::Graph before = expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "sm",
    "tensors": {"x": {"shape": [4, 40, 24], "dtype": "float32", "kind": "input"},
                "y": {"shape": [4, 40, 24], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "sm", "op": "Softmax", "inputs": ["x"], "outputs": ["y"], "attrs": {"axis": -1}}]})");
  size_t unfused = extractKernels(before).size();
  ir::Graph after = fused(before);
  // The row maximum and the row sum each absorb their init map; they keep their [.., 1]
  // outputs, which the normalising map reads broadcast.
  EXPECT_EQ(extractKernels(after).size(), unfused - 2);
  expectSameOutputs(before, after, "reference", 1e-6);
  expectSameOutputs(before, after, "cpu", 1e-5);
}

TEST(ReductionFusion, AReductionReadTwiceKeepsItsOutputAndSaysWhy) {
  ir::Graph graph = expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "fan",
    "tensors": {"a": {"shape": [4, 8], "dtype": "float32", "kind": "input"},
                "w": {"shape": [8, 16], "dtype": "float32", "kind": "input"},
                "y": {"shape": [4, 16], "dtype": "float32", "kind": "output"},
                "z": {"shape": [4, 16], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "mm", "op": "MatMul", "inputs": ["a", "w"], "outputs": ["h"]},
              {"name": "r", "op": "Relu", "inputs": ["h"], "outputs": ["y"]},
              {"name": "n", "op": "Neg", "inputs": ["h"], "outputs": ["z"]}]})");
  std::vector<ReductionFusionCandidate> candidates = findReductionFusionCandidates(graph);
  ASSERT_EQ(candidates.size(), 1u);
  std::optional<std::string> why = whyNoFusedConsumer(graph, 0, candidates[0].reduceEntry);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("exactly one reader"), std::string::npos) << *why;
  ir::Graph after = fused(graph);
  EXPECT_TRUE(after.hasArray("h"));  // written once by the fused kernel, read by both maps
  EXPECT_EQ(extractKernels(after).size(), 3u);
  expectSameOutputs(graph, after, "reference", 1e-5);
}

TEST(ReductionFusion, ATransposedConvolutionWhoseWindowsTileItsOutputIsOneKernel) {
  // Stride 2, window 2: output column 2*w + b is written by exactly one (w, b), so w and b are
  // the digits of the output parameter and only the input channels reduce. The bias init, the
  // accumulation and the Relu become one kernel; without it the output went through memory
  // three times.
  ir::Graph before = expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "up",
    "tensors": {"x": {"shape": [1, 4, 3, 3], "dtype": "float32", "kind": "input"},
                "w": {"shape": [4, 2, 2, 2], "dtype": "float32", "kind": "input"},
                "b": {"shape": [2], "dtype": "float32", "kind": "input"},
                "y": {"shape": [1, 2, 6, 6], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "up", "op": "ConvTranspose", "inputs": ["x", "w", "b"], "outputs": ["u"],
               "attrs": {"strides": [2, 2]}},
              {"name": "act", "op": "Relu", "inputs": ["u"], "outputs": ["y"]}]})");
  ir::Graph after = before;
  fuseElementwiseMaps(after);
  ir::propagateMemlets(after);
  testing::expectMatchesGolden(ir::print(after), "tests/passes/golden/reduction_fusion_transposed.before.txt");
  EXPECT_EQ(extractKernels(after).size(), 3u);  // init, accumulation, relu
  EXPECT_EQ(fuseReductions(after), 1);
  ir::propagateMemlets(after);
  ir::validate(after);
  testing::expectMatchesGolden(ir::print(after), "tests/passes/golden/reduction_fusion_transposed.after.txt");
  EXPECT_FALSE(after.hasArray("u"));
  std::vector<KernelTraffic> kernels = analyzeDataMovement(after);
  ASSERT_EQ(kernels.size(), 1u);
  EXPECT_EQ(kernels[0].origins, (std::vector<std::string>{"up", "act"}));
  EXPECT_EQ(kernels[0].bytesMoved, kernels[0].bytesMin);
  EXPECT_EQ(kernels[0].bytesMin, 4 * (4 * 3 * 3 + 4 * 2 * 2 * 2 + 2 + 2 * 6 * 6));
  expectSameOutputs(before, after, "reference", 1e-5);
  expectSameOutputs(before, after, "cpu", 1e-5);
}

TEST(ReductionFusion, AGroupedTransposedConvolutionOverABatchIsOneKernelToo) {
  // Two groups of 3 output channels (channel 3*g + m: two digits too) over a batch of 2.
  ir::Graph before = expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "up",
    "tensors": {"x": {"shape": [2, 8, 3, 5], "dtype": "float32", "kind": "input"},
                "w": {"shape": [8, 3, 2, 2], "dtype": "float32", "kind": "input"},
                "y": {"shape": [2, 6, 6, 10], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "up", "op": "ConvTranspose", "inputs": ["x", "w"], "outputs": ["u"],
               "attrs": {"strides": [2, 2], "group": 2}},
              {"name": "act", "op": "Sigmoid", "inputs": ["u"], "outputs": ["y"]}]})");
  ir::Graph after = fused(before);
  EXPECT_EQ(extractKernels(after).size(), 1u);
  expectSameOutputs(before, after, "reference", 1e-5);
  expectSameOutputs(before, after, "cpu", 1e-5);
}

TEST(ReductionFusion, ScatteredReductionsAreNotFused) {
  // ConvTranspose adds into y[i*s + k]: with a window of 3 and a stride of 2, iterations
  // overlap, so an element's sum spans several output iterations.
  ir::Graph graph = expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "ct",
    "tensors": {"x": {"shape": [1, 2, 5], "dtype": "float32", "kind": "input"},
                "w": {"shape": [2, 3, 3], "dtype": "float32", "kind": "input"},
                "y": {"shape": [1, 3, 11], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "ct", "op": "ConvTranspose", "inputs": ["x", "w"], "outputs": ["y"],
               "attrs": {"strides": [2]}}]})");
  EXPECT_EQ(fuseReductions(graph), 0);
  int scatters = 0;
  for (ir::NodeId id : graph.state(0).nodeIds()) {
    if (graph.state(0).node(id).kind() != ir::NodeKind::MapEntry) continue;
    std::optional<std::string> why = whyNotReductionFusable(graph, 0, id);
    ASSERT_TRUE(why.has_value());
    scatters += why->find("in exactly one iteration of its output parameters") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(scatters, 1);
}

TEST(ReductionFusion, OnlyTheO3PipelineFusesReductions) {
  EXPECT_EQ(testing::kernelsAtLevel(kMatMulBiasRelu, 2), 3u);
  EXPECT_EQ(testing::kernelsAtLevel(kMatMulBiasRelu, 3), 1u);
}

}  // namespace
}  // namespace conflux::passes
