// The register tile the cpu target picks for a contraction (contractionTile): 24 output channels
// run in two padded vectors of 16 when only constants (packed weights) move along them, in three
// half-width vectors otherwise; dimensions that whole vectors fill are never padded.
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

}  // namespace
}  // namespace conflux::targets::cpu
