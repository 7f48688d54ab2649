// Exact footprints and iteration counts through ISL.
#include "ir/footprint.h"

#include <gtest/gtest.h>

namespace conflux::ir {
namespace {

Map makeMap(std::vector<std::string> params, std::string_view ranges) {
  return Map{std::move(params), Subset::parse(ranges), Schedule::Sequential};
}

TEST(Footprint, StencilOverMap) {
  Map m = makeMap({"h", "w", "r", "s"}, "0:7, 0:7, 0:2, 0:2");
  Footprint f = footprintOverMaps({Subset::parse("h + r, w + s")}, {&m});
  EXPECT_EQ(f.box, Subset::parse("0:9, 0:9"));
  EXPECT_EQ(f.distinctElements, 100);
}

TEST(Footprint, StridedAccessKeepsStride) {
  Map m = makeMap({"i"}, "0:9");
  Footprint f = footprintOverMaps({Subset::parse("2*i")}, {&m});
  EXPECT_EQ(f.box, Subset::parse("0:18:2"));
  EXPECT_EQ(f.distinctElements, 10);
}

TEST(Footprint, TiledRangeStaysInOuterSymbol) {
  // The inner tile map ranges over 4*t:4*t+3; t belongs to an outer scope not given here.
  Map tile = makeMap({"i"}, "4*t:4*t+3");
  Footprint f = footprintOverMaps({Subset::parse("i, 0:15")}, {&tile});
  EXPECT_EQ(f.box, Subset::parse("4*t:4*t + 3, 0:15"));
  EXPECT_EQ(f.distinctElements, std::nullopt);

  // With the outer map in scope, t is bound too.
  Map outer = makeMap({"t"}, "0:3");
  Footprint all = footprintOverMaps({Subset::parse("i, 0:15")}, {&outer, &tile});
  EXPECT_EQ(all.box, Subset::parse("0:15, 0:15"));
  EXPECT_EQ(all.distinctElements, 256);
}

TEST(Footprint, UnionOfSubsets) {
  // Rows 0:3 and 6:7 of columns 0:4: the box spans the gap, the count does not.
  Footprint f = footprintOverMaps({Subset::parse("0:3, 0:4"), Subset::parse("6:7, 0:4")}, {});
  EXPECT_EQ(f.box, Subset::parse("0:7, 0:4"));
  EXPECT_EQ(f.distinctElements, 30);

  // Overlapping subsets count shared elements once.
  Map m = makeMap({"i"}, "0:9");
  Footprint g = footprintOverMaps({Subset::parse("i"), Subset::parse("i + 5")}, {&m});
  EXPECT_EQ(g.box, Subset::parse("0:14"));
  EXPECT_EQ(g.distinctElements, 15);
}

TEST(Footprint, IterationCountRectangularAndTriangular) {
  EXPECT_EQ(iterationCount(makeMap({"i", "j"}, "0:3, 0:3")), 16);
  EXPECT_EQ(iterationCount(makeMap({"i"}, "0:15:4")), 4);
  // j in 0:i for i in 0:3: 1 + 2 + 3 + 4 iterations.
  EXPECT_EQ(iterationCount(makeMap({"i", "j"}, "0:3, 0:i")), 10);
  // A range in a symbol bound by no scope has no constant count.
  EXPECT_EQ(iterationCount(makeMap({"i"}, "0:n")), std::nullopt);
}

}  // namespace
}  // namespace conflux::ir
