// AffineExpr: parsing, canonical printing, arithmetic, substitution and evaluation.
#include "ir/affine_expr.h"

#include <gtest/gtest.h>

#include "ir/error.h"

namespace conflux::ir {
namespace {

TEST(AffineExpr, ParsePrintsCanonicalForm) {
  EXPECT_EQ(AffineExpr::parse("2*i + k - 1").toString(), "2*i + k - 1");
  EXPECT_EQ(AffineExpr::parse("k - 1 + i*2").toString(), "2*i + k - 1");
  EXPECT_EQ(AffineExpr::parse("-i + 3").toString(), "-i + 3");
  EXPECT_EQ(AffineExpr::parse("  7 ").toString(), "7");
  EXPECT_EQ(AffineExpr::parse("i - i").toString(), "0");
  EXPECT_EQ(AffineExpr::parse("j - 3*i").toString(), "-3*i + j");
}

TEST(AffineExpr, ParseHandlesParentheses) {
  AffineExpr e = AffineExpr::parse("2*(i + 3) - (k - 1)");
  EXPECT_EQ(e.coefficient("i"), 2);
  EXPECT_EQ(e.coefficient("k"), -1);
  EXPECT_EQ(e.constant(), 7);
  EXPECT_EQ(AffineExpr::parse("(i + 1)*4"), AffineExpr::parse("4*i + 4"));
  EXPECT_THROW(AffineExpr::parse("(i + 1"), Error);
}

TEST(AffineExpr, ArithmeticKeepsTermsCanonical) {
  AffineExpr i = AffineExpr::symbol("i");
  AffineExpr k = AffineExpr::symbol("k", 3);
  EXPECT_EQ((i * 2 + k - 1).toString(), "2*i + 3*k - 1");
  EXPECT_EQ((i + k - i).terms().size(), 1u);
  EXPECT_EQ((i - i), AffineExpr(0));
  EXPECT_EQ((-(i + 5)).toString(), "-i - 5");
  EXPECT_EQ((k * 0), AffineExpr(0));
  EXPECT_EQ(AffineExpr::symbol("j", 0).terms().size(), 0u);
}

TEST(AffineExpr, SubstituteReplacesSymbolByExpression) {
  AffineExpr e = AffineExpr::parse("2*i + k - 1");
  EXPECT_EQ(e.substitute("i", AffineExpr::parse("4*t + 1")).toString(), "k + 8*t + 1");
  EXPECT_EQ(e.substitute("k", AffineExpr(5)).toString(), "2*i + 4");
  EXPECT_EQ(e.substitute("absent", AffineExpr(9)), e);
  EXPECT_EQ(e.substitute("k", AffineExpr::parse("1 - 2*i")), AffineExpr(0));
}

TEST(AffineExpr, EvaluateWithBoundSymbols) {
  AffineExpr e = AffineExpr::parse("2*i + k - 1");
  EXPECT_EQ(e.evaluate({{"i", 3}, {"k", 10}}), 15);
  EXPECT_EQ(e.evaluate({{"i", -1}, {"k", 0}, {"unused", 99}}), -3);
  EXPECT_EQ(AffineExpr(42).evaluate({}), 42);
}

TEST(AffineExpr, EvaluateUnboundSymbolThrows) {
  AffineExpr e = AffineExpr::parse("2*i + k - 1");
  try {
    e.evaluate({{"i", 1}});
    FAIL() << "expected conflux::Error";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("'k'"), std::string::npos) << err.what();
  }
}

TEST(AffineExpr, NonAffineOrBadTextThrows) {
  EXPECT_THROW(AffineExpr::parse("i*j"), Error);
  EXPECT_THROW(AffineExpr::parse("(i + 1)*(j - 1)"), Error);
  EXPECT_THROW(AffineExpr::parse("i +"), Error);
  EXPECT_THROW(AffineExpr::parse("i / 2"), Error);
  EXPECT_THROW(AffineExpr::parse(""), Error);
  EXPECT_NO_THROW(AffineExpr::parse("3*(2*i)"));
}

TEST(AffineExpr, ConstantValueOnlyWithoutSymbols) {
  EXPECT_EQ(AffineExpr::parse("3*4 - 2").constantValue(), 10);
  EXPECT_TRUE(AffineExpr::parse("i - i + 5").isConstant());
  EXPECT_EQ(AffineExpr::parse("i + 5").constantValue(), std::nullopt);
  EXPECT_FALSE(AffineExpr::symbol("i").isConstant());
}

}  // namespace
}  // namespace conflux::ir
