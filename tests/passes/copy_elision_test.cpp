// copy-elision: a concatenation's parts write straight into the padded input of the convolution
// reading it, with no copy between; what is not elided says why; the graph computes what it did
// on the reference and cpu targets.
#include <gtest/gtest.h>

#include "ir/printer.h"
#include "passes/copy_elision.h"
#include "passes/data_movement.h"
#include "passes/kernels.h"
#include "passes/map_fusion.h"
#include "passes/reduction_fusion.h"
#include "tests/passes/library_graphs.h"
#include "tests/support/golden.h"

namespace conflux::passes {
namespace {

/// `first` (a node JSON from x, of `xShape`, to xa [1, 8, 6, 6]) and Sigmoid(z) concatenated along
/// channels into a padded 3x3 convolution; `extraTensors` and `extraNodes` (JSON) join them.
std::string concatConv(const std::string& xShape = "[1, 8, 6, 6]",
                       const std::string& first = R"({"name": "a", "op": "Relu", "inputs": ["x"], "outputs": ["xa"]})",
                       const std::string& extraTensors = "", const std::string& extraNodes = "") {
  return R"({"format": "conflux-graph", "version": 1, "name": "cat",
    "tensors": {"x": {"shape": )" + xShape + R"(, "dtype": "float32", "kind": "input"},
                "z": {"shape": [1, 8, 6, 6], "dtype": "float32", "kind": "input"},
                "w": {"shape": [8, 16, 3, 3], "dtype": "float32", "kind": "input"},)" + extraTensors + R"(
                "y": {"shape": [1, 8, 6, 6], "dtype": "float32", "kind": "output"}},
    "nodes": [)" + first + R"(,
              {"name": "b", "op": "Sigmoid", "inputs": ["z"], "outputs": ["zb"]},
              {"name": "cat", "op": "Concat", "inputs": ["xa", "zb"], "outputs": ["c"], "attrs": {"axis": 1}},
              {"name": "conv", "op": "Conv", "inputs": ["c", "w"], "outputs": ["y"], "attrs": {"pads": [1, 1, 1, 1]}})" +
         extraNodes + "]}";
}

/// `json` expanded, then map- and reduction-fused as -O3 leaves it before copy-elision.
ir::Graph fused(const std::string& json) {
  ir::Graph graph = testing::expandedGraph(json);
  fuseElementwiseMaps(graph);
  fuseReductions(graph);
  return graph;
}

/// The kernels of `graph` whose names contain `part`.
size_t kernelsNamed(const ir::Graph& graph, const std::string& part) {
  size_t n = 0;
  for (const Kernel& k : extractKernels(graph)) n += k.name.find(part) != std::string::npos;
  return n;
}

TEST(CopyElision, AConcatenationsPartsWriteIntoThePaddedInputOfTheConvolution) {
  ir::Graph before = fused(concatConv());
  ASSERT_EQ(kernelsNamed(before, "conv_pad"), 5u);  // four border fills and the copy
  ir::Graph after = testing::fusedBy(before, elideCopies, 1);
  testing::expectMatchesGolden(ir::print(before), "tests/passes/golden/copy_elision_concat.before.txt");
  testing::expectMatchesGolden(ir::print(after), "tests/passes/golden/copy_elision_concat.after.txt");
  EXPECT_EQ(kernelsNamed(after, "conv_pad"), 4u);  // the border fills alone
  EXPECT_FALSE(after.hasArray("c"));
  // The concatenation's 2 x 288 elements are no longer written, read and written again.
  auto bytes = [](const ir::Graph& g) {
    double total = 0;
    for (const KernelTraffic& k : analyzeDataMovement(g)) total += k.bytesMoved;
    return total;
  };
  EXPECT_EQ(bytes(before) - bytes(after), 4.0 * 2 * 16 * 36);
  testing::expectSameOutputs(before, after);
  testing::expectSameOutputs(before, after, "cpu", 1e-5);
}

TEST(CopyElision, ATransposedConvolutionAccumulatesIntoItsSliceOfThePaddedInput) {
  // reduction-fusion made the concatenation's copy of xa the transposed convolution's
  // epilogue; its output c, copied into the padded input, now goes too: the convolution writes
  // its slice of the padded input, and no kernel is a copy.
  ir::Graph before = fused(concatConv(
      "[1, 8, 3, 3]",
      R"({"name": "a", "op": "ConvTranspose", "inputs": ["x", "wt"], "outputs": ["xa"], "attrs": {"strides": [2, 2]}})",
      R"("wt": {"shape": [8, 8, 2, 2], "dtype": "float32", "kind": "input"},)"));
  EXPECT_FALSE(before.hasArray("xa"));
  EXPECT_EQ(kernelsNamed(before, "convtranspose_concat_0"), 1u);
  ir::Graph after = testing::fusedBy(before, elideCopies, 1);
  EXPECT_FALSE(after.hasArray("c"));
  EXPECT_EQ(kernelsNamed(after, "concat_0"), 1u);  // the transposed convolution's
  EXPECT_EQ(extractKernels(after).size(), extractKernels(before).size() - 1);  // the padding copy
  testing::expectSameOutputs(before, after);
  testing::expectSameOutputs(before, after, "cpu", 1e-5);
}

TEST(CopyElision, AnotherReaderReadsTheTransientInThePaddedInput) {
  // The concatenation is also read by the Sigmoid of the graph's second output: it is still
  // stored only inside the padded input, where the Sigmoid reads it.
  ir::Graph before = fused(concatConv("[1, 8, 6, 6]", R"({"name": "a", "op": "Relu", "inputs": ["x"], "outputs": ["xa"]})",
                                      R"("s": {"shape": [1, 16, 6, 6], "dtype": "float32", "kind": "output"},)",
                                      R"(, {"name": "s", "op": "Sigmoid", "inputs": ["c"], "outputs": ["s"]})"));
  ir::Graph after = testing::fusedBy(before, elideCopies, 1);
  EXPECT_FALSE(after.hasArray("c"));
  EXPECT_EQ(extractKernels(after).size(), extractKernels(before).size() - 1);
  testing::expectSameOutputs(before, after);
  testing::expectSameOutputs(before, after, "cpu", 1e-5);
}

TEST(CopyElision, ATransientThatIsAnOutputIsStored) {
  // xa is the graph's second output: the caller reads it, so it stays where it is.
  ir::Graph graph = fused(concatConv("[1, 8, 6, 6]", R"({"name": "a", "op": "Relu", "inputs": ["x"], "outputs": ["xa"]})",
                                     R"("xa": {"shape": [1, 8, 6, 6], "dtype": "float32", "kind": "output"},)"));
  ASSERT_TRUE(graph.hasArray("xa"));
  std::vector<ir::NodeId> nodes = testing::accessNodesOf(graph, 0, "xa");
  ASSERT_FALSE(nodes.empty());
  for (ir::NodeId id : nodes) EXPECT_EQ(whyNotElidable(graph, 0, id), "'xa' is no transient computed at run time");
  elideCopies(graph);
  EXPECT_TRUE(graph.hasArray("xa"));
}

/// A UNet's skip connection: Conv -> Relu, read by a MaxPool down the encoder and, concatenated
/// with the upsampled decoder path, by the decoder's padded convolution.
const char* kSkipConnection = R"({"format": "conflux-graph", "version": 1, "name": "skip",
  "tensors": {"x": {"shape": [1, 4, 8, 8], "dtype": "float32", "kind": "input"},
              "w1": {"shape": [4, 4, 3, 3], "dtype": "float32", "kind": "input"},
              "w2": {"shape": [4, 4, 3, 3], "dtype": "float32", "kind": "input"},
              "wt": {"shape": [4, 4, 2, 2], "dtype": "float32", "kind": "input"},
              "w3": {"shape": [4, 8, 3, 3], "dtype": "float32", "kind": "input"},
              "y": {"shape": [1, 4, 8, 8], "dtype": "float32", "kind": "output"}},
  "nodes": [{"name": "enc", "op": "Conv", "inputs": ["x", "w1"], "outputs": ["e"], "attrs": {"pads": [1, 1, 1, 1]}},
            {"name": "act", "op": "Relu", "inputs": ["e"], "outputs": ["r"]},
            {"name": "pool", "op": "MaxPool", "inputs": ["r"], "outputs": ["p"], "attrs": {"kernel_shape": [2, 2], "strides": [2, 2]}},
            {"name": "mid", "op": "Conv", "inputs": ["p", "w2"], "outputs": ["q"], "attrs": {"pads": [1, 1, 1, 1]}},
            {"name": "up", "op": "ConvTranspose", "inputs": ["q", "wt"], "outputs": ["u"], "attrs": {"strides": [2, 2]}},
            {"name": "cat", "op": "Concat", "inputs": ["u", "r"], "outputs": ["c"], "attrs": {"axis": 1}},
            {"name": "dec", "op": "Conv", "inputs": ["c", "w3"], "outputs": ["y"], "attrs": {"pads": [1, 1, 1, 1]}}]})";

TEST(CopyElision, ASkipConnectionIsWrittenOnceIntoTheDecodersPaddedInputWhereThePoolingReadsIt) {
  // map-fusion keeps the Relu stored (one of its readers is the concatenation's copy), so it is
  // the encoder convolution's epilogue; its output r, read by the pooling and copied into the
  // concatenation, is written straight into its slice of the decoder's padded input, which
  // the pooling reads: no kernel copies r, and the Relu runs once.
  ir::Graph before = fused(kSkipConnection);
  EXPECT_EQ(kernelsNamed(before, "conv_relu"), 1u);
  ir::Graph after = testing::fusedBy(before, elideCopies, 2);  // c into the padded input, then r
  testing::expectMatchesGolden(ir::print(before), "tests/passes/golden/copy_elision_skip.before.txt");
  testing::expectMatchesGolden(ir::print(after), "tests/passes/golden/copy_elision_skip.after.txt");
  EXPECT_FALSE(after.hasArray("r"));
  EXPECT_FALSE(after.hasArray("c"));
  EXPECT_EQ(kernelsNamed(after, "concat"), 1u);  // the transposed convolution's epilogue
  EXPECT_EQ(kernelsNamed(after, "relu_concat"), 0u);
  EXPECT_EQ(kernelsNamed(after, "relu_maxpool"), 0u);
  testing::expectSameOutputs(before, after);
  testing::expectSameOutputs(before, after, "cpu", 1e-5);
}

}  // namespace
}  // namespace conflux::passes
