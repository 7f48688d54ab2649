// select-layouts: the layout cost model prices a kernel by how its vector lanes meet the layouts
// of the arrays it touches (and how well its loops fill them), and the pass keeps the
// transients of a small-image convolution chain channels-last (lanes along channels) but those
// of wide-image chains row-major (lanes along image columns), whatever the zero borders of
// padded copies (thin, and filled once at load) would prefer. Graph inputs, outputs and constants keep their layouts.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "ir/memlet_propagation.h"
#include "ir/printer.h"
#include "ir/validate.h"
#include "passes/kernels.h"
#include "passes/layout_cost.h"
#include "passes/layout_dp.h"
#include "passes/layout_selection.h"
#include "passes/map_fusion.h"
#include "passes/reduction_fusion.h"
#include "tests/passes/library_graphs.h"
#include "tests/support/golden.h"
#include "tests/support/graph_json.h"

namespace conflux::passes {
namespace {

using testing::constantTensorJson;
using testing::expandedGraph;

/// x [1,16,6,6] -> 1x1 conv to 24 channels -> Relu -> depthwise 3x3 -> y. After fusion the only
/// transient is the depthwise convolution's padded input dw_padded [1,24,8,8], written shifted
/// by the pointwise kernel: its 24 channels fill one and a half vectors, its 6 columns a third.
std::string smallImageChain() {
  return R"({"format": "conflux-graph", "version": 1, "name": "small_image",
    "tensors": {"x": {"shape": [1, 16, 6, 6], "dtype": "float32", "kind": "input"},
                "w1": )" + constantTensorJson("[24, 16, 1, 1]", 24 * 16) + R"(,
                "w2": )" + constantTensorJson("[24, 1, 3, 3]", 24 * 9) + R"(,
                "y": {"shape": [1, 24, 6, 6], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "pw", "op": "Conv", "inputs": ["x", "w1"], "outputs": ["p"]},
              {"name": "act", "op": "Relu", "inputs": ["p"], "outputs": ["h"]},
              {"name": "dw", "op": "Conv", "inputs": ["h", "w2"], "outputs": ["y"],
               "attrs": {"group": 24, "pads": [1, 1, 1, 1]}}]})";
}

/// x [1,3,64,64] -> 3x3 conv to 8 channels -> 3x3 conv -> y: 64 columns fill whole vectors,
/// 8 channels half of one. The transients are the two padded inputs, c1_padded and c2_padded.
std::string wideImageChain() {
  return R"({"format": "conflux-graph", "version": 1, "name": "wide_image",
    "tensors": {"x": {"shape": [1, 3, 64, 64], "dtype": "float32", "kind": "input"},
                "w1": )" + constantTensorJson("[8, 3, 3, 3]", 8 * 27) + R"(,
                "w2": )" + constantTensorJson("[8, 8, 3, 3]", 8 * 72) + R"(,
                "y": {"shape": [1, 8, 64, 64], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "c1", "op": "Conv", "inputs": ["x", "w1"], "outputs": ["h"], "attrs": {"pads": [1, 1, 1, 1]}},
              {"name": "c2", "op": "Conv", "inputs": ["h", "w2"], "outputs": ["y"], "attrs": {"pads": [1, 1, 1, 1]}}]})";
}

/// `json` expanded, fused (map and reduction fusion) and propagated: select-layouts' input.
ir::Graph fusedGraph(const std::string& json) {
  ir::Graph graph = expandedGraph(json);
  fuseElementwiseMaps(graph);
  fuseReductions(graph);
  ir::propagateMemlets(graph);
  ir::validate(graph);
  return graph;
}

/// The kernel of `graph` that came from model node `origin`.
Kernel kernelFrom(const ir::Graph& graph, const std::string& origin) {
  for (const Kernel& k : extractKernels(graph))
    if (std::count(k.origins.begin(), k.origins.end(), origin)) return k;
  ADD_FAILURE() << "no kernel from " << origin;
  return {};
}

/// The arrays `layouts` sets.
std::vector<std::string> names(const LayoutOf& layouts) {
  std::vector<std::string> result;
  for (const auto& [name, layout] : layouts) result.push_back(name);
  return result;
}

TEST(LayoutCost, AContractionWritingAcrossLanesPaysTheGatherPenalty) {
  ir::Graph graph = fusedGraph(smallImageChain());
  KernelAccesses pointwise = kernelAccesses(graph, kernelFrom(graph, "pw"));
  EXPECT_EQ(pointwise.writes.size(), 1u);
  EXPECT_GE(pointwise.reads.size(), 2u);  // x and the weights
  LayoutOf rowMajor{{"dw_padded", ir::Layout::rowMajor(4)}}, last{{"dw_padded", channelsLast()}};
  double x = 16 * 36 * 4, w = 24 * 16 * 4, h = 24 * 36 * 4;  // h: the interior it writes
  // Lanes along the 24 output channels run in three half-width vectors (fill 0.5); h =
  // dw_padded written in channels-last is contiguous, the constant weights are packed at load:
  // every access once.
  EXPECT_DOUBLE_EQ(layoutCost(graph, pointwise, last, 16), (x + w + h) / 0.5);
  // Row-major h: lanes along its 6 columns fill 6 of 16 with a guarded tail (0.5 * 6/16) and
  // every access contiguous; lanes along channels scatter h. The cheaper of the two wins (rows
  // would gather x and h).
  double alongColumns = (x + w + h) / (0.5 * 6.0 / 16.0);
  double alongChannels = (x + w + kGatherPenalty * h) / 0.5;
  EXPECT_DOUBLE_EQ(layoutCost(graph, pointwise, rowMajor, 16), std::min(alongColumns, alongChannels));
  EXPECT_LT(layoutCost(graph, pointwise, last, 16), layoutCost(graph, pointwise, rowMajor, 16));
}

TEST(SelectLayouts, ASmallImageChainKeepsItsTransientChannelsLast) {
  ir::Graph graph = fusedGraph(smallImageChain());
  LayoutOf layouts = selectLayouts(graph, 16);
  EXPECT_EQ(names(layouts), (std::vector<std::string>{"dw_padded"}));  // not x, y or the weights
  EXPECT_EQ(layouts.at("dw_padded"), channelsLast());
  EXPECT_EQ(applyLayouts(graph, layouts), 1);
  ir::validate(graph);
  testing::expectMatchesGolden(ir::print(graph), "tests/passes/golden/select_layouts_small_image.after.txt");
  EXPECT_TRUE(graph.array("x").layout.isRowMajor());
  EXPECT_TRUE(graph.array("y").layout.isRowMajor());
  testing::expectSameOutputs(fusedGraph(smallImageChain()), graph, "reference", 1e-5);
  testing::expectSameOutputs(fusedGraph(smallImageChain()), graph, "cpu", 1e-4);
}

TEST(SelectLayouts, AWideImageChainStaysRowMajor) {
  ir::Graph graph = fusedGraph(wideImageChain());
  LayoutOf layouts = selectLayouts(graph, 16);
  EXPECT_EQ(names(layouts), (std::vector<std::string>{"c1_padded", "c2_padded"}));
  for (const auto& [name, layout] : layouts) EXPECT_TRUE(layout.isRowMajor()) << name;
  EXPECT_EQ(applyLayouts(graph, layouts), 0);
}

TEST(SelectLayouts, PaddingBordersDoNotPullAWideImageChannelsLast) {
  // x [1,16,32,32] -> 1x1 conv to 32 -> Relu -> depthwise 3x3 -> Relu -> 1x1 conv to 16 -> y:
  // every kernel fills whole vectors either way and the last writes the row-major y, so
  // row-major wins. Only the border kernels of the padded copy would vectorise better
  // channels-last, and they touch a thin border (and run once, at load).
  ir::Graph graph = fusedGraph(R"({"format": "conflux-graph", "version": 1, "name": "wide_block",
    "tensors": {"x": {"shape": [1, 16, 32, 32], "dtype": "float32", "kind": "input"},
                "w1": )" + constantTensorJson("[32, 16, 1, 1]", 32 * 16) + R"(,
                "w2": )" + constantTensorJson("[32, 1, 3, 3]", 32 * 9) + R"(,
                "w3": )" + constantTensorJson("[16, 32, 1, 1]", 16 * 32) + R"(,
                "y": {"shape": [1, 16, 32, 32], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "pw1", "op": "Conv", "inputs": ["x", "w1"], "outputs": ["a"]},
              {"name": "act1", "op": "Relu", "inputs": ["a"], "outputs": ["a1"]},
              {"name": "dw", "op": "Conv", "inputs": ["a1", "w2"], "outputs": ["b"],
               "attrs": {"group": 32, "pads": [1, 1, 1, 1]}},
              {"name": "act2", "op": "Relu", "inputs": ["b"], "outputs": ["b1"]},
              {"name": "pw2", "op": "Conv", "inputs": ["b1", "w3"], "outputs": ["y"]}]})");
  LayoutOf layouts = selectLayouts(graph, 16);
  EXPECT_EQ(names(layouts), (std::vector<std::string>{"b1", "dw_padded"}));
  for (const auto& [name, layout] : layouts) EXPECT_TRUE(layout.isRowMajor()) << name;
}

TEST(SelectLayouts, TheChoiceFollowsTheVectorWidth) {
  // With one lane no loop is partly filled: the pointwise kernel costs the same either way,
  // and the depthwise kernel, writing the row-major y, is cheaper reading a row-major h.
  ir::Graph graph = fusedGraph(smallImageChain());
  EXPECT_EQ(selectLayouts(graph, 16).at("dw_padded"), channelsLast());
  EXPECT_EQ(selectLayouts(graph, 1).at("dw_padded"), ir::Layout::rowMajor(4));
}

/// x [1,16,8,8] -> 3x3 conv -> Relu -> 3x3 conv -> + (the first Relu's output) -> Relu ->
/// 1x1 conv -> y: a residual connection keeps an array live while its branch runs.
std::string residualBlock() {
  return R"({"format": "conflux-graph", "version": 1, "name": "residual",
    "tensors": {"x": {"shape": [1, 16, 8, 8], "dtype": "float32", "kind": "input"},
                "w1": )" + constantTensorJson("[16, 16, 3, 3]", 16 * 144) + R"(,
                "w2": )" + constantTensorJson("[16, 16, 3, 3]", 16 * 144) + R"(,
                "w3": )" + constantTensorJson("[24, 16, 1, 1]", 24 * 16) + R"(,
                "y": {"shape": [1, 24, 8, 8], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "c1", "op": "Conv", "inputs": ["x", "w1"], "outputs": ["a"], "attrs": {"pads": [1, 1, 1, 1]}},
              {"name": "r1", "op": "Relu", "inputs": ["a"], "outputs": ["h"]},
              {"name": "c2", "op": "Conv", "inputs": ["h", "w2"], "outputs": ["b"], "attrs": {"pads": [1, 1, 1, 1]}},
              {"name": "add", "op": "Add", "inputs": ["b", "h"], "outputs": ["s"]},
              {"name": "r2", "op": "Relu", "inputs": ["s"], "outputs": ["t"]},
              {"name": "c3", "op": "Conv", "inputs": ["t", "w3"], "outputs": ["y"]}]})";
}

/// The model's total over `kernels` with `layouts`.
double totalCost(const ir::Graph& graph, const std::vector<KernelAccesses>& kernels, const LayoutOf& layouts,
                 int lanes) {
  double total = 0;
  for (const KernelAccesses& k : kernels) total += layoutCost(graph, k, layouts, lanes);
  return total;
}

TEST(ExactLayouts, MatchesEveryAssignmentTriedOnAResidualBlock) {
  ir::Graph graph = fusedGraph(residualBlock());
  std::vector<std::string> arrays = layoutFreeArrays(graph);
  std::vector<KernelAccesses> kernels = pricedKernels(graph, extractKernels(graph));
  ASSERT_GE(arrays.size(), 3u);
  ASSERT_LE(arrays.size(), 12u);
  const std::vector<ir::Layout> choices{ir::Layout::rowMajor(4), channelsLast()};
  for (int lanes : {8, 16}) {
    std::optional<LayoutOf> exact = exactLayouts(graph, kernels, arrays, choices, lanes);
    ASSERT_TRUE(exact.has_value());
    double best = std::numeric_limits<double>::infinity(), worst = 0;
    for (size_t mask = 0; mask < (size_t{1} << arrays.size()); ++mask) {
      LayoutOf layouts;
      for (size_t a = 0; a < arrays.size(); ++a) layouts[arrays[a]] = choices[(mask >> a) & 1];
      double total = totalCost(graph, kernels, layouts, lanes);
      best = std::min(best, total);
      worst = std::max(worst, total);
    }
    EXPECT_GT(worst, best) << "the choice must matter for the test to mean anything";
    EXPECT_DOUBLE_EQ(totalCost(graph, kernels, *exact, lanes), best) << lanes << " lanes";
    EXPECT_EQ(selectLayouts(graph, lanes), *exact);
  }
}

TEST(ExactLayouts, DeclinesWhenMoreArraysAreLiveThanItsBound) {
  // The first Relu's output is live while the second convolution runs.
  ir::Graph graph = fusedGraph(residualBlock());
  EXPECT_FALSE(exactLayouts(graph, pricedKernels(graph, extractKernels(graph)), layoutFreeArrays(graph),
                            {ir::Layout::rowMajor(4), channelsLast()}, 16, 0)
                   .has_value());
}

}  // namespace
}  // namespace conflux::passes
