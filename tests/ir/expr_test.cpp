// Tasklet expressions: checked factories, result dtypes, text form, equality and references.
#include "ir/expr.h"

#include <gtest/gtest.h>

#include "ir/error.h"

namespace conflux::ir {
namespace {

TEST(Expr, BinaryRequiresMatchingDtypes) {
  Expr f = ref("a", DType::F32);
  Expr i = ref("n", DType::I64);
  EXPECT_THROW(binary(BinaryOp::Add, f, i), Error);
  EXPECT_THROW(binary(BinaryOp::Lt, f, i), Error);
  EXPECT_THROW(binary(BinaryOp::And, f, f), Error);
  EXPECT_EQ(binary(BinaryOp::Add, i, constant(1, DType::I64))->dtype, DType::I64);
  EXPECT_EQ(binary(BinaryOp::Mul, f, f)->dtype, DType::F32);
}

TEST(Expr, UnaryChecksOperandDtype) {
  EXPECT_THROW(unary(UnaryOp::Not, ref("a", DType::F32)), Error);
  EXPECT_THROW(unary(UnaryOp::Exp, ref("n", DType::I32)), Error);
  EXPECT_EQ(unary(UnaryOp::Not, ref("c", DType::Bool))->dtype, DType::Bool);
  EXPECT_EQ(unary(UnaryOp::Neg, ref("n", DType::I64))->dtype, DType::I64);
  EXPECT_EQ(unary(UnaryOp::Sqrt, ref("h", DType::F16))->dtype, DType::F16);
  EXPECT_EQ(unary(UnaryOp::IsNaN, ref("a", DType::F32))->dtype, DType::Bool);
}

TEST(Expr, SelectRequiresBoolConditionAndMatchingBranches) {
  Expr a = ref("a", DType::F32);
  Expr b = ref("b", DType::F32);
  EXPECT_THROW(select(ref("c", DType::F32), a, b), Error);
  EXPECT_THROW(select(ref("c", DType::I32), a, b), Error);
  EXPECT_THROW(select(ref("c", DType::Bool), a, ref("n", DType::I64)), Error);
  EXPECT_EQ(select(ref("c", DType::Bool), a, b)->dtype, DType::F32);
}

TEST(Expr, ComparisonsYieldBool) {
  Expr a = ref("a", DType::F32);
  for (BinaryOp op :
       {BinaryOp::Eq, BinaryOp::Ne, BinaryOp::Lt, BinaryOp::Le, BinaryOp::Gt, BinaryOp::Ge}) {
    EXPECT_TRUE(isComparison(op));
    EXPECT_EQ(binary(op, a, constant(0))->dtype, DType::Bool) << binaryOpName(op);
  }
  EXPECT_FALSE(isComparison(BinaryOp::Max));
  EXPECT_EQ(cast(binary(BinaryOp::Gt, a, a), DType::F32)->dtype, DType::F32);
}

TEST(Expr, ToStringForms) {
  Expr a = ref("a", DType::F32);
  Expr b = ref("b", DType::F32);
  EXPECT_EQ(toString(binary(BinaryOp::Max, binary(BinaryOp::Mul, a, b), constant(0))),
            "max((a * b), 0.0)");
  EXPECT_EQ(toString(select(binary(BinaryOp::Lt, a, b), a, b)), "select((a < b), a, b)");
  EXPECT_EQ(toString(cast(ref("x", DType::I64), DType::F32)), "f32(x)");
  EXPECT_EQ(toString(unary(UnaryOp::Neg, a)), "-(a)");
  EXPECT_EQ(toString(unary(UnaryOp::Exp, a)), "exp(a)");
  EXPECT_EQ(toString(constant(2.5)), "2.5");
  EXPECT_EQ(toString(constant(3, DType::I32)), "3");
  EXPECT_EQ(toString(constant(1, DType::Bool)), "true");
}

TEST(Expr, StructuralEquality) {
  Expr x = binary(BinaryOp::Add, ref("a", DType::F32), constant(1));
  Expr y = binary(BinaryOp::Add, ref("a", DType::F32), constant(1));
  EXPECT_NE(x, y);  // distinct nodes
  EXPECT_TRUE(equal(x, y));
  EXPECT_FALSE(equal(x, binary(BinaryOp::Sub, ref("a", DType::F32), constant(1))));
  EXPECT_FALSE(equal(x, binary(BinaryOp::Add, ref("b", DType::F32), constant(1))));
  EXPECT_FALSE(equal(x, binary(BinaryOp::Add, ref("a", DType::F32), constant(2))));
  EXPECT_FALSE(equal(constant(1, DType::F32), constant(1, DType::I32)));
  EXPECT_FALSE(equal(x, nullptr));
  EXPECT_TRUE(equal(nullptr, nullptr));
}

TEST(Expr, ReferencedNamesSortedAndUnique) {
  Expr e = select(binary(BinaryOp::Gt, ref("z", DType::F32), ref("a", DType::F32)),
                  binary(BinaryOp::Mul, ref("z", DType::F32), ref("m", DType::F32)), constant(0));
  EXPECT_EQ(referencedNames(e), (std::vector<std::string>{"a", "m", "z"}));
  EXPECT_TRUE(referencedNames(constant(1)).empty());
}

TEST(Expr, OperatorNamesRoundTrip) {
  EXPECT_EQ(parseUnaryOp(unaryOpName(UnaryOp::Sigmoid)), UnaryOp::Sigmoid);
  EXPECT_EQ(parseBinaryOp("max"), BinaryOp::Max);
  EXPECT_THROW(parseBinaryOp("plus"), Error);
  EXPECT_THROW(parseUnaryOp("gelu"), Error);
}

}  // namespace
}  // namespace conflux::ir
