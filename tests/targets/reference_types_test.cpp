// Element semantics per dtype: integer, bool and float operators, comparisons and casts.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ir/error.h"
#include "targets/reference/interpreter.h"
#include "tests/targets/reference_graphs.h"

namespace conflux::testing::reference {
namespace {

using namespace ir;

/// Evaluates out[i] = expr(a[i], b[i]) over n elements (a, b of `in`, out of the expr's dtype).
Tensor elementwise(DType in, const std::vector<double>& a, const std::vector<double>& b,
                   const std::function<Expr(Expr, Expr)>& expr) {
  int64_t n = static_cast<int64_t>(a.size());
  Expr e = expr(ref("p", in), ref("q", in));
  Graph g("elementwise");
  g.addArray("a", desc(in, {n}));
  g.addArray("b", desc(in, {n}));
  g.addArray("out", desc(e->dtype, {n}));
  g.setInputs({"a", "b"});
  g.setOutputs({"out"});
  State s("s");
  NodeId aa = s.addAccess("a"), ba = s.addAccess("b"), out = s.addAccess("out");
  addMappedTasklet(g, s, "op", {"i"}, "0:" + std::to_string(n - 1), {{aa, "p", "i"}, {ba, "q", "i"}},
                   {{out, "r", "i"}}, {e});
  g.addState(std::move(s));
  return targets::reference::run(
             g, {{"a", Tensor::fromDoubles(in, {n}, a)}, {"b", Tensor::fromDoubles(in, {n}, b)}})
      .at("out");
}

std::function<Expr(Expr, Expr)> op(BinaryOp o) {
  return [o](Expr x, Expr y) { return binary(o, x, y); };
}

template <class T>
std::vector<T> values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numElements());
}

const std::vector<double> kNumerators = {7, -7, 7, -7, 6, 0, 9};
const std::vector<double> kDivisors = {2, 2, -2, -2, 3, 5, -4};

TEST(ReferenceTypes, IntegerDivisionTruncatesTowardZero) {
  EXPECT_EQ(values<int64_t>(elementwise(DType::I64, kNumerators, kDivisors, op(BinaryOp::Div))),
            (std::vector<int64_t>{3, -3, -3, 3, 2, 0, -2}));
  EXPECT_EQ(values<int32_t>(elementwise(DType::I32, kNumerators, kDivisors, op(BinaryOp::Div))),
            (std::vector<int32_t>{3, -3, -3, 3, 2, 0, -2}));
}

TEST(ReferenceTypes, IntegerModTakesTheSignOfTheDivisor) {
  EXPECT_EQ(values<int64_t>(elementwise(DType::I64, kNumerators, kDivisors, op(BinaryOp::Mod))),
            (std::vector<int64_t>{1, 1, -1, -1, 0, 0, -3}));
  EXPECT_EQ(values<int32_t>(elementwise(DType::I32, kNumerators, kDivisors, op(BinaryOp::Mod))),
            (std::vector<int32_t>{1, 1, -1, -1, 0, 0, -3}));
}

TEST(ReferenceTypes, FloatModIsFmod) {
  std::vector<float> got = values<float>(elementwise(DType::F32, {7.5, -7.5, 7.5}, {2, 2, -2}, op(BinaryOp::Mod)));
  EXPECT_EQ(got, (std::vector<float>{1.5f, -1.5f, 1.5f}));
}

TEST(ReferenceTypes, IntegerPowMaxMinAndWrapAround) {
  EXPECT_EQ(values<int64_t>(elementwise(DType::I64, {3, -2, 2, 1, -1, 5}, {4, 3, 62, -3, -3, -1},
                                        op(BinaryOp::Pow))),
            (std::vector<int64_t>{81, -8, int64_t{1} << 62, 1, -1, 0}));
  EXPECT_EQ(values<int32_t>(elementwise(DType::I32, {3, -5}, {-4, 2}, op(BinaryOp::Max))),
            (std::vector<int32_t>{3, 2}));
  EXPECT_EQ(values<int32_t>(elementwise(DType::I32, {3, -5}, {-4, 2}, op(BinaryOp::Min))),
            (std::vector<int32_t>{-4, -5}));
  // int32 overflow wraps around instead of being undefined.
  EXPECT_EQ(values<int32_t>(elementwise(DType::I32, {2147483647.0, -2147483648.0}, {1, 1}, op(BinaryOp::Add))),
            (std::vector<int32_t>{std::numeric_limits<int32_t>::min(), -2147483647}));
  EXPECT_EQ(values<int32_t>(elementwise(DType::I32, {65536}, {65536}, op(BinaryOp::Mul))),
            (std::vector<int32_t>{0}));
}

TEST(ReferenceTypes, ComparisonsGiveBool) {
  Tensor lt = elementwise(DType::I64, {1, 2, 3}, {2, 2, 2}, op(BinaryOp::Lt));
  ASSERT_EQ(lt.dtype(), DType::Bool);
  EXPECT_EQ(values<uint8_t>(lt), (std::vector<uint8_t>{1, 0, 0}));
  EXPECT_EQ(values<uint8_t>(elementwise(DType::F32, {1, 2, NAN}, {2, 2, 2}, op(BinaryOp::Ge))),
            (std::vector<uint8_t>{0, 1, 0}));
  EXPECT_EQ(values<uint8_t>(elementwise(DType::F32, {1, NAN}, {1, NAN}, op(BinaryOp::Ne))),
            (std::vector<uint8_t>{0, 1}));
}

TEST(ReferenceTypes, BoolLogicAndSelect) {
  std::vector<double> a = {0, 0, 1, 1}, b = {0, 1, 0, 1};
  EXPECT_EQ(values<uint8_t>(elementwise(DType::Bool, a, b, op(BinaryOp::And))), (std::vector<uint8_t>{0, 0, 0, 1}));
  EXPECT_EQ(values<uint8_t>(elementwise(DType::Bool, a, b, op(BinaryOp::Or))), (std::vector<uint8_t>{0, 1, 1, 1}));
  EXPECT_EQ(values<uint8_t>(elementwise(DType::Bool, a, b, [](Expr x, Expr y) {
              return binary(BinaryOp::And, unary(UnaryOp::Not, x), y);
            })),
            (std::vector<uint8_t>{0, 1, 0, 0}));
  // select(a > b, a - b, b * 10) over i64.
  EXPECT_EQ(values<int64_t>(elementwise(DType::I64, {5, 1, -3}, {2, 4, -3}, [](Expr x, Expr y) {
              return select(binary(BinaryOp::Gt, x, y), binary(BinaryOp::Sub, x, y),
                            binary(BinaryOp::Mul, y, i64c(10)));
            })),
            (std::vector<int64_t>{3, 40, -30}));
}

TEST(ReferenceTypes, CastsTruncateSaturateAndWrap) {
  auto castTo = [](DType to) { return [to](Expr x, Expr) { return cast(x, to); }; };
  std::vector<double> floats = {2.7, -2.7, 1e20, -1e20, NAN, 0.0};
  EXPECT_EQ(values<int64_t>(elementwise(DType::F32, floats, floats, castTo(DType::I64))),
            (std::vector<int64_t>{2, -2, std::numeric_limits<int64_t>::max(),
                                  std::numeric_limits<int64_t>::min(), 0, 0}));
  EXPECT_EQ(values<int32_t>(elementwise(DType::F32, floats, floats, castTo(DType::I32))),
            (std::vector<int32_t>{2, -2, std::numeric_limits<int32_t>::max(),
                                  std::numeric_limits<int32_t>::min(), 0, 0}));
  EXPECT_EQ(values<uint8_t>(elementwise(DType::F32, floats, floats, castTo(DType::Bool))),
            (std::vector<uint8_t>{1, 1, 1, 1, 1, 0}));
  std::vector<double> ints = {4294967297.0, -1, 16777217};
  EXPECT_EQ(values<int32_t>(elementwise(DType::I64, ints, ints, castTo(DType::I32))),
            (std::vector<int32_t>{1, -1, 16777217}));
  EXPECT_EQ(values<float>(elementwise(DType::I64, ints, ints, castTo(DType::F32))),
            (std::vector<float>{4294967296.0f, -1.0f, 16777216.0f}));
  EXPECT_EQ(values<float>(elementwise(DType::Bool, {0, 1}, {0, 1}, castTo(DType::F32))),
            (std::vector<float>{0.0f, 1.0f}));
}

TEST(ReferenceTypes, FloatUnaryFunctions) {
  auto un = [](UnaryOp o) { return [o](Expr x, Expr) { return unary(o, x); }; };
  std::vector<double> halves = {0.5, 1.5, 2.5, -0.5, -1.5, 2.6, -2.4};
  EXPECT_EQ(values<float>(elementwise(DType::F32, halves, halves, un(UnaryOp::Round))),
            (std::vector<float>{0, 2, 2, -0.0f, -2, 3, -2}));
  std::vector<float> sign = values<float>(elementwise(DType::F32, {-3, 0, 4, NAN}, {0, 0, 0, 0}, un(UnaryOp::Sign)));
  EXPECT_EQ(sign[0], -1.0f);
  EXPECT_EQ(sign[1], 0.0f);
  EXPECT_EQ(sign[2], 1.0f);
  EXPECT_TRUE(std::isnan(sign[3]));
  EXPECT_EQ(values<float>(elementwise(DType::F32, {-3, 0, 4}, {0, 0, 0}, un(UnaryOp::Relu))),
            (std::vector<float>{0, 0, 4}));
  EXPECT_EQ(values<uint8_t>(elementwise(DType::F32, {1, NAN}, {0, 0}, un(UnaryOp::IsNaN))),
            (std::vector<uint8_t>{0, 1}));
  std::vector<double> xs = {-2.0, -0.3, 0.0, 0.7, 3.0};
  std::vector<float> erf = values<float>(elementwise(DType::F32, xs, xs, un(UnaryOp::Erf)));
  std::vector<float> sigmoid = values<float>(elementwise(DType::F32, xs, xs, un(UnaryOp::Sigmoid)));
  for (size_t i = 0; i < xs.size(); ++i) {
    float x = static_cast<float>(xs[i]);
    EXPECT_EQ(erf[i], std::erf(x));
    EXPECT_EQ(sigmoid[i], 1.0f / (1.0f + std::exp(-x)));
  }
  std::vector<float> pw = values<float>(elementwise(DType::F32, {2, 9, -8}, {10, 0.5, 1.0 / 3}, op(BinaryOp::Pow)));
  EXPECT_EQ(pw[0], 1024.0f);
  EXPECT_EQ(pw[1], 3.0f);
  EXPECT_TRUE(std::isnan(pw[2]));
  std::vector<float> mx = values<float>(elementwise(DType::F32, {1, NAN}, {NAN, 2}, op(BinaryOp::Max)));
  EXPECT_TRUE(std::isnan(mx[0]) && std::isnan(mx[1]));
}

TEST(ReferenceTypes, IntegerUnaryAndParameterReads) {
  auto un = [](UnaryOp o) { return [o](Expr x, Expr) { return unary(o, x); }; };
  std::vector<double> xs = {-5, 0, 7};
  EXPECT_EQ(values<int64_t>(elementwise(DType::I64, xs, xs, un(UnaryOp::Abs))), (std::vector<int64_t>{5, 0, 7}));
  EXPECT_EQ(values<int32_t>(elementwise(DType::I32, xs, xs, un(UnaryOp::Neg))), (std::vector<int32_t>{5, 0, -7}));
  EXPECT_EQ(values<int64_t>(elementwise(DType::I64, xs, xs, un(UnaryOp::Sign))), (std::vector<int64_t>{-1, 0, 1}));
  // The map parameter i read as i64: a * 100 + i.
  EXPECT_EQ(values<int64_t>(elementwise(DType::I64, xs, xs, [](Expr x, Expr) {
              return binary(BinaryOp::Add, binary(BinaryOp::Mul, x, i64c(100)), ref("i", DType::I64));
            })),
            (std::vector<int64_t>{-500, 1, 702}));
}

TEST(ReferenceTypes, IntegerDivisionByZeroIsAnErrorNamingTheNode) {
  try {
    elementwise(DType::I64, {1, 2}, {1, 0}, op(BinaryOp::Div));
    FAIL() << "expected conflux::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("integer division by zero"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("tasklet op"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace conflux::testing::reference
