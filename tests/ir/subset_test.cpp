// Subset and Range: text round trip, sizes, substitution and free symbols.
#include "ir/subset.h"

#include <gtest/gtest.h>

#include "ir/error.h"

namespace conflux::ir {
namespace {

TEST(Subset, ParseAndPrintRoundTrip) {
  for (const char* text : {"i, 0:511, 0:15:2", "2*j + k:2*j + k + 1:2", "0", "i + 1, j"}) {
    Subset s = Subset::parse(text);
    EXPECT_EQ(s.toString(), text);
    EXPECT_EQ(Subset::parse(s.toString()), s);
  }
  EXPECT_EQ(Subset::parse("").rank(), 0u);
  EXPECT_EQ(Subset::parse("").toString(), "");
}

TEST(Subset, ParseBuildsPointsRangesAndSteps) {
  Subset s = Subset::parse("i, 0:511, 0:15:2");
  ASSERT_EQ(s.rank(), 3u);
  EXPECT_EQ(s.ranges[0], Range::point(AffineExpr::symbol("i")));
  EXPECT_EQ(s.ranges[1].begin, AffineExpr(0));
  EXPECT_EQ(s.ranges[1].end, AffineExpr(511));
  EXPECT_EQ(s.ranges[1].step, 1);
  EXPECT_EQ(s.ranges[2].step, 2);
  // A range whose ends coincide prints as a point.
  EXPECT_EQ(Subset::parse("3:3").toString(), "3");
  // Commas and colons inside parentheses do not split.
  EXPECT_EQ(Subset::parse("(i + 1):(i + 2)").toString(), "i + 1:i + 2");
}

TEST(Subset, NumElementsConstantAndSymbolic) {
  EXPECT_EQ(Subset::parse("i, 0:511, 0:15:2").numElements(), 512 * 8);
  EXPECT_EQ(Subset::parse("0:14:2").numElements(), 8);
  EXPECT_EQ(Subset::parse("j:j + 3").numElements(), 4);
  EXPECT_EQ(Subset::parse("").numElements(), 1);
  EXPECT_EQ(Subset::parse("5:4").numElements(), 0);
  EXPECT_EQ(Subset::parse("0:i").numElements(), std::nullopt);
  EXPECT_EQ(Range::point(AffineExpr::symbol("i")).size(), 1);
}

TEST(Subset, FullCoversShape) {
  Subset s = Subset::full({8, 32});
  EXPECT_EQ(s.toString(), "0:7, 0:31");
  EXPECT_EQ(s.numElements(), 256);
  EXPECT_EQ(Subset::full({1}).toString(), "0");
}

TEST(Subset, MayOverlapUnlessSomeDimensionSeparatesTheBoxes) {
  Subset interior = Subset::parse("0, 0:3, 1:6, 1:6");
  EXPECT_TRUE(interior.mayOverlap(Subset::parse("0, 2, 6:7, 0:7")));
  EXPECT_FALSE(interior.mayOverlap(Subset::parse("0, 0:3, 7, 0:7")));   // the bottom row
  EXPECT_FALSE(Subset::parse("0, 0:3, 0:7, 0").mayOverlap(interior));   // the left column
  EXPECT_TRUE(interior.mayOverlap(Subset::parse("0, 0:3, i, 1")));      // unknown bounds
}

TEST(Subset, SubstituteReplacesInEveryBound) {
  Subset s = Subset::parse("i, 4*t:4*t + 3, 0:15:2");
  Subset r = s.substitute("t", AffineExpr(2));
  EXPECT_EQ(r.toString(), "i, 8:11, 0:15:2");
  EXPECT_EQ(r.ranges[2].step, 2);
  EXPECT_EQ(s.substitute("i", AffineExpr::parse("j + 1")).toString(), "j + 1, 4*t:4*t + 3, 0:15:2");
}

TEST(Subset, FreeSymbolsSortedAndUnique) {
  EXPECT_EQ(Subset::parse("k, 2*j + i:2*j + i + 1, k").freeSymbols(),
            (std::vector<std::string>{"i", "j", "k"}));
  EXPECT_TRUE(Subset::parse("0:7, 3").freeSymbols().empty());
}

TEST(Subset, BadTextThrows) {
  EXPECT_THROW(Subset::parse("0:15:0"), Error);
  EXPECT_THROW(Subset::parse("0:15:-1"), Error);
  EXPECT_THROW(Subset::parse("0:15:k"), Error);
  EXPECT_THROW(Subset::parse("0:1:2:3"), Error);
  EXPECT_THROW(Subset::parse("i, "), Error);
  EXPECT_THROW(Subset::parse("i*j"), Error);
}

}  // namespace
}  // namespace conflux::ir
