// Element types, layouts (row-major and blocked) and data descriptors.
#include "ir/data_desc.h"

#include <gtest/gtest.h>

#include "ir/error.h"

namespace conflux::ir {
namespace {

TEST(DType, NamesBytesAndParsing) {
  EXPECT_EQ(dtypeName(DType::F32), "f32");
  EXPECT_EQ(dtypeName(DType::BF16), "bf16");
  EXPECT_EQ(dtypeName(DType::Bool), "bool");
  EXPECT_EQ(dtypeBytes(DType::F32), 4);
  EXPECT_EQ(dtypeBytes(DType::F16), 2);
  EXPECT_EQ(dtypeBytes(DType::I64), 8);
  EXPECT_EQ(dtypeBytes(DType::Bool), 1);
  EXPECT_EQ(parseDType("i32", "t"), DType::I32);
  EXPECT_EQ(parseDType("float32", "t"), DType::F32);
  EXPECT_EQ(parseDType("bfloat16", "t"), DType::BF16);
  EXPECT_EQ(parseDType("int64", "t"), DType::I64);
  for (DType d : {DType::F32, DType::BF16, DType::F16, DType::I64, DType::I32, DType::Bool})
    EXPECT_EQ(parseDType(dtypeName(d), "t"), d);
  EXPECT_TRUE(isFloat(DType::BF16));
  EXPECT_FALSE(isFloat(DType::I32));
}

TEST(DType, UnknownNameNamesWhat) {
  try {
    parseDType("float128", "tensor 'x'");
    FAIL() << "expected conflux::Error";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("tensor 'x'"), std::string::npos) << message;
    EXPECT_NE(message.find("float128"), std::string::npos) << message;
  }
}

TEST(Layout, RowMajor) {
  Layout l = Layout::rowMajor(3);
  EXPECT_EQ(l.order, (std::vector<int>{0, 1, 2}));
  EXPECT_TRUE(l.isRowMajor());
  EXPECT_EQ(l.toString(), "row_major");
  EXPECT_EQ(l.physicalShape({2, 3, 4}), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(l.offset({2, 3, 4}, {1, 2, 3}), 1 * 12 + 2 * 4 + 3);
  EXPECT_EQ(Layout::parse("row_major", 3, "t"), l);
}

TEST(Layout, PermutedOrder) {
  Layout nhwc{{0, 2, 3, 1}, {}};
  EXPECT_FALSE(nhwc.isRowMajor());
  EXPECT_EQ(nhwc.toString(), "order(0,2,3,1)");
  EXPECT_EQ(Layout::parse(nhwc.toString(), 4, "t"), nhwc);
  // NCHW shape [1,3,4,5] stored as NHWC [1,4,5,3]: (n,c,h,w) -> ((n*4 + h)*5 + w)*3 + c.
  EXPECT_EQ(nhwc.physicalShape({1, 3, 4, 5}), (std::vector<int64_t>{1, 4, 5, 3}));
  EXPECT_EQ(nhwc.offset({1, 3, 4, 5}, {0, 2, 1, 3}), (1 * 5 + 3) * 3 + 2);
}

TEST(Layout, StridesFollowTheOrder) {
  EXPECT_EQ(Layout::rowMajor(4).strides({2, 3, 4, 5}), (std::vector<int64_t>{60, 20, 5, 1}));
  Layout nhwc{{0, 2, 3, 1}, {}};
  EXPECT_EQ(nhwc.strides({2, 3, 4, 5}), (std::vector<int64_t>{60, 1, 15, 3}));
  EXPECT_EQ(nhwc.innermost(), 1);
  EXPECT_EQ(Layout::rowMajor(0).innermost(), -1);
  EXPECT_THROW((Layout{{0, 1, 2, 3}, {{1, 16}}}.strides({1, 32, 4, 4})), Error);
}

TEST(Layout, BlockedNChw16c) {
  Layout l{{0, 1, 2, 3}, {{1, 16}}};
  EXPECT_FALSE(l.isRowMajor());
  EXPECT_EQ(l.toString(), "order(0,1,2,3) block(1:16)");
  EXPECT_EQ(Layout::parse(l.toString(), 4, "t"), l);
  std::vector<int64_t> shape{1, 32, 4, 4};
  EXPECT_EQ(l.physicalShape(shape), (std::vector<int64_t>{1, 2, 4, 4, 16}));
  // Physical index (n, c/16, h, w, c%16) in shape [1,2,4,4,16]: strides 512, 256, 64, 16, 1.
  EXPECT_EQ(l.offset(shape, {0, 0, 0, 0}), 0);
  EXPECT_EQ(l.offset(shape, {0, 1, 0, 0}), 1);
  EXPECT_EQ(l.offset(shape, {0, 0, 0, 1}), 16);
  EXPECT_EQ(l.offset(shape, {0, 17, 0, 0}), 256 + 1);
  EXPECT_EQ(l.offset(shape, {0, 31, 3, 2}), 256 + 3 * 64 + 2 * 16 + 15);
}

TEST(Layout, ParseErrors) {
  EXPECT_THROW(Layout::parse("column_major", 2, "t"), Error);
  EXPECT_THROW(Layout::parse("order(0,x)", 2, "t"), Error);
  EXPECT_THROW(Layout::parse("order(0,1", 2, "t"), Error);
  EXPECT_THROW(Layout::parse("order(0,1) block(1)", 2, "t"), Error);
}

TEST(DataDesc, NumElementsAndBytes) {
  DataDesc d;
  d.shape = {8, 16};
  EXPECT_EQ(d.numElements(), 128);
  EXPECT_EQ(d.bytes(), 512);
  d.dtype = DType::BF16;
  EXPECT_EQ(d.bytes(), 256);
  DataDesc scalar;
  scalar.dtype = DType::I64;
  EXPECT_EQ(scalar.numElements(), 1);
  EXPECT_EQ(scalar.bytes(), 8);
}

}  // namespace
}  // namespace conflux::ir
