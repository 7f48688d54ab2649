// How the cpu target orders the loops over a contraction's tiles (orderTiles): by rule, and where
// the cache model (passes::loopNestTraffic) says another order moves far fewer bytes through
// each core's L2, that order — on the kernels whose measured times moved.
#include <gtest/gtest.h>

#include "passes/loop_nest_traffic.h"
#include "targets/cpu/tile_order.h"
#include "tests/support/iteration_space.h"

namespace conflux::targets::cpu {
namespace {

using testing::iterationSpace;

/// The model of a kernel over `iteration` reading and writing `accesses` (float32), whose output
/// dimension k (Halide order) is indexed by params[k].
TileTraffic model(const ir::Map& iteration, const std::vector<std::string>& accesses,
                  const std::vector<std::string>& params) {
  std::vector<passes::NestOperand> operands;
  for (const std::string& a : accesses) operands.push_back({ir::Subset::parse(a), 4});
  return [=](const std::vector<TileLoop>& loops, int64_t cacheBytes, int threads) {
    std::vector<passes::NestLoop> nest;
    for (const TileLoop& loop : loops) nest.push_back({params[loop.dim], loop.step});
    return passes::loopNestTraffic(iteration, nest, operands, cacheBytes, threads);
  };
}

/// The Halide dimension of the loop threads split.
size_t splitDimension(const TileOrder& order) { return order.loops[order.parallel].dim; }

TEST(CpuTileOrder, ThreadsSplitTheRowsOfASixteenChannelConvolutionOverALargeRowMajorImage) {
  // A 3x3 convolution, 16 to 16 channels over 512x512, row-major: lanes along the image columns
  // (dimension 0), tiles of 8 output channels (dimension 2) as rows.
  const std::vector<int64_t> shape{16, 512, 512};
  const std::vector<TileLoop> memoryOrder{{1, 1}, {2, 8}};
  TileTraffic traffic = model(iterationSpace({{"o", 16}, {"h", 512}, {"w", 512}, {"c", 16}, {"kh", 3}, {"kw", 3}}),
                              {"c, h + kh, w + kw", "o, c, kh, kw", "o, h, w"}, {"w", "h", "o"});
  // By rule, the threads take a channel tile each, and each streams the whole 16 MiB image.
  EXPECT_EQ(splitDimension(orderTiles(memoryOrder, {0, 32}, shape, 2, nullptr, {}, false)), 2u);
  // Split by rows, each reads half: the rows of neighbouring output rows stay in its cache.
  TileOrder order = orderTiles(memoryOrder, {0, 32}, shape, 2, traffic, {}, false);
  EXPECT_EQ(splitDimension(order), 1u);
  EXPECT_EQ(order.parallel, order.loops.size() - 1);  // outermost: threads start once
  EXPECT_FALSE(order.panelsOutermost);
}

TEST(CpuTileOrder, AGemmWhoseBOutgrowsTheCacheKeepsItsPanelsOutermost) {
  // 128 x 1024 by 1024 x 3072 (B 12 MiB): each thread takes half of B's panels, A stays cached.
  const std::vector<int64_t> shape{128, 3072};
  TileTraffic traffic = model(iterationSpace({{"i", 128}, {"j", 3072}, {"k", 1024}}), {"i, k", "k, j", "i, j"}, {"j", "i"});
  TileOrder order = orderTiles({{1, 8}}, {0, 32}, shape, 2, traffic, {}, true);
  EXPECT_TRUE(order.panelsOutermost);
  EXPECT_EQ(splitDimension(order), 0u);
}

TEST(CpuTileOrder, AStridedConvolutionWhoseInputOutgrowsTheCacheKeepsItsPanelsInPlace) {
  // A channels-last 3x3 stride-2 convolution, 128 to 128 channels, 56x56 to 28x28: its weights
  // (576 KiB) send the panels outermost by rule, where every thread reads all of the 1.7 MB
  // input for each of its panels; in place, split by rows, each reads half of it once.
  const std::vector<int64_t> shape{28, 28, 128};
  TileTraffic traffic =
      model(iterationSpace({{"h", 28}, {"w", 28}, {"o", 128}, {"kh", 3}, {"kw", 3}, {"c", 128}}),
            {"2*h + kh, 2*w + kw, c", "kh, kw, c, o", "h, w, o"}, {"o", "w", "h"});
  const std::vector<TileLoop> memoryOrder{{1, 7}, {2, 1}};
  EXPECT_TRUE(orderTiles(memoryOrder, {0, 32}, shape, 2, nullptr, {}, true).panelsOutermost);
  TileOrder order = orderTiles(memoryOrder, {0, 32}, shape, 2, traffic, {}, true);
  EXPECT_FALSE(order.panelsOutermost);
  EXPECT_EQ(splitDimension(order), 2u);
}

TEST(CpuTileOrder, SmallKernelsKeepTheRuleOrder) {
  // Everything fits in each core's cache: no order saves anything.
  const std::vector<int64_t> shape{16, 64, 64};
  TileTraffic traffic = model(iterationSpace({{"o", 16}, {"h", 64}, {"w", 64}, {"c", 16}, {"kh", 3}, {"kw", 3}}),
                              {"c, h + kh, w + kw", "o, c, kh, kw", "o, h, w"}, {"w", "h", "o"});
  EXPECT_EQ(splitDimension(orderTiles({{1, 1}, {2, 8}}, {0, 32}, shape, 2, traffic, {}, false)), 2u);
}

}  // namespace
}  // namespace conflux::targets::cpu
