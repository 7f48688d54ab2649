// Exact footprints and iteration counts through ISL.
#include "ir/footprint.h"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <set>

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

/// The elements `subset` touches while the parameters of `map` range over it, by enumeration.
std::set<std::vector<int64_t>> enumerate(const Subset& subset, const Map& map) {
  std::set<std::vector<int64_t>> elements;
  std::vector<int64_t> counter(map.params.size(), 0);
  for (;;) {
    std::map<std::string, AffineExpr> values;
    for (size_t i = 0; i < counter.size(); ++i) {
      const Range& r = map.ranges.ranges[i];
      values[map.params[i]] = AffineExpr(*r.begin.constantValue() + r.step * counter[i]);
    }
    std::vector<std::vector<int64_t>> tuples{{}};
    for (const Range& range : subset.ranges) {
      AffineExpr begin = range.begin;
      for (const auto& [name, value] : values) begin = begin.substitute(name, value);
      std::vector<std::vector<int64_t>> longer;
      for (const auto& tuple : tuples)
        for (int64_t k = 0; k < *range.size(); ++k) {
          longer.push_back(tuple);
          longer.back().push_back(*begin.constantValue() + k * range.step);
        }
      tuples = std::move(longer);
    }
    elements.insert(tuples.begin(), tuples.end());
    size_t i = 0;
    for (; i < counter.size(); ++i) {
      if (++counter[i] < *map.ranges.ranges[i].size()) break;
      counter[i] = 0;
    }
    if (i == counter.size()) return elements;
  }
}

TEST(Footprint, MatchesEnumerationOnRandomAffineSubsets) {
  // Point indices that sum up to three parameters with coefficients in [-3, 3] (shared across
  // dimensions or not, with gaps or not) and strided ranges: the direct path and ISL's alike.
  std::mt19937 random(7);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random); };
  for (int trial = 0; trial < 300; ++trial) {
    Map map;
    for (int i = 0; i < pick(1, 3); ++i) {
      map.params.push_back("p" + std::to_string(i));
      int begin = pick(0, 2), step = pick(1, 2);
      map.ranges.ranges.push_back({AffineExpr(begin), AffineExpr(begin + step * pick(0, 4)), step});
    }
    Subset subset;
    for (int k = 0; k < pick(1, 2); ++k) {
      AffineExpr index(pick(0, 3));
      for (const std::string& p : map.params)
        if (pick(0, 1)) index = index + AffineExpr::symbol(p, pick(-3, 3));
      int length = pick(0, 1) ? 0 : pick(1, 3), step = pick(1, 2);
      subset.ranges.push_back({index, index + AffineExpr(length * step), step});
    }
    std::set<std::vector<int64_t>> elements = enumerate(subset, map);
    Footprint f = footprintOverMaps({subset}, {&map});
    SCOPED_TRACE(subset.toString() + " over " + map.ranges.toString());
    EXPECT_EQ(f.distinctElements, static_cast<int64_t>(elements.size()));
    for (size_t k = 0; k < subset.rank(); ++k) {
      int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min(),
              stride = 0;
      for (const auto& e : elements) lo = std::min(lo, e[k]), hi = std::max(hi, e[k]);
      for (const auto& e : elements) stride = std::gcd(stride, e[k] - lo);
      EXPECT_EQ(f.box.ranges[k].toString(),
                (Range{AffineExpr(lo), AffineExpr(hi), stride > 1 ? stride : 1}).toString())
          << "dimension " << k;
    }
  }
}

}  // namespace
}  // namespace conflux::ir
