// Keys a constant mask hides from an attention's query rows: found for causal masks written as a
// Where over a constant condition with a low fill or as a constant added, not for masks that
// leave a hidden key some probability or hide a whole row; the cpu target leaves them out and
// computes what the unfused graph does.
#include <gtest/gtest.h>

#include <algorithm>

#include "passes/attention_fusion.h"
#include "passes/data_movement.h"
#include "passes/kernel_patterns.h"
#include "passes/key_mask.h"
#include "targets/cpu/attention_plan.h"
#include "targets/target_registry.h"
#include "tests/passes/attention_graphs.h"
#include "tests/passes/library_graphs.h"

namespace conflux::passes {
namespace {

using testing::AttentionSpec;

/// The offset maskedKeysFrom finds in the fused attention of `a`.
std::optional<int64_t> maskedKeysOf(const AttentionSpec& a) {
  ir::Graph graph = testing::attentionFused(testing::rowFused(testing::attentionJson(a)));
  std::vector<Kernel> kernels = extractKernels(graph);
  std::optional<AttentionKernel> attention = attentionKernel(graph.state(0), kernels.front());
  EXPECT_TRUE(attention.has_value());
  if (!attention) return std::nullopt;
  return maskedKeysFrom(graph, graph.state(0), *attention);
}

TEST(MaskedKeys, ACausalConditionHidesTheKeysPastEachQueryRow) {
  EXPECT_EQ(maskedKeysOf({.scale = true, .mask = "causal"}), 1);
  // Row i sees the keys up to i + 3: the mask of a query block appended to a cache of 3 keys.
  EXPECT_EQ(maskedKeysOf({.keys = 19, .scale = true, .mask = "causal", .diagonal = 3}), 4);
}

TEST(MaskedKeys, AnAddedMaskOfTheLowestFloatHidesThemToo) {
  EXPECT_EQ(maskedKeysOf({.mask = "causal-additive", .hidden = -3.4e38}), 1);
}

TEST(MaskedKeys, MasksThatLeaveAHiddenKeySomeProbabilityHideNothing) {
  // exp(-100 - max) is no 0 in float32; -1e9 added to a score of 2e9 would not be hidden.
  EXPECT_EQ(maskedKeysOf({.mask = "causal", .hidden = -100}), std::nullopt);
  EXPECT_EQ(maskedKeysOf({.mask = "causal-additive", .hidden = -1e9}), std::nullopt);
}

TEST(MaskedKeys, ARowWithEveryKeyMaskedHidesNothing) {
  // Row 0 sees no key: its softmax is uniform over all of them, not 0.
  EXPECT_EQ(maskedKeysOf({.mask = "causal", .diagonal = -1}), std::nullopt);
}

TEST(MaskedKeys, AMaskThatIsAnInputOrNoMaskHidesNothing) {
  EXPECT_EQ(maskedKeysOf({.mask = "padding"}), std::nullopt);
  EXPECT_EQ(maskedKeysOf({.mask = ""}), std::nullopt);
}

/// The FLOPs data-movement analysis gives the fused attention of `a`.
double attentionFlops(const AttentionSpec& a) {
  ir::Graph graph = testing::attentionFused(testing::rowFused(testing::attentionJson(a)));
  return analyzeKernel(graph, extractKernels(graph).front()).flops;
}

TEST(MaskedKeys, TheReportCountsNoWorkOverTheKeysTheyHide) {
  // A fill of -100 hides nothing: the same kernel with every (query, key) pair counted. Its work
  // per pair is what 24 more keys add, per query row and key.
  AttentionSpec a{.queries = 16, .keys = 24, .scale = true, .mask = "causal", .hidden = -100};
  const double all = attentionFlops(a);
  a.keys = 48;
  const double perPair = (attentionFlops(a) - all) / static_cast<double>(a.queries * 24);
  a.keys = 24;
  a.hidden = -1e9;
  for (int64_t diagonal : {0, 5}) {
    // Row i sees the keys j <= i + diagonal.
    a.diagonal = diagonal;
    int64_t hidden = 0;
    for (int64_t i = 0; i < a.queries; ++i) hidden += a.keys - std::min(a.keys, i + diagonal + 1);
    EXPECT_NEAR(attentionFlops(a), all - perPair * static_cast<double>(hidden), 1e-9 * all) << "diagonal " << diagonal;
  }
}

TEST(MaskedKeys, TheCpuTargetLeavesThemOutAndComputesTheSame) {
  // 96 keys: the first tiles of 8 query rows read 32 of them, the last all 96.
  for (AttentionSpec a : {AttentionSpec{.batch = {2}, .queries = 96, .keys = 96, .depth = 16, .values = 16,
                                        .scale = true, .mask = "causal"},
                          AttentionSpec{.batch = {2}, .queries = 40, .keys = 96, .depth = 16, .values = 16,
                                        .scale = true, .mask = "causal", .diagonal = 50},
                          AttentionSpec{.batch = {2}, .queries = 96, .keys = 96, .depth = 16, .values = 16,
                                        .mask = "causal-additive", .hidden = -3.4e38}}) {
    SCOPED_TRACE(a.mask + ", diagonal " + std::to_string(a.diagonal));
    std::string json = testing::attentionJson(a);
    ASSERT_TRUE(maskedKeysOf(a).has_value());
    ir::Graph fused = testing::attentionFused(testing::rowFused(json));
    testing::expectSameOutputs(testing::expandedGraph(json), fused, "cpu", 1e-5);
  }
}

TEST(MaskedKeys, AnOnlineSoftmaxRunsOnlyTheKeyBlocksTheyLeave) {
  // With an L2 of 64 KiB, 512 keys run an online softmax in blocks of 32 (cpu_schedules_test);
  // a block of 16 query rows runs the key blocks that start before its last row's keys end.
  ir::TargetDesc smallCache = targets::targetDesc("cpu");
  smallCache.memories.at(1).bytes = 64 << 10;
  for (int64_t diagonal : {0, 100}) {
    AttentionSpec a{.batch = {2}, .queries = 64, .keys = 512, .depth = 16, .values = 16, .scale = true,
                    .mask = "causal", .diagonal = diagonal};
    SCOPED_TRACE("diagonal " + std::to_string(diagonal));
    std::string json = testing::attentionJson(a);
    ir::Graph fused = testing::attentionFused(testing::rowFused(json));
    std::optional<AttentionKernel> attention = attentionKernel(fused.state(0), extractKernels(fused).front());
    ASSERT_TRUE(attention.has_value());
    ASSERT_EQ(targets::cpu::onlineKeyBlock(fused.state(0), *attention, smallCache), 32);
    ASSERT_EQ(maskedKeysFrom(fused, fused.state(0), *attention), diagonal + 1);
    testing::expectSameOutputs(testing::expandedGraph(json), fused, smallCache, 1e-5);
  }
}

}  // namespace
}  // namespace conflux::passes
