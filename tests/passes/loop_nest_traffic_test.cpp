// The cache model of loop nests (passes/loop_nest_traffic.h) on hand-checked GEMM and
// convolution nests: which operands a loop order reuses from the cache and which stream again.
#include <gtest/gtest.h>

#include "passes/loop_nest_traffic.h"
#include "tests/support/iteration_space.h"

namespace conflux::passes {
namespace {

using testing::iterationSpace;

NestOperand operand(const std::string& subset) { return {ir::Subset::parse(subset), 4}; }

/// C[i, j] += A[i, k] * B[k, j] with M = 64, K = 256, N = 512 in float32:
/// A 64 KiB, B 512 KiB, C 128 KiB.
const ir::Map kGemm = iterationSpace({{"i", 64}, {"j", 512}, {"k", 256}});
const std::vector<NestOperand> kGemmOperands{operand("i, k"), operand("k, j"), operand("i, j")};
constexpr double kKiB = 1024;

TEST(LoopNestTraffic, WhatFitsInTheCacheMovesOnce) {
  EXPECT_EQ(loopNestTraffic(kGemm, {{"j", 32}, {"i", 8}}, kGemmOperands, 1 << 20), 704 * kKiB);
  EXPECT_EQ(loopNestTraffic(kGemm, {{"i", 8}, {"j", 32}}, kGemmOperands, 1 << 20), 704 * kKiB);
}

TEST(LoopNestTraffic, ColumnPanelsOutermostReuseAWhileBStreamsPastEveryRowTile) {
  // Panels outermost: one panel's working set (A, a 32-column slice of B and of C: 104 KiB)
  // fits 256 KiB, and A stays from one panel to the next: every element once.
  EXPECT_EQ(loopNestTraffic(kGemm, {{"j", 32}, {"i", 8}}, kGemmOperands, 256 << 10), 704 * kKiB);
  // Row tiles outermost: one row tile reads all of B (512 KiB), which does not fit, so each
  // of the 8 row tiles loads it again: A + 8 B + C.
  EXPECT_EQ(loopNestTraffic(kGemm, {{"i", 8}, {"j", 32}}, kGemmOperands, 256 << 10), (64 + 8 * 512 + 128) * kKiB);
}

TEST(LoopNestTraffic, ThreadsSplittingTheFirstLoopEachLoadWhatTheirShareReads) {
  // Each of two threads takes half of the panels: all of A, half of B and of C (384 KiB, more
  // than its cache) — loaded once, the panels fitting: 2 A + B + C.
  EXPECT_EQ(loopNestTraffic(kGemm, {{"j", 32}, {"i", 8}}, kGemmOperands, 256 << 10, 2), (2 * 64 + 512 + 128) * kKiB);
  // Splitting the rows instead: each thread's half of A and C with all of B, per row tile.
  EXPECT_EQ(loopNestTraffic(kGemm, {{"i", 32}, {"j", 32}}, kGemmOperands, 256 << 10, 2), (64 + 2 * 512 + 128) * kKiB);
}

/// A 3x3 convolution, 16 to 16 channels over a 64x64 image (its input padded to 66x66):
/// input 278784 bytes, output 262144, weights 9216.
const ir::Map kConv = iterationSpace({{"o", 16}, {"h", 64}, {"w", 64}, {"c", 16}, {"kh", 3}, {"kw", 3}});
const std::vector<NestOperand> kConvOperands{operand("c, h + kh, w + kw"), operand("o, h, w"),
                                             operand("o, c, kh, kw")};

TEST(LoopNestTraffic, ImageRowsOutermostReuseTheRowsNeighbouringOutputRowsShare) {
  // One output row reads three input rows (26 KB with the rest): they stay for the next row.
  EXPECT_EQ(loopNestTraffic(kConv, {{"h", 1}, {"o", 8}}, kConvOperands, 200000), 278784 + 262144 + 9216);
}

TEST(LoopNestTraffic, OutputChannelTilesOutermostReadTheWholeInputEach) {
  // One tile of 8 output channels reads the whole input (414 KB with its outputs and weights):
  // each of the two tiles loads it again.
  EXPECT_EQ(loopNestTraffic(kConv, {{"o", 8}, {"h", 1}}, kConvOperands, 200000), 2 * 278784 + 262144 + 9216);
}

TEST(LoopNestTraffic, RangesThatDependOnSymbolsHaveNoModel) {
  ir::Map triangle = kGemm;
  triangle.ranges.ranges[2].end = ir::AffineExpr::symbol("n");
  EXPECT_EQ(loopNestTraffic(triangle, {{"j", 32}}, kGemmOperands, 1 << 20), std::nullopt);
}

}  // namespace
}  // namespace conflux::passes
