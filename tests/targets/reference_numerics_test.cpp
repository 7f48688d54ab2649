// The reference interpreter against hand-written loops: contractions, convolutions, WCR
// reductions, strided and tiled maps, gathers, and batching across tasklets.
#include <gtest/gtest.h>

#include <cmath>

#include "targets/reference/interpreter.h"
#include "tests/ir/example_graphs.h"
#include "tests/targets/reference_graphs.h"

namespace conflux::testing::reference {
namespace {

using namespace ir;
namespace ref = targets::reference;

TEST(ReferenceNumerics, MatmulBiasReluMatchesLoops) {
  Graph g = matmulBiasRelu();
  Tensor x = randomTensor({8, 16}, 1), w = randomTensor({16, 32}, 2), b = randomTensor({32}, 3);
  auto out = ref::run(g, {{"x", x}, {"w", w}, {"b", b}});
  Tensor expected(DType::F32, {8, 32});
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 32; ++j) {
      float acc = 0;
      for (int k = 0; k < 16; ++k) acc += x.data<float>()[i * 16 + k] * w.data<float>()[k * 32 + j];
      expected.data<float>()[i * 32 + j] = std::max(acc + b.data<float>()[j], 0.0f);
    }
  ASSERT_EQ(out.size(), 1u);
  EXPECT_LT(maxRelativeError(out.at("y"), expected), 1e-5);
}

/// y[k, h, w] = sum_{c, r, s} x[c, h + r, w + s] * wt[k, c, r, s].
Tensor convLoops(const Tensor& x, const Tensor& wt, int64_t C, int64_t H, int64_t W, int64_t K) {
  Tensor y(DType::F32, {K, H, W});
  const float* px = x.data<float>();
  const float* pw = wt.data<float>();
  for (int64_t k = 0; k < K; ++k)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t w = 0; w < W; ++w) {
        float acc = 0;
        for (int64_t c = 0; c < C; ++c)
          for (int64_t r = 0; r < 3; ++r)
            for (int64_t s = 0; s < 3; ++s)
              acc += px[(c * (H + 2) + h + r) * (W + 2) + w + s] * pw[((k * C + c) * 3 + r) * 3 + s];
        y.data<float>()[(k * H + h) * W + w] = acc;
      }
  return y;
}

TEST(ReferenceNumerics, Conv3x3TileMatchesLoops) {
  const int64_t C = 5, H = 6, W = 7, K = 3;
  Graph g = conv3x3Tile(C, H, W, K);
  Tensor x = randomTensor({C, H + 2, W + 2}, 4), wt = randomTensor({K, C, 3, 3}, 5);
  auto out = ref::run(g, {{"x", x}, {"wt", wt}});
  EXPECT_LT(maxRelativeError(out.at("y"), convLoops(x, wt, C, H, W, K)), 1e-5);
}

TEST(ReferenceNumerics, PaddedConvThroughTransientMatchesLoops) {
  // A pad map copies x into the interior of a zero-filled transient; the conv map reads it.
  const int64_t C = 8, H = 10, W = 9, K = 4;
  Graph g("padded_conv");
  g.addArray("x", desc(DType::F32, {C, H, W}));
  g.addArray("xp", desc(DType::F32, {C, H + 2, W + 2}, true));
  g.addArray("wt", desc(DType::F32, {K, C, 3, 3}));
  g.addArray("y", desc(DType::F32, {K, H, W}));
  g.setInputs({"x", "wt"});
  g.setOutputs({"y"});
  State s("conv");
  NodeId x = s.addAccess("x"), xp = s.addAccess("xp"), wt = s.addAccess("wt"), y = s.addAccess("y");
  addMappedTasklet(g, s, "pad", {"c", "h", "w"}, "0:7, 0:9, 0:8", {{x, "in", "c, h, w"}},
                   {{xp, "out", "c, h + 1, w + 1"}}, {f32("in")});
  addMappedTasklet(g, s, "conv", {"k", "h", "w", "c", "r", "s"}, "0:3, 0:9, 0:8, 0:7, 0:2, 0:2",
                   {{xp, "in", "c, h + r, w + s"}, {wt, "wgt", "k, c, r, s"}},
                   {{y, "out", "k, h, w", Wcr::Sum}}, {binary(BinaryOp::Mul, f32("in"), f32("wgt"))});
  g.addState(std::move(s));
  Tensor xv = randomTensor({C, H, W}, 6), wv = randomTensor({K, C, 3, 3}, 7);
  auto out = ref::run(g, {{"x", xv}, {"wt", wv}});

  Tensor padded(DType::F32, {C, H + 2, W + 2});
  for (int64_t c = 0; c < C; ++c)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t w = 0; w < W; ++w)
        padded.data<float>()[(c * (H + 2) + h + 1) * (W + 2) + w + 1] = xv.data<float>()[(c * H + h) * W + w];
  EXPECT_LT(maxRelativeError(out.at("y"), convLoops(padded, wv, C, H, W, K)), 1e-5);
}

/// out{max,min,prod}[i] over rows of x [rows, cols], initialised by a first map.
struct Reductions {
  Tensor max, min, prod;
};

Reductions reduceRows(int64_t rows, int64_t cols, const Tensor& x) {
  Graph g("reductions");
  g.addArray("x", desc(DType::F32, {rows, cols}));
  for (const char* name : {"mx", "mn", "pr"}) g.addArray(name, desc(DType::F32, {rows}));
  g.setInputs({"x"});
  g.setOutputs({"mx", "mn", "pr"});
  State s("reduce");
  NodeId xa = s.addAccess("x");
  NodeId mx0 = s.addAccess("mx"), mn0 = s.addAccess("mn"), pr0 = s.addAccess("pr");
  std::string rowRange = "0:" + std::to_string(rows - 1);
  addMappedTasklet(g, s, "init", {"i"}, rowRange, {},
                   {{mx0, "a", "i"}, {mn0, "b", "i"}, {pr0, "c", "i"}},
                   {f32c(-1e30), f32c(1e30), f32c(1.0)});
  NodeId mx = s.addAccess("mx"), mn = s.addAccess("mn"), pr = s.addAccess("pr");
  addMappedTasklet(g, s, "reduce", {"i", "j"}, rowRange + ", 0:" + std::to_string(cols - 1),
                   {{xa, "v", "i, j"}},
                   {{mx, "a", "i", Wcr::Max}, {mn, "b", "i", Wcr::Min}, {pr, "c", "i", Wcr::Product}},
                   {f32("v"), f32("v"), f32("v")}, {mx0, mn0, pr0});
  g.addState(std::move(s));
  auto out = targets::reference::run(g, {{"x", x}});
  return {out.at("mx"), out.at("mn"), out.at("pr")};
}

/// Rows x cols chosen so that the batch runs along the reduced dimension (the WCR target is
/// the same element for every lane) or across it (a different element per lane).
class ReferenceWcr : public ::testing::TestWithParam<std::pair<int64_t, int64_t>> {};

TEST_P(ReferenceWcr, MaxMinProductMatchLoops) {
  auto [rows, cols] = GetParam();
  Tensor x(DType::F32, {rows, cols});
  // Powers of two (and signs) keep products exact in any order.
  const float values[] = {0.5f, 2.0f, -1.0f, 1.0f, -2.0f, 0.25f, 4.0f, 1.0f, -0.5f};
  for (int64_t i = 0; i < x.numElements(); ++i) x.data<float>()[i] = values[(i * 7 + i / cols) % 9];
  for (int64_t j = 0; j < cols; ++j) x.data<float>()[j] = j % 4 == 0 ? 8.0f : 0.5f;  // row 0
  Reductions r = reduceRows(rows, cols, x);
  for (int64_t i = 0; i < rows; ++i) {
    float mx = -1e30f, mn = 1e30f, pr = 1;
    for (int64_t j = 0; j < cols; ++j) {
      float v = x.data<float>()[i * cols + j];
      mx = std::max(mx, v);
      mn = std::min(mn, v);
      pr *= v;
    }
    EXPECT_EQ(r.max.data<float>()[i], mx) << "row " << i;
    EXPECT_EQ(r.min.data<float>()[i], mn) << "row " << i;
    EXPECT_EQ(r.prod.data<float>()[i], pr) << "row " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, ReferenceWcr,
                         ::testing::Values(std::pair<int64_t, int64_t>{3, 300},
                                           std::pair<int64_t, int64_t>{300, 3},
                                           std::pair<int64_t, int64_t>{5, 20}));

TEST(ReferenceNumerics, StridedRangesTouchOnlyTheirElements) {
  // y[i] = x[i] * i for i in 1:17:3 (also reading the parameter), z[j] = x[3j + 2] for j < 5.
  Graph g("strided");
  g.addArray("x", desc(DType::F32, {20}));
  g.addArray("y", desc(DType::F32, {20}));
  g.addArray("z", desc(DType::F32, {5}));
  g.setInputs({"x"});
  g.setOutputs({"y", "z"});
  State s("s");
  NodeId x = s.addAccess("x"), y = s.addAccess("y"), z = s.addAccess("z");
  addMappedTasklet(g, s, "scale", {"i"}, "1:17:3", {{x, "a", "i"}}, {{y, "b", "i"}},
                   {binary(BinaryOp::Mul, f32("a"), cast(i64("i"), DType::F32))});
  addMappedTasklet(g, s, "pick", {"j"}, "0:4", {{x, "a", "3*j + 2"}}, {{z, "b", "j"}}, {f32("a")});
  g.addState(std::move(s));
  Tensor xv = randomTensor({20}, 8);
  auto out = ref::run(g, {{"x", xv}});
  for (int i = 0; i < 20; ++i) {
    bool written = i >= 1 && i <= 17 && (i - 1) % 3 == 0;
    EXPECT_EQ(out.at("y").data<float>()[i], written ? xv.data<float>()[i] * static_cast<float>(i) : 0.0f)
        << i;
  }
  for (int j = 0; j < 5; ++j) EXPECT_EQ(out.at("z").data<float>()[j], xv.data<float>()[3 * j + 2]);
}

TEST(ReferenceNumerics, TiledMapsWithRangesFromOuterParameters) {
  // Outer map over rows i; a tasklet sets acc[i] = 100, then an inner map over j in 0:i
  // (a triangle) adds x[j] with WCR sum: acc[i] = 100 + prefix sum. A second tiled map
  // copies x in tiles t of 8: inner range 8*t : 8*t + 7.
  const int64_t n = 40;
  Graph g("tiled");
  g.addArray("x", desc(DType::F32, {n}));
  g.addArray("acc", desc(DType::F32, {n}));
  g.addArray("copy", desc(DType::F32, {n}));
  g.setInputs({"x"});
  g.setOutputs({"acc", "copy"});
  State s("s");
  NodeId x = s.addAccess("x"), acc = s.addAccess("acc");
  auto [outerEntry, outerExit] = s.addMap("rows", Map{{"i"}, Subset::parse("0:39"), Schedule::Sequential});
  NodeId init = s.addTasklet("init", Tasklet{{}, {{"o", f32c(100)}}});
  s.addEdge(outerEntry, "", init, "", Memlet::empty());
  NodeId accInit = s.addAccess("acc");
  s.addEdge(init, "o", accInit, "", Memlet::of("acc", "i"));
  auto [innerEntry, innerExit] = s.addMap("cols", Map{{"j"}, Subset::parse("0:i"), Schedule::Sequential});
  s.addEdge(accInit, "", innerEntry, "", Memlet::empty());
  s.addEdge(x, "", outerEntry, "IN_x", Memlet::of("x", "0:39"));
  s.addEdge(outerEntry, "OUT_x", innerEntry, "IN_x", Memlet::of("x", "0:i"));
  NodeId add = s.addTasklet("add", Tasklet{{"v"}, {{"o", f32("v")}}});
  s.addEdge(innerEntry, "OUT_x", add, "v", Memlet::of("x", "j"));
  s.addEdge(add, "o", innerExit, "IN_acc", Memlet::of("acc", "i", Wcr::Sum));
  NodeId accRow = s.addAccess("acc");
  s.addEdge(innerExit, "OUT_acc", accRow, "", Memlet::of("acc", "i", Wcr::Sum));
  s.addEdge(accRow, "", outerExit, "IN_acc", Memlet::of("acc", "i"));
  s.addEdge(outerExit, "OUT_acc", acc, "", Memlet::of("acc", "0:39"));

  NodeId x2 = s.addAccess("x"), copy = s.addAccess("copy");
  auto [tileEntry, tileExit] = s.addMap("tiles", Map{{"t"}, Subset::parse("0:4"), Schedule::Sequential});
  auto [elemEntry, elemExit] =
      s.addMap("elems", Map{{"e"}, Subset::parse("8*t : 8*t + 7"), Schedule::Sequential});
  s.addEdge(x2, "", tileEntry, "IN_x", Memlet::of("x", "0:39"));
  s.addEdge(tileEntry, "OUT_x", elemEntry, "IN_x", Memlet::of("x", "8*t : 8*t + 7"));
  NodeId twice = s.addTasklet("twice", Tasklet{{"v"}, {{"o", binary(BinaryOp::Add, f32("v"), f32("v"))}}});
  s.addEdge(elemEntry, "OUT_x", twice, "v", Memlet::of("x", "e"));
  s.addEdge(twice, "o", elemExit, "IN_copy", Memlet::of("copy", "e"));
  s.addEdge(elemExit, "OUT_copy", tileExit, "IN_copy", Memlet::of("copy", "8*t : 8*t + 7"));
  s.addEdge(tileExit, "OUT_copy", copy, "", Memlet::of("copy", "0:39"));
  g.addState(std::move(s));

  Tensor xv = randomTensor({n}, 9);
  auto out = ref::run(g, {{"x", xv}});
  float prefix = 0;
  for (int64_t i = 0; i < n; ++i) {
    prefix += xv.data<float>()[i];
    EXPECT_NEAR(out.at("acc").data<float>()[i], 100.0f + prefix, 1e-4) << i;
    EXPECT_EQ(out.at("copy").data<float>()[i], 2 * xv.data<float>()[i]) << i;
  }
}

TEST(ReferenceNumerics, GatherThroughLoad) {
  // out[i, j] = data[wrap(idx[i]), j]: the tasklet loads from the data column j (memlet
  // "0:4, j"), index relative to the subset's start; negative indices wrap as in Gather.
  Graph g("gather");
  g.addArray("data", desc(DType::F32, {5, 3}));
  g.addArray("idx", desc(DType::I64, {4}));
  g.addArray("out", desc(DType::F32, {4, 3}));
  g.setInputs({"data", "idx"});
  g.setOutputs({"out"});
  State s("s");
  NodeId data = s.addAccess("data"), idx = s.addAccess("idx"), out = s.addAccess("out");
  Expr wrapped = select(binary(BinaryOp::Lt, i64("k"), i64c(0)), binary(BinaryOp::Add, i64("k"), i64c(5)),
                        i64("k"));
  addMappedTasklet(g, s, "gather", {"i", "j"}, "0:3, 0:2", {{data, "d", "0:4, j"}, {idx, "k", "i"}},
                   {{out, "o", "i, j"}}, {load("d", {wrapped, i64c(0)}, DType::F32)});
  g.addState(std::move(s));
  Tensor dv = randomTensor({5, 3}, 10);
  Tensor iv = Tensor::fromDoubles(DType::I64, {4}, {4, 0, -1, 2});
  auto result = ref::run(g, {{"data", dv}, {"idx", iv}});
  const int rows[] = {4, 0, 4, 2};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_EQ(result.at("out").data<float>()[i * 3 + j], dv.data<float>()[rows[i] * 3 + j]) << i << "," << j;
}

/// Builds y[i] = tmp[reader] + 1 where tmp[writer] = 2 * x[i] is written by a first tasklet
/// of the same map body through an access node of the transient tmp.
Tensor chain(const std::string& writer, const std::string& reader, const std::string& range,
             const Tensor& x) {
  Graph g("chain");
  g.addArray("x", desc(DType::F32, {300}));
  g.addArray("tmp", desc(DType::F32, {300}, true));
  g.addArray("y", desc(DType::F32, {300}));
  g.setInputs({"x"});
  g.setOutputs({"y"});
  State s("s");
  NodeId xa = s.addAccess("x"), ya = s.addAccess("y");
  auto [entry, exit] = s.addMap("chain", Map{{"i"}, Subset::parse(range), Schedule::Sequential});
  s.addEdge(xa, "", entry, "IN_x", Memlet::of("x", "0:299"));
  NodeId t1 = s.addTasklet("double", Tasklet{{"a"}, {{"b", binary(BinaryOp::Mul, f32("a"), f32c(2))}}});
  s.addEdge(entry, "OUT_x", t1, "a", Memlet::of("x", "i"));
  NodeId tmp = s.addAccess("tmp");
  s.addEdge(t1, "b", tmp, "", Memlet::of("tmp", writer));
  NodeId t2 = s.addTasklet("inc", Tasklet{{"c"}, {{"d", binary(BinaryOp::Add, f32("c"), f32c(1))}}});
  s.addEdge(tmp, "", t2, "c", Memlet::of("tmp", reader));
  s.addEdge(t2, "d", exit, "IN_y", Memlet::of("y", "i"));
  s.addEdge(exit, "OUT_y", ya, "", Memlet::of("y", "0:299"));
  g.addState(std::move(s));
  return targets::reference::run(g, {{"x", x}}).at("y");
}

TEST(ReferenceNumerics, ScalarTransientInsideMapIsPrivatePerIteration) {
  // tmp[0] is rewritten by every iteration: each must read its own value (2x + 1).
  Tensor x = randomTensor({300}, 11);
  Tensor y = chain("0", "0", "0:299", x);
  for (int i = 0; i < 300; ++i) EXPECT_EQ(y.data<float>()[i], 2 * x.data<float>()[i] + 1) << i;
}

TEST(ReferenceNumerics, ReadAheadOfWritesKeepsIterationOrder) {
  // Iteration i reads tmp[i + 1] before iteration i + 1 writes it: every read sees zero.
  // Batching all writes before all reads would see 2x + 1 instead.
  Tensor x = randomTensor({300}, 12, 1, 2);
  Tensor y = chain("i", "i + 1", "0:298", x);
  for (int i = 0; i < 299; ++i) EXPECT_EQ(y.data<float>()[i], 1.0f) << i;
}

TEST(ReferenceNumerics, ReadBehindWritesSeesEarlierIterations) {
  Tensor x = randomTensor({300}, 13, 1, 2);
  Tensor y = chain("i", "i - 1", "1:299", x);
  EXPECT_EQ(y.data<float>()[1], 1.0f);  // tmp[0] is never written
  for (int i = 2; i < 300; ++i) EXPECT_EQ(y.data<float>()[i], 2 * x.data<float>()[i - 1] + 1) << i;
}

}  // namespace
}  // namespace conflux::testing::reference
