// attention-fusion: QKᵀ (with its scale and mask), softmax and ·V become one kernel whose row
// buffers hold one query row's scores and probabilities, so nothing of size L × L reaches
// memory; what does not fuse says why; the fused graph computes what the unfused one does on
// the reference and cpu targets, whichever shapes its tiles do not fill.
#include <gtest/gtest.h>

#include "ir/printer.h"
#include "passes/attention_fusion.h"
#include "passes/data_movement.h"
#include "passes/kernel_patterns.h"
#include "passes/kernels.h"
#include "passes/softmax_form.h"
#include "tests/passes/attention_graphs.h"
#include "tests/passes/library_graphs.h"
#include "tests/support/golden.h"

namespace conflux::passes {
namespace {

using testing::AttentionSpec;
using testing::attentionFused;
using testing::attentionJson;
using testing::expandedGraph;
using testing::expectSameOutputs;
using testing::rowFused;

/// Expects the fused graph of `json` to compute what the unfused one does, on both targets.
void expectSameAsUnfused(const std::string& json, const ir::Graph& fused) {
  ir::Graph before = expandedGraph(json);
  expectSameOutputs(before, fused, "reference", 1e-6);
  expectSameOutputs(before, fused, "cpu", 1e-5);
}

double elements(const std::vector<int64_t>& batch, std::initializer_list<int64_t> last) {
  double n = 1;
  for (int64_t d : batch) n *= static_cast<double>(d);
  for (int64_t d : last) n *= static_cast<double>(d);
  return n;
}

TEST(AttentionFusion, ScaledMaskedAttentionIsOneKernelThatMovesOnlyItsOperands) {
  AttentionSpec a{.scale = true, .mask = "padding"};
  std::string json = attentionJson(a);
  ir::Graph three = rowFused(json);
  ASSERT_EQ(extractKernels(three).size(), 3u);  // q·kᵀ with its scale and mask, softmax, ·v
  ir::Graph after = attentionFused(three);

  std::vector<KernelTraffic> kernels = analyzeDataMovement(after);
  ASSERT_EQ(kernels.size(), 1u);
  double operands = elements(a.batch, {a.queries, a.depth}) + elements(a.batch, {a.depth, a.keys}) +
                    elements(a.batch, {a.keys, a.values}) + elements({a.batch.front()}, {a.keys}) +
                    elements(a.batch, {a.queries, a.values}) + 1;  // and the scale
  EXPECT_EQ(kernels[0].bytesMin, 4 * operands);
  EXPECT_EQ(kernels[0].bytesMoved, kernels[0].bytesMin);
  // Unfused, the scores went through memory three times and the probabilities twice.
  double movedBefore = 0;
  for (const KernelTraffic& k : analyzeDataMovement(three)) movedBefore += k.bytesMoved;
  EXPECT_GE(movedBefore, kernels[0].bytesMoved + 4 * 4 * elements(a.batch, {a.queries, a.keys}));
  for (const char* buffer : {"scores", "probabilities"}) {
    EXPECT_EQ(after.array(buffer).storage, ir::Storage::Register) << buffer;
    EXPECT_EQ(after.array(buffer).shape, std::vector<int64_t>{a.keys}) << buffer;
  }
  EXPECT_EQ(testing::kernelsAtLevel(json, 3), 1u);
  expectSameAsUnfused(json, after);
}

TEST(AttentionFusion, GoldenBeforeAndAfter) {
  AttentionSpec a{.batch = {2}, .queries = 3, .keys = 4, .depth = 2, .values = 2, .scale = true, .mask = ""};
  ir::Graph three = rowFused(attentionJson(a));
  ir::Graph after = attentionFused(three);
  testing::expectMatchesGolden(ir::print(three), "tests/passes/golden/attention_fusion.before.txt");
  testing::expectMatchesGolden(ir::print(after), "tests/passes/golden/attention_fusion.after.txt");
}

TEST(AttentionFusion, TheCpuTargetSeesTheKernelsParts) {
  ir::Graph graph = attentionFused(rowFused(attentionJson(AttentionSpec{})));
  std::vector<Kernel> kernels = extractKernels(graph);
  ASSERT_EQ(kernels.size(), 1u);
  std::optional<AttentionKernel> attention = attentionKernel(graph.state(0), kernels[0]);
  ASSERT_TRUE(attention.has_value());
  EXPECT_EQ(attention->scoreBuffer, "scores");
  EXPECT_EQ(attention->probabilityBuffer, "probabilities");
  EXPECT_EQ(attention->softmax.reductions.size(), 2u);  // maximum, sum of exponentials
  EXPECT_EQ(attention->scores.wcr, ir::Wcr::Sum);
  EXPECT_EQ(attention->output.wcr, ir::Wcr::Sum);
  // It is no row kernel any more: the cpu target must not lower it as one.
  EXPECT_FALSE(rowKernel(graph.state(0), kernels[0]).has_value());
}

TEST(AttentionFusion, ACausalMaskFromAConstantConditionComesAlong) {
  std::string json = attentionJson(AttentionSpec{.scale = true, .mask = "causal"});
  ir::Graph after = attentionFused(rowFused(json));
  EXPECT_EQ(extractKernels(after).size(), 1u);
  expectSameAsUnfused(json, after);
}

TEST(AttentionFusion, ShapesNoTileFillsComputeTheSame) {
  // 6 queries (blocks of 2), 10 keys and 5 values (no whole vector), 3 deep, one batch dimension.
  std::string json = attentionJson(
      AttentionSpec{.batch = {2}, .queries = 6, .keys = 10, .depth = 3, .values = 5, .scale = false, .mask = ""});
  expectSameAsUnfused(json, attentionFused(rowFused(json)));
}

TEST(AttentionFusion, ProbabilitiesThatAreAnOutputTooAreNotFusedAndSayWhy) {
  std::string json = attentionJson(AttentionSpec{});
  std::string declared = R"("o": {"shape": [2, 3, 16, 8], "dtype": "float32", "kind": "output"})";
  json.replace(json.find(declared), declared.size(),
               declared + R"(, "probabilities": {"shape": [2, 3, 16, 16], "dtype": "float32", "kind": "output"})");
  ir::Graph graph = rowFused(json);
  std::vector<Kernel> kernels = extractKernels(graph);
  std::optional<std::string> why;
  for (const Kernel& k : kernels)
    if (rowKernel(graph.state(0), k)) why = whyNotAttentionFusable(graph, 0, k.root);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("no transient"), std::string::npos) << *why;
  EXPECT_EQ(fuseAttentions(graph), 0);
}

TEST(AttentionFusion, TheSoftmaxBetweenTheContractionsIsReadFromItsTasklets) {
  // What lets a target run an online softmax: exp(x - max) / sum with x the scaled, masked score.
  ir::Graph graph = attentionFused(rowFused(attentionJson(AttentionSpec{.scale = true, .mask = "padding"})));
  std::optional<AttentionKernel> attention = attentionKernel(graph.state(0), extractKernels(graph).front());
  ASSERT_TRUE(attention.has_value());
  std::optional<SoftmaxForm> form = softmaxForm(graph.state(0), attention->softmax);
  ASSERT_TRUE(form.has_value());
  EXPECT_EQ(ir::toString(form->input), "((in0_1 * in1_1) + in1)");  // score * 0.125 + mask
  EXPECT_EQ(ir::toString(form->exponential), "exp((((in0_1 * in1_1) + in1) - max))");
  // A layer norm's row kernel is no softmax.
  ir::Graph norm = rowFused(R"({"format": "conflux-graph", "version": 1, "name": "norm",
    "tensors": {"x": {"shape": [4, 32], "dtype": "float32", "kind": "input"},
                "g": {"shape": [32], "dtype": "float32", "kind": "input"},
                "y": {"shape": [4, 32], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "ln", "op": "LayerNormalization", "inputs": ["x", "g"], "outputs": ["y"],
               "attrs": {"axis": -1, "epsilon": 1e-5}}]})");
  std::optional<RowKernel> row = rowKernel(norm.state(0), extractKernels(norm).front());
  ASSERT_TRUE(row.has_value());
  EXPECT_FALSE(softmaxForm(norm.state(0), *row).has_value());
}

}  // namespace
}  // namespace conflux::passes
