// The cpu target's contraction schedules, each on a graph that selects it, against the reference
// target: a blocked long-reduction GEMM, GEMMs three vectors wide, a convolution blocked by window taps, 24 channels in padded
// vectors, a stride-2 convolution (lanes along output channels),
// a transposed convolution (tiles over merged output columns), a depthwise convolution (lanes along image columns), and a small-image convolution whose
// constant weights are packed once at load and must stay packed across runs, and a MobileNet
// block whose transients are channels-last, an attention whose rows outgrow the cache (an
// online softmax over blocks of keys, also where a whole block is masked with -inf), and one
// whose values are a slice of wider rows (packed per head), and a 16-channel convolution whose
// one-vector tiles take 16 rows and unroll their window; MobileNet blocks whose expansion is
// computed per row of the depthwise convolution (halo-tiling); window rows on a zero padding
// skipped, borders of other values read; ResNet-like 3x3 convolutions by Winograd's algorithm
// (passes/winograd_selection.h); a constant of 24 columns that a padded tile reads.
#include <gtest/gtest.h>

#include <cmath>

#include "api/conflux.h"
#include "api/random_inputs.h"
#include "passes/kernel_patterns.h"
#include "passes/kernels.h"
#include "targets/cpu/attention_plan.h"
#include "targets/target_registry.h"
#include "tests/support/graph_json.h"

namespace conflux {
namespace {

using testing::constantTensorJson;
using testing::loadGraphJson;

/// Runs `graph` unoptimised on the reference target and at -O3 on the cpu target, on two sets of
/// random inputs through one executable; expects every output within `tolerance` (relative to
/// max(1, |reference|)). Returns the optimised graph.
ir::Graph expectCpuMatchesReference(const ir::Graph& graph, double tolerance,
                                    const ir::TargetDesc& target = targets::targetDesc("cpu")) {
  ir::Graph optimised = graph;
  api::optimize(optimised, {});
  std::unique_ptr<api::Executable> reference = api::compile(graph, "reference");
  std::unique_ptr<api::Executable> cpu = api::compile(optimised, target);
  for (uint64_t seed : {3, 4}) {
    api::TensorMap inputs = api::randomInputs(graph, seed);
    api::TensorMap want = reference->run(inputs), got = cpu->run(inputs);
    for (const std::string& name : graph.outputs())
      for (int64_t i = 0; i < want.at(name).numElements(); ++i) {
        double w = want.at(name).at(i);
        EXPECT_NEAR(got.at(name).at(i), w, tolerance * std::max(1.0, std::abs(w)))
            << name << " element " << i << ", seed " << seed;
      }
  }
  return optimised;
}

TEST(CpuSchedules, ALongReductionGemmRunsInBlocks) {
  // B is 1 MiB (its panels go outermost) and K = 2048 (four blocks of 512 steps).
  expectCpuMatchesReference(loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "gemm",
    "tensors": {"x": {"shape": [16, 2048], "dtype": "float32", "kind": "input"},
                "w": {"shape": [2048, 128], "dtype": "float32", "kind": "input"},
                "b": {"shape": [128], "dtype": "float32", "kind": "input"},
                "y": {"shape": [16, 128], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "mm", "op": "MatMul", "inputs": ["x", "w"], "outputs": ["h"]},
              {"name": "bias", "op": "Add", "inputs": ["h", "b"], "outputs": ["y"]}]})", "gemm"),
                            1e-4);
}

TEST(CpuSchedules, GemmsWhoseRowsBroadcastRunThreeVectorsOfColumns) {
  // 96 and 144 columns run in panels of 48: constant weights packed at load (13 rows, the last
  // tile guarded), run-time weights packed per run, and a long reduction (K = 2048, B 768 KiB:
  // its panels outermost, four blocks of 512 steps).
  expectCpuMatchesReference(loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "wide",
    "tensors": {"x": {"shape": [13, 64], "dtype": "float32", "kind": "input"},
                "w1": )" + constantTensorJson("[64, 96]", 64 * 96) + R"(,
                "b1": )" + constantTensorJson("[96]", 96) + R"(,
                "w2": {"shape": [96, 144], "dtype": "float32", "kind": "input"},
                "y": {"shape": [13, 144], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "mm1", "op": "MatMul", "inputs": ["x", "w1"], "outputs": ["h"]},
              {"name": "bias", "op": "Add", "inputs": ["h", "b1"], "outputs": ["h1"]},
              {"name": "mm2", "op": "MatMul", "inputs": ["h1", "w2"], "outputs": ["y"]}]})", "wide"),
                            1e-4);
  expectCpuMatchesReference(loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "long",
    "tensors": {"x": {"shape": [16, 2048], "dtype": "float32", "kind": "input"},
                "w": {"shape": [2048, 96], "dtype": "float32", "kind": "input"},
                "y": {"shape": [16, 96], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "mm", "op": "MatMul", "inputs": ["x", "w"], "outputs": ["y"]}]})", "long"),
                            1e-4);
}

/// One convolution-like node `op` (with `attrs`, JSON) from x of `xShape` and run-time weights w
/// of `wShape` to y of `yShape` (shapes as JSON arrays).
ir::Graph oneConvolution(const std::string& op, const std::string& xShape, const std::string& wShape,
                         const std::string& yShape, const std::string& attrs) {
  return loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "one",
    "tensors": {"x": {"shape": )" + xShape + R"(, "dtype": "float32", "kind": "input"},
                "w": {"shape": )" + wShape + R"(, "dtype": "float32", "kind": "input"},
                "y": {"shape": )" + yShape + R"(, "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "conv", "op": ")" + op + R"(", "inputs": ["x", "w"], "outputs": ["y"], "attrs": )" +
                           attrs + "}]}",
                       op);
}

TEST(CpuSchedules, AStrideTwoConvolutionRunsItsLanesAlongChannels) {
  expectCpuMatchesReference(oneConvolution("Conv", "[1, 3, 32, 32]", "[32, 3, 7, 7]", "[1, 32, 16, 16]",
                                           R"({"strides": [2, 2], "pads": [3, 3, 3, 3]})"),
                            1e-4);
}

TEST(CpuSchedules, ATransposedConvolutionRunsRegisterTiles) {
  // UNet's upsampling: each output column 2w + b merges two parameters; lanes run along the
  // output channels instead, rows along the merged columns.
  expectCpuMatchesReference(
      oneConvolution("ConvTranspose", "[1, 32, 8, 8]", "[32, 16, 2, 2]", "[1, 16, 16, 16]", R"({"strides": [2, 2]})"),
      1e-4);
}

TEST(CpuSchedules, AConvolutionWhosePanelOutgrowsHalfOfL2RunsTapByTap) {
  // 512 input channels x 9 taps x 32 columns: 576 KiB a panel, more than half of L2, so each
  // window tap's slice runs over all rows before the next tap.
  expectCpuMatchesReference(oneConvolution("Conv", "[1, 512, 4, 4]", "[64, 512, 3, 3]", "[1, 64, 4, 4]",
                                           R"({"pads": [1, 1, 1, 1]})"),
                            1e-4);
}

TEST(CpuSchedules, WindowRowsOnAZeroPaddingAreNeverComputed) {
  // Over a 7x7 image padded by one, the taps of the window's top row read only zeros for the
  // top output row: they are skipped. A NaN weight there shows it: the top row stays what it is
  // without those taps, every other row is NaN (as all of them are on the reference target,
  // where 0 * NaN is NaN).
  ir::Graph graph = oneConvolution("Conv", "[1, 32, 7, 7]", "[64, 32, 3, 3]", "[1, 64, 7, 7]",
                                   R"({"pads": [1, 1, 1, 1]})");
  ir::Graph optimised = graph;
  api::optimize(optimised, {});
  api::TensorMap inputs = api::randomInputs(graph, 5), zeroed = inputs;
  ir::Tensor& w = inputs.at("w");
  for (int64_t i = 0; i < w.numElements(); ++i)
    if (i / 3 % 3 == 0) {  // kernel row 0
      w.set(i, std::nan(""));
      zeroed.at("w").set(i, 0);
    }
  ir::Tensor got = api::compile(optimised, "cpu")->run(inputs).at("y");
  ir::Tensor want = api::compile(graph, "reference")->run(zeroed).at("y");
  for (int64_t i = 0; i < got.numElements(); ++i) {
    if (i / 7 % 7 == 0) {
      EXPECT_NEAR(got.at(i), want.at(i), 1e-4 * std::max(1.0, std::abs(want.at(i)))) << "element " << i;
    } else {
      EXPECT_TRUE(std::isnan(got.at(i))) << "element " << i;
    }
  }
}

TEST(CpuSchedules, ABorderOtherThanTheIdentityIsRead) {
  // A Pad node's border of 2.5 before a convolution, and a max pooling over a padded input:
  // every tap that reads a border counts, or is skipped exactly.
  expectCpuMatchesReference(loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "pads",
    "tensors": {"x": {"shape": [1, 16, 7, 7], "dtype": "float32", "kind": "input"},
                "w": {"shape": [32, 16, 3, 3], "dtype": "float32", "kind": "input"},
                "pads": {"shape": [8], "dtype": "int64", "kind": "constant", "data": [0, 0, 1, 1, 0, 0, 1, 1]},
                "value": {"shape": [], "dtype": "float32", "kind": "constant", "data": [2.5]},
                "y": {"shape": [1, 32, 7, 7], "dtype": "float32", "kind": "output"},
                "z": {"shape": [1, 16, 7, 7], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "act", "op": "Relu", "inputs": ["x"], "outputs": ["h"]},
              {"name": "pad", "op": "Pad", "inputs": ["h", "pads", "value"], "outputs": ["p"], "attrs": {"mode": "constant"}},
              {"name": "conv", "op": "Conv", "inputs": ["p", "w"], "outputs": ["y"]},
              {"name": "pool", "op": "MaxPool", "inputs": ["x"], "outputs": ["z"],
               "attrs": {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}}]})", "pads"),
                            1e-4);
}

TEST(CpuSchedules, ADepthwiseConvolutionWithConstantWeights) {
  expectCpuMatchesReference(loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "dw",
    "tensors": {"x": {"shape": [1, 32, 20, 20], "dtype": "float32", "kind": "input"},
                "w": )" + constantTensorJson("[32, 1, 3, 3]", 288) + R"(,
                "y": {"shape": [1, 32, 20, 20], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "conv", "op": "Conv", "inputs": ["x", "w"], "outputs": ["h"],
               "attrs": {"group": 32, "pads": [1, 1, 1, 1]}},
              {"name": "act", "op": "Relu", "inputs": ["h"], "outputs": ["y"]}]})", "dw"),
                            1e-4);
}

TEST(CpuSchedules, ConstantWeightsPackedAtLoadServeEveryRun) {
  // 64 output channels over a 7x7 image: lanes along channels read the weights packed once.
  expectCpuMatchesReference(loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "small",
    "tensors": {"x": {"shape": [1, 32, 7, 7], "dtype": "float32", "kind": "input"},
                "w": )" + constantTensorJson("[64, 32, 3, 3]", 64 * 32 * 9) + R"(,
                "y": {"shape": [1, 64, 7, 7], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "conv", "op": "Conv", "inputs": ["x", "w"], "outputs": ["y"],
               "attrs": {"pads": [1, 1, 1, 1]}}]})", "small"),
                            1e-4);
}

TEST(CpuSchedules, ANarrowConvolutionUnrollsItsWindowAlongSixteenRows) {
  // A 3x3 convolution to 16 channels, channels-last for the 1x1 one after it: tiles one vector
  // wide take all 14 image columns as rows, the window's columns unrolled inside (sharing the
  // values each row broadcasts).
  expectCpuMatchesReference(loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "narrow",
    "tensors": {"x": {"shape": [1, 24, 14, 14], "dtype": "float32", "kind": "input"},
                "w1": )" + constantTensorJson("[16, 24, 3, 3]", 16 * 24 * 9) + R"(,
                "w2": )" + constantTensorJson("[96, 16, 1, 1]", 96 * 16) + R"(,
                "y": {"shape": [1, 96, 14, 14], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "narrow", "op": "Conv", "inputs": ["x", "w1"], "outputs": ["n"], "attrs": {"pads": [1, 1, 1, 1]}},
              {"name": "widen", "op": "Conv", "inputs": ["n", "w2"], "outputs": ["y"]}]})", "narrow"),
                            1e-4);
}

TEST(CpuSchedules, TwentyFourChannelsRunInPaddedFullVectorsWithTheirBias) {
  // A 1x1 convolution to 24 channels with a constant bias between two that keep it
  // channels-last: its tiles run two vectors of 16 over the 24 channels (weights packed with 8
  // zero columns), their accumulators start from the bias read at its last column past the
  // end, and the output is stored in three vectors of 8.
  expectCpuMatchesReference(loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "c24",
    "tensors": {"x": {"shape": [1, 16, 14, 14], "dtype": "float32", "kind": "input"},
                "w1": )" + constantTensorJson("[96, 16, 1, 1]", 96 * 16) + R"(,
                "w2": )" + constantTensorJson("[24, 96, 1, 1]", 24 * 96) + R"(,
                "b2": )" + constantTensorJson("[24]", 24) + R"(,
                "w3": )" + constantTensorJson("[48, 24, 1, 1]", 48 * 24) + R"(,
                "y": {"shape": [1, 48, 14, 14], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "expand", "op": "Conv", "inputs": ["x", "w1"], "outputs": ["e"]},
              {"name": "act", "op": "Relu", "inputs": ["e"], "outputs": ["e1"]},
              {"name": "project", "op": "Conv", "inputs": ["e1", "w2", "b2"], "outputs": ["p"]},
              {"name": "widen", "op": "Conv", "inputs": ["p", "w3"], "outputs": ["y"]}]})", "c24"),
                            1e-4);
}

TEST(CpuSchedules, AnInvertedResidualBlockRunsChannelsLast) {
  // MobileNet's block over a 7x7 image: expand 24 -> 144 channels, depthwise 3x3, project back
  // to 24 and add the input. select-layouts keeps the transients channels-last; the projection
  // writes the row-major graph output, whose 7 columns and 24 channels no whole vectors fill (it
  // runs without vectors), and its residual add reads the row-major x.
  ir::Graph optimised = expectCpuMatchesReference(loadGraphJson(R"({"format": "conflux-graph", "version": 1,
    "name": "inverted_residual",
    "tensors": {"x": {"shape": [1, 24, 7, 7], "dtype": "float32", "kind": "input"},
                "w1": )" + constantTensorJson("[144, 24, 1, 1]", 144 * 24) + R"(,
                "w2": )" + constantTensorJson("[144, 1, 3, 3]", 144 * 9) + R"(,
                "w3": )" + constantTensorJson("[24, 144, 1, 1]", 24 * 144) + R"(,
                "y": {"shape": [1, 24, 7, 7], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "expand", "op": "Conv", "inputs": ["x", "w1"], "outputs": ["e"]},
              {"name": "act1", "op": "Relu", "inputs": ["e"], "outputs": ["e1"]},
              {"name": "dw", "op": "Conv", "inputs": ["e1", "w2"], "outputs": ["d"],
               "attrs": {"group": 144, "pads": [1, 1, 1, 1]}},
              {"name": "act2", "op": "Relu", "inputs": ["d"], "outputs": ["d1"]},
              {"name": "project", "op": "Conv", "inputs": ["d1", "w3"], "outputs": ["p"]},
              {"name": "residual", "op": "Add", "inputs": ["p", "x"], "outputs": ["y"]}]})", "inverted_residual"),
                                                         1e-4);
  int channelsLast = 0;
  for (const auto& [name, desc] : optimised.arrays())
    if (desc.transient && desc.shape.size() == 4 && !desc.layout.isRowMajor()) ++channelsLast;
  EXPECT_GE(channelsLast, 2);  // the expanded and the depthwise activations
  EXPECT_TRUE(optimised.array("x").layout.isRowMajor());
  EXPECT_TRUE(optimised.array("y").layout.isRowMajor());
}

/// True when `graph` keeps the depthwise convolution's padded input cache-local (halo-tiling).
bool paddedInputIsCacheLocal(const ir::Graph& graph) {
  return graph.hasArray("dw_padded") && graph.array("dw_padded").storage == ir::Storage::CacheLocal;
}

TEST(CpuSchedules, AMobileNetBlockComputesItsExpansionPerRowOfTheDepthwiseConvolution) {
  // 24 -> 144 channels over 44x44: the padded expansion (1.2 MB) outgrows L2, so halo-tiling
  // makes it cache-local. The depthwise kernel computes the expansion (with its bias, at the
  // border's clamped coordinates) a row at a time, each thread over its half of the rows, and
  // reads its zero border from the fills' values.
  ir::Graph optimised = expectCpuMatchesReference(loadGraphJson(testing::invertedResidualJson(24, 144, 44, 1), "ir44"), 1e-4);
  EXPECT_TRUE(paddedInputIsCacheLocal(optimised));
  // Stride 2 over an odd 61x61 image: each output row needs two new rows of the expansion.
  optimised = expectCpuMatchesReference(loadGraphJson(testing::invertedResidualJson(16, 96, 61, 2), "ir61"), 1e-4);
  EXPECT_TRUE(paddedInputIsCacheLocal(optimised));
  // Over 14x14 the padded expansion fits L2: it stays in memory.
  EXPECT_FALSE(paddedInputIsCacheLocal(
      expectCpuMatchesReference(loadGraphJson(testing::invertedResidualJson(16, 96, 14, 1), "ir14"), 1e-4)));
}

TEST(CpuSchedules, AnAttentionWhoseRowsOutgrowTheCacheRunsAnOnlineSoftmax) {
  // softmax(q·kᵀ · 0.125 + mask)·v over 2 x 2 heads of 16 queries and 512 keys. With an L2 of
  // 64 KiB, 8 query rows' scores, exponentials and probabilities (48 KiB) outgrow half of it:
  // the kernel runs over 16 blocks of 32 keys (3 KiB of buffers, under a sixteenth of L2),
  // rescaling its running sums as the maximum grows.
  ir::Graph graph = loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "attention",
    "tensors": {"q": {"shape": [2, 2, 16, 8], "dtype": "float32", "kind": "input"},
                "kt": {"shape": [2, 2, 8, 512], "dtype": "float32", "kind": "input"},
                "v": {"shape": [2, 2, 512, 16], "dtype": "float32", "kind": "input"},
                "mask": {"shape": [2, 1, 1, 512], "dtype": "float32", "kind": "input"},
                "scale": {"shape": [], "dtype": "float32", "kind": "constant", "data": [0.125]},
                "o": {"shape": [2, 2, 16, 16], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "qk", "op": "MatMul", "inputs": ["q", "kt"], "outputs": ["s"]},
              {"name": "scaled", "op": "Mul", "inputs": ["s", "scale"], "outputs": ["ss"]},
              {"name": "masked", "op": "Add", "inputs": ["ss", "mask"], "outputs": ["sm"]},
              {"name": "softmax", "op": "Softmax", "inputs": ["sm"], "outputs": ["p"], "attrs": {"axis": -1}},
              {"name": "pv", "op": "MatMul", "inputs": ["p", "v"], "outputs": ["o"]}]})", "attention");
  ir::TargetDesc smallCache = targets::targetDesc("cpu");
  smallCache.memories.at(1).bytes = 64 << 10;
  ir::Graph optimised = expectCpuMatchesReference(graph, 1e-5, smallCache);
  std::vector<passes::Kernel> kernels = passes::extractKernels(optimised);
  ASSERT_EQ(kernels.size(), 1u);
  std::optional<passes::AttentionKernel> attention = passes::attentionKernel(optimised.state(0), kernels[0]);
  ASSERT_TRUE(attention.has_value());
  EXPECT_EQ(targets::cpu::onlineKeyBlock(optimised.state(0), *attention, smallCache), 32);
  // With this machine's 1 MiB L2 the rows fit: whole rows, no online softmax.
  EXPECT_FALSE(targets::cpu::onlineKeyBlock(optimised.state(0), *attention, targets::targetDesc("cpu")));
}

TEST(CpuSchedules, AnAttentionReadingItsValuesFromWiderRowsPacksThemPerHead) {
  // softmax(q·kᵀ)·v with v columns 16..31 of rows of 48 (a head's values in a fused QKV
  // projection's output): the slice is read in place, and the values packed once per head,
  // like the keys, into rows of their own.
  ir::Graph graph = loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "attention",
    "tensors": {"q": {"shape": [2, 2, 16, 8], "dtype": "float32", "kind": "input"},
                "kt": {"shape": [2, 2, 8, 64], "dtype": "float32", "kind": "input"},
                "vw": {"shape": [2, 2, 64, 48], "dtype": "float32", "kind": "input"},
                "starts": {"shape": [1], "dtype": "int64", "kind": "constant", "data": [16]},
                "ends": {"shape": [1], "dtype": "int64", "kind": "constant", "data": [32]},
                "axes": {"shape": [1], "dtype": "int64", "kind": "constant", "data": [3]},
                "o": {"shape": [2, 2, 16, 16], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "slice", "op": "Slice", "inputs": ["vw", "starts", "ends", "axes"], "outputs": ["v"]},
              {"name": "qk", "op": "MatMul", "inputs": ["q", "kt"], "outputs": ["s"]},
              {"name": "softmax", "op": "Softmax", "inputs": ["s"], "outputs": ["p"], "attrs": {"axis": -1}},
              {"name": "pv", "op": "MatMul", "inputs": ["p", "v"], "outputs": ["o"]}]})", "attention");
  ir::Graph optimised = expectCpuMatchesReference(graph, 1e-5);
  std::vector<passes::Kernel> kernels = passes::extractKernels(optimised);
  ASSERT_EQ(kernels.size(), 1u);
  EXPECT_TRUE(passes::attentionKernel(optimised.state(0), kernels[0]).has_value());
}

TEST(CpuSchedules, AKeyBlockWhollyMaskedWithMinusInfinityAddsNothingToAnOnlineSoftmax) {
  // Where(visible, q·kᵀ, -inf) with keys 32-63 hidden from every row, under the 64 KiB L2 above:
  // that key block's maximum is -inf, and its exponentials must be 0 rather than NaN. Every
  // row still sees later keys, so no key block is skipped (passes::maskedKeysFrom finds none).
  std::string visible;
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 512; ++j) visible += std::string(i || j ? ", " : "") + (j >= 32 && j < 64 ? "false" : "true");
  ir::Graph graph = loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "gap",
    "tensors": {"q": {"shape": [2, 16, 8], "dtype": "float32", "kind": "input"},
                "kt": {"shape": [2, 8, 512], "dtype": "float32", "kind": "input"},
                "v": {"shape": [2, 512, 16], "dtype": "float32", "kind": "input"},
                "visible": {"shape": [16, 512], "dtype": "bool", "kind": "constant", "data": [)" + visible + R"(]},
                "hidden": {"shape": [], "dtype": "float32", "kind": "constant", "data": [0]},
                "o": {"shape": [2, 16, 16], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "qk", "op": "MatMul", "inputs": ["q", "kt"], "outputs": ["s"]},
              {"name": "masked", "op": "Where", "inputs": ["visible", "s", "hidden"], "outputs": ["sm"]},
              {"name": "softmax", "op": "Softmax", "inputs": ["sm"], "outputs": ["p"], "attrs": {"axis": -1}},
              {"name": "pv", "op": "MatMul", "inputs": ["p", "v"], "outputs": ["o"]}]})", "gap");
  // JSON has no -inf: the fill is set on the loaded graph, as an ONNX initializer would hold it.
  graph.setConstantValue("hidden", ir::Tensor::fromDoubles(ir::DType::F32, {}, {-INFINITY}));
  ir::TargetDesc smallCache = targets::targetDesc("cpu");
  smallCache.memories.at(1).bytes = 64 << 10;
  ir::Graph optimised = expectCpuMatchesReference(graph, 1e-5, smallCache);
  std::optional<passes::AttentionKernel> attention =
      passes::attentionKernel(optimised.state(0), passes::extractKernels(optimised).front());
  ASSERT_TRUE(attention.has_value());
  EXPECT_EQ(targets::cpu::onlineKeyBlock(optimised.state(0), *attention, smallCache), 32);
}

TEST(CpuSchedules, ResNetBlocksRunTheirConvolutionsByWinograd) {
  // Two 3x3 convolutions of 128 channels with a bias, a residual add and Relus, the first over
  // a padded copy, the second over a 10x10 input without padding (8x8 out): both by Winograd's
  // F(2x2, 3x3), whose kernels the optimised graph must hold.
  const int weights = 128 * 128 * 9;
  ir::Graph optimised = expectCpuMatchesReference(loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "block",
    "tensors": {"x": {"shape": [1, 128, 8, 8], "dtype": "float32", "kind": "input"},
                "u": {"shape": [1, 128, 10, 10], "dtype": "float32", "kind": "input"},
                "w1": )" + constantTensorJson("[128, 128, 3, 3]", weights) + R"(,
                "b1": )" + constantTensorJson("[128]", 128) + R"(,
                "w2": )" + constantTensorJson("[128, 128, 3, 3]", weights) + R"(,
                "y": {"shape": [1, 128, 8, 8], "dtype": "float32", "kind": "output"},
                "z": {"shape": [1, 128, 8, 8], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "conv1", "op": "Conv", "inputs": ["x", "w1", "b1"], "outputs": ["h"], "attrs": {"pads": [1, 1, 1, 1]}},
              {"name": "add", "op": "Add", "inputs": ["h", "x"], "outputs": ["s"]},
              {"name": "act", "op": "Relu", "inputs": ["s"], "outputs": ["y"]},
              {"name": "conv2", "op": "Conv", "inputs": ["u", "w2"], "outputs": ["z"]}]})", "block"),
                            1e-4);
  int products = 0;
  for (const passes::Kernel& kernel : passes::extractKernels(optimised))
    products += kernel.name.find("winograd_product") != std::string::npos;
  EXPECT_EQ(products, 2);
}

TEST(CpuSchedules, AConstantOf24ColumnsIsPackedForTheTilePaddedPastIt) {
  // Two vectors of 16 lanes run over 24 columns: the constant is read through a packed copy
  // whose columns past its end are zero, never past the end of the array itself.
  expectCpuMatchesReference(loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "narrow_b",
    "tensors": {"x": {"shape": [8, 64], "dtype": "float32", "kind": "input"},
                "w": )" + constantTensorJson("[64, 24]", 64 * 24) + R"(,
                "y": {"shape": [8, 24], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "mm", "op": "MatMul", "inputs": ["x", "w"], "outputs": ["y"]}]})", "narrow_b"),
                            1e-4);
}

}  // namespace
}  // namespace conflux
