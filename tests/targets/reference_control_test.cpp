// Control and data movement: interstate loops with symbols, nested graphs, access -> access
// copies and constants.
#include <gtest/gtest.h>

#include "ir/error.h"
#include "targets/reference/interpreter.h"
#include "tests/targets/reference_graphs.h"

namespace conflux::testing::reference {
namespace {

using namespace ir;
namespace ref = targets::reference;

/// State "body" adds x[k] to acc[0] and counts iterations in count[0]; it loops while k < 5
/// (k = k + 1), then state "fill" sets mark[i] = 1 for i in 0:k (a range from the symbol).
Graph counterLoop() {
  Graph g("loop");
  g.addArray("x", desc(DType::F32, {8}));
  g.addArray("acc", desc(DType::F32, {1}));
  g.addArray("count", desc(DType::I64, {1}));
  g.addArray("mark", desc(DType::I32, {8}));
  g.setInputs({"x"});
  g.setOutputs({"acc", "count", "mark"});
  g.addSymbol("k", DType::I64);

  State body("body");
  NodeId x = body.addAccess("x"), accIn = body.addAccess("acc"), accOut = body.addAccess("acc");
  NodeId countIn = body.addAccess("count"), countOut = body.addAccess("count");
  addMappedTasklet(g, body, "step", {}, "", {{x, "v", "k"}, {accIn, "a", "0"}, {countIn, "c", "0"}},
                   {{accOut, "o", "0"}, {countOut, "n", "0"}},
                   {binary(BinaryOp::Add, f32("a"), f32("v")), binary(BinaryOp::Add, i64("c"), i64c(1))});
  State fill("fill");
  NodeId mark = fill.addAccess("mark");
  addMappedTasklet(g, fill, "mark", {"i"}, "0:k", {}, {{mark, "m", "i"}}, {constant(1, DType::I32)});

  size_t b = g.addState(std::move(body));
  size_t f = g.addState(std::move(fill));
  Expr more = binary(BinaryOp::Lt, i64("k"), i64c(5));
  g.addInterstateEdge({b, b, more, {{"k", binary(BinaryOp::Add, i64("k"), i64c(1))}}});
  g.addInterstateEdge({b, f, nullptr, {}});  // taken only when the loop edge's condition fails
  g.setStartState(b);
  return g;
}

TEST(ReferenceControl, InterstateLoopWithCounterSymbol) {
  Tensor x = Tensor::fromDoubles(DType::F32, {8}, {1, 2, 4, 8, 16, 32, 64, 128});
  auto out = ref::run(counterLoop(), {{"x", x}});
  EXPECT_EQ(out.at("acc").data<float>()[0], 63.0f);  // x[0] + ... + x[5]
  EXPECT_EQ(out.at("count").data<int64_t>()[0], 6);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(out.at("mark").data<int32_t>()[i], i <= 5 ? 1 : 0) << i;
}

TEST(ReferenceControl, NonTerminatingLoopIsAnError) {
  Graph g = counterLoop();
  g.addInterstateEdge({g.states().size() - 1, g.states().size() - 1, nullptr, {}});  // fill forever
  try {
    ref::run(g, {{"x", Tensor(DType::F32, {8})}});
    FAIL() << "expected conflux::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not terminate"), std::string::npos) << e.what();
  }
}

/// out[j] = a[j] * 2 + b[0] for j < 3, as a graph to nest.
Graph scaleAndShift() {
  Graph g("inner");
  g.addArray("a", desc(DType::F32, {3}));
  g.addArray("b", desc(DType::F32, {1}));
  g.addArray("out", desc(DType::F32, {3}));
  g.setInputs({"a", "b"});
  g.setOutputs({"out"});
  State s("s");
  NodeId a = s.addAccess("a"), b = s.addAccess("b"), out = s.addAccess("out");
  addMappedTasklet(g, s, "affine", {"j"}, "0:2", {{a, "p", "j"}, {b, "q", "0"}}, {{out, "r", "j"}},
                   {binary(BinaryOp::Add, binary(BinaryOp::Mul, f32("p"), f32c(2)), f32("q"))});
  g.addState(std::move(s));
  return g;
}

TEST(ReferenceControl, NestedGraphCopiesInRunsAndCopiesOut) {
  // z[2:4] = inner(a = x[1:3], b = y[0:0]); the rest of z stays zero.
  Graph g("outer");
  g.addArray("x", desc(DType::F32, {5}));
  g.addArray("y", desc(DType::F32, {1}));
  g.addArray("z", desc(DType::F32, {6}));
  g.setInputs({"x", "y"});
  g.setOutputs({"z"});
  State s("s");
  NodeId x = s.addAccess("x"), y = s.addAccess("y"), z = s.addAccess("z");
  NodeId nested = s.addNode("sub", NestedGraphNode(scaleAndShift(), {"a", "b"}, {"out"}));
  s.addEdge(x, "", nested, "a", Memlet::of("x", "1:3"));
  s.addEdge(y, "", nested, "b", Memlet::of("y", "0"));
  s.addEdge(nested, "out", z, "", Memlet::of("z", "2:4"));
  g.addState(std::move(s));
  auto out = ref::run(g, {{"x", Tensor::fromDoubles(DType::F32, {5}, {10, 20, 30, 40, 50})},
                          {"y", Tensor::fromDoubles(DType::F32, {1}, {0.5})}});
  EXPECT_EQ(std::vector<float>(out.at("z").data<float>(), out.at("z").data<float>() + 6),
            (std::vector<float>{0, 0, 40.5f, 60.5f, 80.5f, 0}));
}

TEST(ReferenceControl, NestedGraphInsideAMapRunsPerPoint) {
  // For every row i: z[i, 0:2] += inner(a = x[i, 0:2], b = x[i, 3]) with WCR sum on copy-out.
  Graph g("outer_map");
  g.addArray("x", desc(DType::F32, {4, 4}));
  g.addArray("z", desc(DType::F32, {4, 3}));
  g.setInputs({"x"});
  g.setOutputs({"z"});
  State s("s");
  NodeId x = s.addAccess("x"), z = s.addAccess("z");
  auto [entry, exit] = s.addMap("rows", Map{{"i"}, Subset::parse("0:3"), Schedule::Sequential});
  NodeId nested = s.addNode("sub", NestedGraphNode(scaleAndShift(), {"a", "b"}, {"out"}));
  s.addEdge(x, "", entry, "IN_x", Memlet::of("x", "0:3, 0:3"));
  s.addEdge(entry, "OUT_x", nested, "a", Memlet::of("x", "i, 0:2"));
  s.addEdge(entry, "OUT_x", nested, "b", Memlet::of("x", "i, 3"));
  s.addEdge(nested, "out", exit, "IN_z", Memlet::of("z", "i, 0:2", Wcr::Sum));
  s.addEdge(exit, "OUT_z", z, "", Memlet::of("z", "0:3, 0:2", Wcr::Sum));
  g.addState(std::move(s));
  Tensor xv = randomTensor({4, 4}, 21);
  auto out = ref::run(g, {{"x", xv}});
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_EQ(out.at("z").data<float>()[i * 3 + j],
                xv.data<float>()[i * 4 + j] * 2 + xv.data<float>()[i * 4 + 3]) << i << "," << j;
}

TEST(ReferenceControl, AccessToAccessCopies) {
  // full = x; rows = x[1:2, 0:3] (the memlet names the source); into[0:1, 1:2] = small
  // (the memlet names the destination).
  Graph g("copies");
  g.addArray("x", desc(DType::F32, {3, 4}));
  g.addArray("full", desc(DType::F32, {3, 4}));
  g.addArray("rows", desc(DType::F32, {2, 4}));
  g.addArray("small", desc(DType::F32, {2, 2}));
  g.addArray("into", desc(DType::F32, {3, 3}));
  g.setInputs({"x", "small"});
  g.setOutputs({"full", "rows", "into"});
  State s("s");
  NodeId x = s.addAccess("x"), full = s.addAccess("full"), rows = s.addAccess("rows");
  NodeId small = s.addAccess("small"), into = s.addAccess("into");
  s.addEdge(x, "", full, "", Memlet::of("x", "0:2, 0:3"));
  s.addEdge(x, "", rows, "", Memlet::of("x", "1:2, 0:3"));
  s.addEdge(small, "", into, "", Memlet::of("into", "0:1, 1:2"));
  g.addState(std::move(s));
  Tensor xv = randomTensor({3, 4}, 22);
  Tensor sv = Tensor::fromDoubles(DType::F32, {2, 2}, {1, 2, 3, 4});
  auto out = ref::run(g, {{"x", xv}, {"small", sv}});
  EXPECT_EQ(out.at("full"), xv);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(out.at("rows").data<float>()[i], xv.data<float>()[4 + i]);
  EXPECT_EQ(std::vector<float>(out.at("into").data<float>(), out.at("into").data<float>() + 9),
            (std::vector<float>{0, 1, 2, 0, 3, 4, 0, 0, 0}));
}

TEST(ReferenceControl, ConstantsAndOptionalArrays) {
  // y = x + w where w is a constant; acc (non-transient, not an input) may be supplied.
  Graph g("constants");
  g.addArray("x", desc(DType::F32, {3}));
  g.addArray("w", desc(DType::F32, {3}));
  g.addArray("y", desc(DType::F32, {3}));
  g.setInputs({"x"});
  g.setOutputs({"y"});
  g.setConstantValue("w", Tensor::fromDoubles(DType::F32, {3}, {1, 2, 3}));
  State s("s");
  NodeId x = s.addAccess("x"), w = s.addAccess("w"), y = s.addAccess("y");
  addMappedTasklet(g, s, "add", {"i"}, "0:2", {{x, "a", "i"}, {w, "b", "i"}}, {{y, "c", "i", Wcr::Sum}},
                   {binary(BinaryOp::Add, f32("a"), f32("b"))});
  g.addState(std::move(s));
  Tensor xv = Tensor::fromDoubles(DType::F32, {3}, {10, 20, 30});
  auto out = ref::run(g, {{"x", xv}});
  EXPECT_EQ(out.at("y"), Tensor::fromDoubles(DType::F32, {3}, {11, 22, 33}));
  // y accumulates (WCR sum) onto a supplied initial value.
  auto seeded = ref::run(g, {{"x", xv}, {"y", Tensor::fromDoubles(DType::F32, {3}, {100, 100, 100})}});
  EXPECT_EQ(seeded.at("y"), Tensor::fromDoubles(DType::F32, {3}, {111, 122, 133}));
}

}  // namespace
}  // namespace conflux::testing::reference
