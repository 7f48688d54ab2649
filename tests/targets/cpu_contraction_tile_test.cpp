// The register tile the cpu target picks for a contraction (contractionTile): 24 output channels
// run in two padded vectors of 16 when only constants (packed weights) move along them, in three
// half-width vectors otherwise; dimensions that whole vectors fill are never padded; tiles whose
// rows broadcast their operand run three vectors wide where 48 divides the columns.
#include <gtest/gtest.h>

#include "targets/cpu/contraction_tile.h"

namespace conflux::targets::cpu {
namespace {

constexpr int kLanes = 16;  // AVX-512, float32

/// How a 1x1 convolution writing a channels-last output of `channels` (Halide dimension 0)
/// reads its operands: the weights (operand 1) move with the channels, the image (operand 0)
/// with the other dimensions; `constantWeights` says whether the weights are a constant.
OperandUse oneByOne(bool constantWeights) {
  OperandUse use;
  use.reads = {{1}, {0}, {0}, {0}};
  use.strided.assign(4, false);
  use.packsPerRun.assign(4, false);
  use.constantsOnly = {constantWeights, false, false, false};
  return use;
}

std::optional<Tile> tileOf(int64_t channels, bool constantWeights) {
  return contractionTile(true, ir::Wcr::Sum, true, {1, 14, 14, channels}, oneByOne(constantWeights), kLanes);
}

TEST(CpuContractionTile, TwentyFourChannelsOfConstantWeightsRunInPaddedFullVectors) {
  std::optional<Tile> tile = tileOf(24, true);
  ASSERT_TRUE(tile.has_value());
  EXPECT_EQ(tile->vector, 0u);
  EXPECT_EQ(tile->lanes, kLanes);
  EXPECT_TRUE(tile->padded);
  EXPECT_EQ(packedColumns(*tile, 24, false), 32);  // one panel, 8 zero columns
}

TEST(CpuContractionTile, TwentyFourChannelsOfRunTimeWeightsRunInHalfWidthVectors) {
  // A per-run packed copy would read past the weights' end: no padding.
  std::optional<Tile> tile = tileOf(24, false);
  ASSERT_TRUE(tile.has_value());
  EXPECT_EQ(tile->vector, 0u);
  EXPECT_EQ(tile->lanes, kLanes / 2);
  EXPECT_FALSE(tile->padded);
  EXPECT_EQ(packedColumns(*tile, 24, false), 24);  // three vectors of 8
}

TEST(CpuContractionTile, ChannelsThatWholeVectorsFillOrFewerThanOneAreNeverPadded) {
  for (int64_t channels : {8, 16, 32, 40, 48}) {
    std::optional<Tile> tile = tileOf(channels, true);
    ASSERT_TRUE(tile.has_value()) << channels;
    EXPECT_FALSE(tile->padded) << channels;
  }
}

TEST(CpuContractionTile, RowsThatBroadcastTakeThreeVectorsWhereTheyDivideTheColumns) {
  // The image is broadcast along the rows, the weights loaded in vectors: 96 channels run in
  // panels of three vectors, 64 (which 48 does not divide) in two, a single row in up to eight.
  std::optional<Tile> tile = tileOf(96, true);
  ASSERT_TRUE(tile.has_value());
  EXPECT_TRUE(tile->broadcastRows);
  EXPECT_EQ(tileVectors(*tile, false), kBroadcastTileVectors);
  EXPECT_EQ(packedColumns(*tile, 96, false), 48);
  EXPECT_EQ(packedColumns(*tile, 64, false), 32);
  EXPECT_EQ(packedColumns(*tile, 128, true), 128);
}

TEST(CpuContractionTile, RowsThatLoadVectorsKeepTwoVectors) {
  // A depthwise convolution: the image moves with the channels as well as the rows, so each
  // row loads vectors of it; three vectors would load more per multiply-add, not less.
  OperandUse use = oneByOne(true);
  use.reads[0] = {0, 1};
  std::optional<Tile> tile = contractionTile(true, ir::Wcr::Sum, true, {1, 14, 14, 96}, use, kLanes);
  ASSERT_TRUE(tile.has_value());
  EXPECT_FALSE(tile->broadcastRows);
  EXPECT_EQ(tileVectors(*tile, false), kTileVectors);
  EXPECT_EQ(packedColumns(*tile, 96, false), 32);
}

}  // namespace
}  // namespace conflux::targets::cpu
