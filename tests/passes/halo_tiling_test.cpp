// halo-tiling: the padded array between MobileNet's expansion and its depthwise convolution is
// made cache-local when it outgrows the cache; its writers become producers of the depthwise
// kernel, the array moves no bytes, and the graph computes what it did. What is not tiled says
// why.
#include <gtest/gtest.h>

#include <algorithm>

#include "api/conflux.h"
#include "ir/error.h"
#include "ir/printer.h"
#include "passes/data_movement.h"
#include "passes/halo_tiling.h"
#include "passes/kernels.h"
#include "passes/memory_plan.h"
#include "passes/pipelines.h"
#include "tests/passes/library_graphs.h"
#include "tests/support/golden.h"
#include "tests/support/graph_json.h"

namespace conflux::passes {
namespace {

/// `json` optimised by the cpu target's -O3 pipeline without halo-tiling.
ir::Graph beforeHaloTiling(const std::string& json) {
  ir::Graph graph = testing::loadGraphJson(json, "halo_tiling");
  std::vector<std::string> names = pipeline(3, "cpu");
  names.erase(std::find(names.begin(), names.end(), "halo-tiling"));
  api::OptimizeOptions options;
  options.passes = names;
  api::optimize(graph, options);
  return graph;
}

/// The padded input of the depthwise convolution.
const std::string kPadded = "dw_padded";

TEST(HaloTiling, TheExpansionBeforeADepthwiseConvolutionIsComputedPerTileOfIt) {
  // 4 -> 8 channels over 6x6: the padded array holds 8 x 8 x 8 floats (2 KiB), over a 1 KiB cache.
  ir::Graph before = beforeHaloTiling(testing::invertedResidualJson(4, 8, 6, 1));
  ir::Graph after = before;
  ASSERT_EQ(tileHalos(after, 1024), 1);
  testing::expectMatchesGolden(ir::print(before), "tests/passes/golden/halo_tiling.before.txt");
  testing::expectMatchesGolden(ir::print(after), "tests/passes/golden/halo_tiling.after.txt");
  EXPECT_EQ(after.array(kPadded).storage, ir::Storage::CacheLocal);

  // The four border fills and the expansion now run inside the depthwise kernel, which reads
  // the expansion's operands instead of the padded array.
  std::vector<Kernel> kernels = extractKernels(after);
  ASSERT_EQ(kernels.size() + 5, extractKernels(before).size());
  auto depthwise = std::find_if(kernels.begin(), kernels.end(), [](const Kernel& k) { return !k.producers.empty(); });
  ASSERT_NE(depthwise, kernels.end());
  EXPECT_EQ(depthwise->producers.size(), 5u);
  const ir::State& state = after.state(depthwise->state);
  std::vector<std::string> read;
  for (ir::EdgeId e : depthwise->reads) read.push_back(state.edge(e).memlet.data);
  for (const char* array : {"x", "w1", "b1", "w2"})
    EXPECT_TRUE(std::count(read.begin(), read.end(), std::string(array))) << array;
  EXPECT_FALSE(std::count(read.begin(), read.end(), kPadded));
  for (const char* origin : {"expand", "act1", "dw"})
    EXPECT_TRUE(std::count(depthwise->origins.begin(), depthwise->origins.end(), std::string(origin))) << origin;

  // It is neither written nor read through memory: every byte of it, twice, is gone; the work
  // is all there, and no storage is planned for it.
  auto total = [](const ir::Graph& g, double KernelTraffic::*field) {
    double sum = 0;
    for (const KernelTraffic& k : analyzeDataMovement(g)) sum += k.*field;
    return sum;
  };
  EXPECT_EQ(total(before, &KernelTraffic::bytesMoved) - total(after, &KernelTraffic::bytesMoved),
            2.0 * static_cast<double>(after.array(kPadded).bytes()));
  EXPECT_EQ(total(before, &KernelTraffic::flops), total(after, &KernelTraffic::flops));
  EXPECT_FALSE(planMemory(after, kernels, runOnceKernels(after, kernels)).placements.count(kPadded));

  testing::expectSameOutputs(before, after);
  testing::expectSameOutputs(before, after, "cpu", 1e-5);
}

TEST(HaloTiling, AStrideTwoDepthwiseConvolutionIsTiledToo) {
  ir::Graph graph = beforeHaloTiling(testing::invertedResidualJson(4, 8, 9, 2));
  EXPECT_EQ(whyNotHaloTiled(graph, kPadded, 1024), std::nullopt);
  ir::Graph tiled = graph;
  ASSERT_EQ(tileHalos(tiled, 1024), 1);
  testing::expectSameOutputs(graph, tiled, "cpu", 1e-5);
}

/// ResNet's stem over a 128x128 image: a 7x7 convolution of stride 2 to 8 channels, Relu and a
/// 3x3 max pooling of stride 2, then (`widen`) a 1x1 convolution, which keeps the pooling's
/// output a transient.
std::string stemJson(bool widen) {
  return R"({"format": "conflux-graph", "version": 1, "name": "stem",
    "tensors": {"x": {"shape": [1, 3, 128, 128], "dtype": "float32", "kind": "input"},
                "w": )" + testing::constantTensorJson("[8, 3, 7, 7]", 8 * 3 * 49) + R"(,
                "w2": )" + testing::constantTensorJson("[8, 8, 1, 1]", 64) + R"(,
                "y": {"shape": [1, 8, 32, 32], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "conv1", "op": "Conv", "inputs": ["x", "w"], "outputs": ["c"],
               "attrs": {"strides": [2, 2], "pads": [3, 3, 3, 3]}},
              {"name": "relu", "op": "Relu", "inputs": ["c"], "outputs": ["r"]},
              {"name": "maxpool", "op": "MaxPool", "inputs": ["r"], "outputs": [")" + std::string(widen ? "p" : "y") + R"("],
               "attrs": {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}})" +
         (widen ? R"(,
              {"name": "widen", "op": "Conv", "inputs": ["p", "w2"], "outputs": ["y"]})" : "") + "]}";
}

TEST(HaloTiling, TheStemConvolutionIsComputedPerTileOfTheMaxPoolingAfterIt) {
  // The pooling's windows read a channels-last padded copy of the convolution's output (-inf
  // border): a loop over the pooling's output rows (o0) reads bands of its rows, one over its
  // channels (c) does not. The cpu target computes the convolution per band of rows where the
  // pooling's threads split its rows (its output a channels-last transient), and whole before
  // it, inside its kernel, where they split its channels (the row-major graph output).
  for (bool widen : {true, false}) {
    ir::Graph graph = beforeHaloTiling(stemJson(widen));
    ir::Graph tiled = graph;
    ASSERT_EQ(tileHalos(tiled, 1024), 1) << widen;
    const std::string padded = "maxpool_padded";
    EXPECT_EQ(tiled.array(padded).storage, ir::Storage::CacheLocal);
    std::vector<Kernel> kernels = extractKernels(tiled);
    auto pooling = std::find_if(kernels.begin(), kernels.end(), [](const Kernel& k) { return !k.producers.empty(); });
    ASSERT_NE(pooling, kernels.end());
    EXPECT_TRUE(readsRowBands(tiled, *pooling, padded, "o0"));
    EXPECT_FALSE(readsRowBands(tiled, *pooling, padded, "c"));
    EXPECT_FALSE(readsRowBands(tiled, *pooling, padded, "o1"));
    testing::expectSameOutputs(graph, tiled, "cpu", 1e-5);
  }
}

TEST(HaloTiling, CacheLocalArraysSetByHandAreNestedOrRejected) {
  // IR JSON may mark any array cache-local. The depthwise output too: the depthwise kernel,
  // with the expansion inside it, becomes a producer of the projection — which the cpu target
  // refuses by name (one level of producers), and the reference computes as before. An array
  // no kernel reads: an error naming its writer.
  ir::Graph graph = beforeHaloTiling(testing::invertedResidualJson(4, 8, 6, 1));
  ASSERT_EQ(tileHalos(graph, 1024), 1);
  ir::Graph chained = graph;
  chained.array("d1").storage = ir::Storage::CacheLocal;
  std::vector<Kernel> kernels = extractKernels(chained);
  auto projection = std::find_if(kernels.begin(), kernels.end(), [](const Kernel& k) { return !k.producers.empty(); });
  ASSERT_NE(projection, kernels.end());
  ASSERT_EQ(projection->producers.size(), 1u);
  EXPECT_EQ(projection->producers.front().producers.size(), 5u);
  EXPECT_EQ(analyzeDataMovement(chained).size(), kernels.size());
  try {
    api::compile(chained, "cpu");
    ADD_FAILURE() << "the cpu target compiled a producer with producers";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("one level of cache-local arrays"), std::string::npos) << e.what();
  }
  testing::expectSameOutputs(graph, chained);

  ir::Graph unread = graph;
  unread.array("y").storage = ir::Storage::CacheLocal;
  try {
    extractKernels(unread);
    ADD_FAILURE() << "a cache-local array no kernel reads was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("writes only cache-local arrays, which no kernel after it reads"),
              std::string::npos)
        << e.what();
  }
}

TEST(HaloTiling, WhatIsNotTiledSaysWhy) {
  ir::Graph graph = beforeHaloTiling(testing::invertedResidualJson(4, 8, 6, 1));
  EXPECT_EQ(whyNotHaloTiled(graph, kPadded, 2048), "'dw_padded' (2048 bytes) fits the cache (2048)");
  EXPECT_EQ(whyNotHaloTiled(graph, "x", 0), "'x' is not a transient");
  EXPECT_EQ(whyNotHaloTiled(graph, "w1", 0), "'w1' is not a transient");
  EXPECT_EQ(whyNotHaloTiled(graph, "nothing", 0), "there is no array 'nothing'");
  // The depthwise output feeds the projection, which sums over its channels.
  std::optional<std::string> projection = whyNotHaloTiled(graph, "d1", 0);
  ASSERT_TRUE(projection.has_value());
  EXPECT_NE(projection->find("sums over a whole dimension of it"), std::string::npos) << *projection;
  EXPECT_EQ(findHaloTilingCandidates(graph, 1024), std::vector<std::string>{kPadded});
  EXPECT_EQ(tileHalos(graph, 2048), 0);
}

TEST(HaloTiling, AConvolutionThatSumsOverChannelsReadsItsPaddedInputFromMemory) {
  // A 1x1 convolution before a dense 3x3 one (ResNet's bottleneck): each output tile of the 3x3
  // convolution needs every channel of its input.
  ir::Graph graph = beforeHaloTiling(R"({"format": "conflux-graph", "version": 1, "name": "bottleneck",
    "tensors": {"x": {"shape": [1, 4, 6, 6], "dtype": "float32", "kind": "input"},
                "w1": )" + testing::constantTensorJson("[8, 4, 1, 1]", 32) + R"(,
                "w2": )" + testing::constantTensorJson("[8, 8, 3, 3]", 576) + R"(,
                "y": {"shape": [1, 8, 6, 6], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "reduce", "op": "Conv", "inputs": ["x", "w1"], "outputs": ["r"]},
              {"name": "act", "op": "Relu", "inputs": ["r"], "outputs": ["r1"]},
              {"name": "conv", "op": "Conv", "inputs": ["r1", "w2"], "outputs": ["y"], "attrs": {"pads": [1, 1, 1, 1]}}]})");
  std::optional<std::string> why = whyNotHaloTiled(graph, "conv_padded", 0);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("sums over a whole dimension of it"), std::string::npos) << *why;
  EXPECT_TRUE(findHaloTilingCandidates(graph, 0).empty());
}

}  // namespace
}  // namespace conflux::passes
