// Kernel extraction and per-kernel data movement (FLOPs, Q, D) on hand-checked cases.
#include <gtest/gtest.h>

#include "ir/memlet_propagation.h"
#include "passes/data_movement.h"
#include "passes/kernels.h"
#include "tests/ir/example_graphs.h"
#include "tests/passes/library_graphs.h"

namespace conflux::passes {
namespace {

TEST(Kernels, OneKernelPerTopLevelMapWithItsOrigins) {
  std::vector<Kernel> kernels = extractKernels(testing::matmulBiasRelu());
  ASSERT_EQ(kernels.size(), 3u);
  EXPECT_EQ(kernels[0].name, "k0_zero");
  EXPECT_EQ(kernels[1].name, "k1_matmul");
  EXPECT_EQ(kernels[2].name, "k2_bias_relu");
  EXPECT_EQ(kernels[1].origins, std::vector<std::string>{"fc1"});
  EXPECT_EQ(kernels[2].origins, (std::vector<std::string>{"bias", "act"}));
  EXPECT_EQ(kernels[1].nodes.size(), 3u);  // entry, exit, tasklet
  EXPECT_EQ(kernels[1].reads.size(), 2u);  // x, w
  EXPECT_EQ(kernels[1].writes.size(), 1u);  // h
}

TEST(Kernels, AStateKernelIsThePartitionsKernelUnnamed) {
  ir::Graph graph = testing::matmulBiasRelu();  // two states: the zero fill, then the rest
  std::vector<StateKernels> states;
  for (size_t s = 0; s < graph.states().size(); ++s) states.emplace_back(graph, s);
  for (const Kernel& k : extractKernels(graph)) {
    const StateKernels& byRoot = states.at(k.state);
    ASSERT_TRUE(byRoot.isRoot(k.root)) << k.name;
    const Kernel& same = byRoot.at(k.root);
    EXPECT_EQ(same.nodes, k.nodes) << k.name;
    EXPECT_EQ(same.reads, k.reads) << k.name;
    EXPECT_EQ(same.writes, k.writes) << k.name;
    EXPECT_EQ(same.origins, k.origins) << k.name;
    EXPECT_TRUE(same.name.empty());
    for (ir::NodeId inner : k.nodes) {
      if (inner == k.root) continue;
      EXPECT_FALSE(byRoot.isRoot(inner)) << k.name;  // exits and bodies root nothing
    }
  }
}

TEST(Kernels, OnlyTheBorderFillsOfAPaddedCopyRunOnce) {
  ir::Graph graph = testing::expandedGraph(R"({"format": "conflux-graph", "version": 1, "name": "conv",
    "tensors": {"x": {"shape": [1, 2, 6, 6], "dtype": "float32", "kind": "input"},
                "w": {"shape": [3, 2, 3, 3], "dtype": "float32", "kind": "input"},
                "y": {"shape": [1, 3, 6, 6], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "conv", "op": "Conv", "inputs": ["x", "w"], "outputs": ["y"],
               "attrs": {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}}]})");
  std::vector<Kernel> kernels = extractKernels(graph);
  std::vector<bool> once = runOnceKernels(graph, kernels);
  ASSERT_EQ(once.size(), kernels.size());
  int fills = 0;
  for (size_t i = 0; i < kernels.size(); ++i) {
    bool fill = kernels[i].name.find("pad_fill") != std::string::npos;
    fills += fill ? 1 : 0;
    // The four border slabs hold zeros for good; the interior copy, the output's init (y is
    // no transient) and the convolution run every time.
    EXPECT_EQ(once[i], fill) << kernels[i].name;
  }
  EXPECT_EQ(fills, 4);
}

TEST(DataMovement, MatMulHasTwoMknFlopsAndQOfEachOperandOnce) {
  const double m = 8, k = 16, n = 32;
  std::vector<KernelTraffic> traffic = analyzeDataMovement(testing::matmulBiasRelu());
  const KernelTraffic& mm = traffic[1];
  EXPECT_EQ(mm.flops, 2 * m * k * n);
  EXPECT_EQ(mm.bytesMin, 4 * (m * k + k * n + m * n));
  EXPECT_EQ(mm.bytesMoved, mm.bytesMin);  // untiled: streams each operand once
  const KernelTraffic& biasRelu = traffic[2];
  EXPECT_EQ(biasRelu.flops, 2 * m * n);                   // add, max
  EXPECT_EQ(biasRelu.bytesMin, 4 * (m * n + n + m * n));  // h, b, y
}

TEST(DataMovement, ConvolutionReadsThePaddedTileOnce) {
  std::vector<KernelTraffic> traffic = analyzeDataMovement(testing::conv3x3Tile(3, 8, 8, 4));
  ASSERT_EQ(traffic.size(), 1u);
  EXPECT_EQ(traffic[0].flops, 2.0 * 4 * 8 * 8 * 3 * 9);
  EXPECT_EQ(traffic[0].bytesMin, 4.0 * (3 * 10 * 10 + 4 * 3 * 9 + 4 * 8 * 8));
}

TEST(DataMovement, TiledKernelMovesEachTileFootprintOncePerTile) {
  // 2x2 tiles of a 4x4 window over x[10,10] with a 3x3 stencil into y[8,8] (WCR max).
  ir::Graph g("tiled");
  g.addArray("x", ir::DataDesc{ir::DType::F32, {10, 10}, {}, ir::Storage::Global, false});
  g.addArray("y", ir::DataDesc{ir::DType::F32, {8, 8}, {}, ir::Storage::Global, false});
  ir::State s("s");
  ir::NodeId x = s.addAccess("x");
  ir::NodeId y = s.addAccess("y");
  auto [oEntry, oExit] = s.addMap("tiles", ir::Map{{"th", "tw"}, ir::Subset::parse("0:1, 0:1"), {}});
  auto [iEntry, iExit] = s.addMap(
      "tile", ir::Map{{"h", "w", "r", "q"}, ir::Subset::parse("4*th:4*th+3, 4*tw:4*tw+3, 0:2, 0:2"), {}});
  ir::NodeId t = s.addTasklet("id", ir::Tasklet{{"a"}, {{"b", ir::ref("a", ir::DType::F32)}}});
  s.addEdge(x, "", oEntry, "IN_x", ir::Memlet::of("x", "0:9, 0:9"));
  s.addEdge(oEntry, "OUT_x", iEntry, "IN_x", ir::Memlet::of("x", "0:9, 0:9"));
  s.addEdge(iEntry, "OUT_x", t, "a", ir::Memlet::of("x", "h + r, w + q"));
  s.addEdge(t, "b", iExit, "IN_y", ir::Memlet::of("y", "h, w", ir::Wcr::Max));
  s.addEdge(iExit, "OUT_y", oExit, "IN_y", ir::Memlet::of("y", "0:7, 0:7", ir::Wcr::Max));
  s.addEdge(oExit, "OUT_y", y, "", ir::Memlet::of("y", "0:7, 0:7", ir::Wcr::Max));
  g.addState(std::move(s));
  ir::propagateMemlets(g);

  std::vector<KernelTraffic> traffic = analyzeDataMovement(g);
  ASSERT_EQ(traffic.size(), 1u);
  EXPECT_EQ(traffic[0].bytesMin, 4.0 * (10 * 10 + 8 * 8));
  // 4 tiles x (6x6 input halo tile + 2 x 4x4 output tile read-combine-write).
  EXPECT_EQ(traffic[0].bytesMoved, 4 * 4.0 * (6 * 6 + 2 * 4 * 4));
  EXPECT_EQ(traffic[0].flops, 8.0 * 8 * 9);  // only the WCR max is arithmetic
}

}  // namespace
}  // namespace conflux::passes
