// Memlet propagation out of map scopes gives exact subsets and volumes.
#include <gtest/gtest.h>

#include "ir/footprint.h"
#include "ir/memlet_propagation.h"
#include "ir/scope.h"
#include "tests/ir/example_graphs.h"

namespace conflux::ir {
namespace {

/// The memlet on the edge from access node `data` into a map entry (or out of a map exit).
const Memlet& outerMemlet(const State& s, const std::string& data) {
  for (EdgeId id : s.edgeIds()) {
    const Edge& e = s.edge(id);
    bool intoMap = s.node(e.dst).kind() == NodeKind::MapEntry && e.dstConn == "IN_" + data;
    bool outOfMap = s.node(e.src).kind() == NodeKind::MapExit && e.srcConn == "OUT_" + data;
    if (intoMap || outOfMap) return e.memlet;
  }
  throw std::runtime_error("no outer memlet of " + data);
}

TEST(MemletPropagation, MatMulInputsCoverWholeArraysWithExactVolumes) {
  Graph g = testing::matmulBiasRelu();
  const State& s = g.state(1);
  // x[i, k] over i < 8, j < 32, k < 16: every element of x, read 32 times.
  EXPECT_EQ(outerMemlet(s, "x").subset, Subset::parse("0:7, 0:15"));
  EXPECT_EQ(outerMemlet(s, "x").volume, 8 * 32 * 16);
  EXPECT_EQ(outerMemlet(s, "w").subset, Subset::parse("0:15, 0:31"));
  EXPECT_EQ(outerMemlet(s, "w").volume, 8 * 32 * 16);
}

TEST(MemletPropagation, WriteConflictResolutionIsKeptOnTheOuterMemlet) {
  Graph g = testing::matmulBiasRelu();
  const Memlet& h = outerMemlet(g.state(1), "h");
  EXPECT_EQ(h.wcr, Wcr::Sum);
  EXPECT_EQ(h.subset, Subset::parse("0:7, 0:31"));
}

TEST(MemletPropagation, BroadcastOperandTouchesOnlyItsOwnElements) {
  Graph g = testing::matmulBiasRelu();
  const Memlet& b = outerMemlet(g.state(1), "b");
  EXPECT_EQ(b.subset, Subset::parse("0:31"));
  EXPECT_EQ(b.volume, 8 * 32);
}

TEST(MemletPropagation, ConvolutionInputFootprintIsThePaddedTile) {
  const int64_t c = 3, h = 8, w = 8, k = 4;
  Graph g = testing::conv3x3Tile(c, h, w, k);
  const Memlet& x = outerMemlet(g.state(0), "x");
  EXPECT_EQ(x.subset, Subset::parse("0:2, 0:9, 0:9"));
  EXPECT_EQ(x.subset.numElements(), (h + 2) * (w + 2) * c);
  EXPECT_EQ(x.volume, k * h * w * c * 9);  // every multiply-accumulate reads one element
  Footprint exact = footprintOverMaps({Subset::parse("c, h + r, w + s")},
                                      {&std::get<MapEntry>(g.state(0).node(NodeId{3}).payload).map});
  EXPECT_EQ(exact.distinctElements, (h + 2) * (w + 2) * c);
}

TEST(MemletPropagation, TiledMapPropagatesPerTileThenWhole) {
  // An outer map over 2x2 tiles of 4x4 outputs; the inner map reads the 3x3 stencil.
  Graph g("tiled");
  DataDesc in{DType::F32, {1, 10, 10}, {}, Storage::Global, false};
  DataDesc out{DType::F32, {1, 8, 8}, {}, Storage::Global, false};
  g.addArray("x", in);
  g.addArray("y", out);
  State s("s");
  NodeId x = s.addAccess("x");
  NodeId y = s.addAccess("y");
  auto [oEntry, oExit] = s.addMap("tiles", Map{{"th", "tw"}, Subset::parse("0:1, 0:1"), {}});
  auto [iEntry, iExit] = s.addMap(
      "tile", Map{{"h", "w", "r", "q"}, Subset::parse("4*th:4*th+3, 4*tw:4*tw+3, 0:2, 0:2"), {}});
  NodeId t = s.addTasklet("id", Tasklet{{"a"}, {{"b", ref("a", DType::F32)}}});
  s.addEdge(x, "", oEntry, "IN_x", Memlet::of("x", "0:0, 0:9, 0:9"));
  EdgeId perTile = s.addEdge(oEntry, "OUT_x", iEntry, "IN_x", Memlet::of("x", "0:0, 0:9, 0:9"));
  s.addEdge(iEntry, "OUT_x", t, "a", Memlet::of("x", "0, h + r, w + q"));
  s.addEdge(t, "b", iExit, "IN_y", Memlet::of("y", "0, h, w", Wcr::Max));
  s.addEdge(iExit, "OUT_y", oExit, "IN_y", Memlet::of("y", "0:0, 0:7, 0:7", Wcr::Max));
  EdgeId whole = s.addEdge(oExit, "OUT_y", y, "", Memlet::of("y", "0:0, 0:7, 0:7", Wcr::Max));
  g.addState(std::move(s));
  propagateMemlets(g);

  const State& p = g.state(0);
  EXPECT_EQ(p.edge(perTile).memlet.subset, Subset::parse("0, 4*th:4*th + 5, 4*tw:4*tw + 5"));
  EXPECT_EQ(p.edge(perTile).memlet.subset.numElements(), 6 * 6);
  EXPECT_EQ(p.edge(perTile).memlet.volume, 16 * 9);
  EXPECT_EQ(p.edge(whole).memlet.subset, Subset::parse("0, 0:7, 0:7"));
  EXPECT_EQ(p.edge(whole).memlet.volume, 4 * 16 * 9);
}

TEST(MemletPropagation, ScopeTreeNestsInnerMapInOuter) {
  Graph g = testing::matmulBiasRelu();
  ScopeTree scopes(g.state(1));
  for (NodeId id : g.state(1).nodeIds()) {
    const Node& n = g.state(1).node(id);
    if (n.kind() == NodeKind::Tasklet) {
      EXPECT_TRUE(scopes.scopeOf(id).has_value()) << n.describe();
    }
    if (n.kind() == NodeKind::Access) {
      EXPECT_FALSE(scopes.scopeOf(id).has_value()) << n.describe();
    }
  }
}

}  // namespace
}  // namespace conflux::ir
