// expand-library-nodes turns every op family into valid maps and tasklets that keep the
// library node's origins; small expansions match golden IR text.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>

#include "ir/error.h"
#include "ir/printer.h"
#include "ir/validate.h"
#include "passes/expand_library_nodes.h"
#include "passes/pass_manager.h"
#include "passes/pipelines.h"
#include "tests/ir/example_graphs.h"
#include "tests/passes/library_graphs.h"
#include "tests/support/golden.h"

namespace conflux::passes {
namespace {

using namespace ir;
using testing::ArraySpec;
using testing::singleOpGraph;

constexpr DType kF32 = DType::F32;
constexpr DType kI64 = DType::I64;
constexpr DType kBool = DType::Bool;

struct Case {
  std::string name;
  std::function<Graph()> make;
};

Graph unaryGraph(OpKind op, OpAttrs attrs = NoAttrs{}) {
  return singleOpGraph(op, std::move(attrs), {{"x", {2, 3}}}, {{"y", {2, 3}}});
}

Graph binaryGraph(OpKind op, DType out = kF32) {
  return singleOpGraph(op, NoAttrs{}, {{"a", {2, 3, 4}}, {"b", {3, 1}}}, {{"y", {2, 3, 4}, out}});
}

Graph pool(OpKind op, PoolAttrs attrs, std::vector<int64_t> out) {
  return singleOpGraph(op, std::move(attrs), {{"x", {1, 2, 5, 5}}}, {{"y", std::move(out)}});
}

Graph reshape(OpKind op, std::vector<int64_t> in, std::vector<int64_t> out) {
  return singleOpGraph(op, NoAttrs{}, {{"x", std::move(in)}}, {{"y", std::move(out)}});
}

Graph resize(std::string mode, std::string transform) {
  ResizeAttrs a;
  a.scales = {1, 1, 2, 1.5};
  a.mode = std::move(mode);
  a.coordinateTransformation = std::move(transform);
  a.excludeOutside = a.mode == "cubic";
  return singleOpGraph(OpKind::Resize, a, {{"x", {1, 2, 3, 4}}}, {{"y", {1, 2, 6, 6}}});
}

Graph padGraph(std::string mode, std::vector<int64_t> pads, std::vector<int64_t> out) {
  return singleOpGraph(OpKind::Pad, PadAttrs{std::move(pads), std::move(mode), 1.5},
                       {{"x", {3, 4}}}, {{"y", std::move(out)}});
}

std::vector<Case> cases() {
  double inf = std::numeric_limits<double>::infinity();
  std::vector<Case> c;
  for (OpKind op : {OpKind::Sqrt, OpKind::Exp, OpKind::Log, OpKind::Erf, OpKind::Tanh,
                    OpKind::Sigmoid, OpKind::Relu, OpKind::Neg, OpKind::Abs, OpKind::Reciprocal,
                    OpKind::HardSwish, OpKind::Identity, OpKind::Dropout})
    c.push_back({std::string(opKindName(op)), [op] { return unaryGraph(op); }});
  c.push_back({"LeakyRelu", [] { return unaryGraph(OpKind::LeakyRelu, ActivationAttrs{0.1}); }});
  c.push_back({"HardSigmoid", [] {
                 return unaryGraph(OpKind::HardSigmoid, ActivationAttrs{0.2, 0.5});
               }});
  c.push_back({"ClipMaxOnly", [inf] {
                 return unaryGraph(OpKind::Clip, ActivationAttrs{-inf, 6.0});
               }});
  c.push_back({"GeluTanh", [] { return unaryGraph(OpKind::Gelu, ActivationAttrs{0, 0, true}); }});
  c.push_back({"Gelu", [] { return unaryGraph(OpKind::Gelu, ActivationAttrs{}); }});
  c.push_back({"CastToI64", [] {
                 return singleOpGraph(OpKind::Cast, CastAttrs{kI64}, {{"x", {2, 3}}},
                                      {{"y", {2, 3}, kI64}});
               }});
  c.push_back({"DropoutMask", [] {
                 return singleOpGraph(OpKind::Dropout, NoAttrs{}, {{"x", {2, 3}}},
                                      {{"y", {2, 3}}, {"mask", {2, 3}, kBool}});
               }});
  for (OpKind op : {OpKind::Add, OpKind::Sub, OpKind::Mul, OpKind::Div, OpKind::Pow})
    c.push_back({std::string(opKindName(op)), [op] { return binaryGraph(op); }});
  for (OpKind op : {OpKind::Equal, OpKind::Less, OpKind::Greater})
    c.push_back({std::string(opKindName(op)), [op] { return binaryGraph(op, kBool); }});
  for (OpKind op : {OpKind::Max, OpKind::Min, OpKind::Sum, OpKind::Mean})
    c.push_back({std::string(opKindName(op)) + "Variadic", [op] {
                   return singleOpGraph(op, NoAttrs{}, {{"a", {2, 3}}, {"b", {3}}, {"c", {1}}},
                                        {{"y", {2, 3}}});
                 }});
  c.push_back(
      {"AddSameArrayTwice", [] {
         return singleOpGraph(OpKind::Add, NoAttrs{}, {{"x", {4}}, {"x", {4}}}, {{"y", {4}}});
       }});
  c.push_back({"AddScalars", [] {
                 return singleOpGraph(OpKind::Add, NoAttrs{}, {{"a", {}}, {"b", {}}}, {{"y", {}}});
               }});
  c.push_back({"Where", [] {
                 return singleOpGraph(OpKind::Where, NoAttrs{},
                                      {{"c", {2, 1}, kBool}, {"a", {2, 3}}, {"b", {3}}},
                                      {{"y", {2, 3}}});
               }});
  c.push_back({"MatMulBatchBroadcast", [] {
                 return singleOpGraph(OpKind::MatMul, NoAttrs{},
                                      {{"a", {2, 1, 3, 4}}, {"b", {5, 4, 6}}},
                                      {{"y", {2, 5, 3, 6}}});
               }});
  c.push_back({"MatMulVectorMatrix", [] {
                 return singleOpGraph(OpKind::MatMul, NoAttrs{}, {{"a", {4}}, {"b", {2, 4, 6}}},
                                      {{"y", {2, 6}}});
               }});
  c.push_back(
      {"MatMulMatrixVector", [] {
         return singleOpGraph(OpKind::MatMul, NoAttrs{}, {{"a", {3, 4}}, {"b", {4}}}, {{"y", {3}}});
       }});
  c.push_back(
      {"MatMulDot", [] {
         return singleOpGraph(OpKind::MatMul, NoAttrs{}, {{"a", {4}}, {"b", {4}}}, {{"y", {}}});
       }});
  c.push_back({"GemmTransBBias", [] {
                 return singleOpGraph(OpKind::Gemm, GemmAttrs{0.5, 2.0, false, true},
                                      {{"a", {3, 4}}, {"b", {5, 4}}, {"c", {5}}}, {{"y", {3, 5}}});
               }});
  c.push_back({"GemmTransANoBias", [] {
                 return singleOpGraph(OpKind::Gemm, GemmAttrs{1.0, 1.0, true, false},
                                      {{"a", {4, 3}}, {"b", {4, 5}}}, {{"y", {3, 5}}});
               }});
  c.push_back({"GemmBetaZeroDropsC", [] {
                 return singleOpGraph(OpKind::Gemm, GemmAttrs{1.0, 0.0, false, false},
                                      {{"a", {3, 4}}, {"b", {4, 5}}, {"c", {3, 5}}},
                                      {{"y", {3, 5}}});
               }});
  c.push_back({"Conv2dGroupsStridePadDilation", [] {
                 ConvAttrs a{{3, 3}, {2, 1}, {1, 2, 1, 0}, {1, 2}, {}, 2};
                 return singleOpGraph(OpKind::Conv, a,
                                      {{"x", {1, 4, 7, 6}}, {"w", {6, 2, 3, 3}}, {"b", {6}}},
                                      {{"y", {1, 6, 4, 4}}});
               }});
  c.push_back({"Conv1d", [] {
                 ConvAttrs a{{3}, {1}, {0, 0}, {1}, {}, 1};
                 return singleOpGraph(OpKind::Conv, a, {{"x", {2, 3, 8}}, {"w", {4, 3, 3}}},
                                      {{"y", {2, 4, 6}}});
               }});
  c.push_back({"Conv3dDepthwise", [] {
                 ConvAttrs a{{2, 2, 2}, {1, 1, 1}, {1, 1, 1, 1, 1, 1}, {1, 1, 1}, {}, 3};
                 return singleOpGraph(OpKind::Conv, a,
                                      {{"x", {1, 3, 3, 3, 3}}, {"w", {3, 1, 2, 2, 2}}},
                                      {{"y", {1, 3, 4, 4, 4}}});
               }});
  c.push_back({"ConvTransposePadsOutputPadding", [] {
                 ConvAttrs a{{3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, {1, 1}, 1};
                 return singleOpGraph(OpKind::ConvTranspose, a,
                                      {{"x", {1, 2, 3, 3}}, {"w", {2, 3, 3, 3}}, {"b", {3}}},
                                      {{"y", {1, 3, 6, 6}}});
               }});
  c.push_back({"ConvTransposeDirectGrouped", [] {
                 ConvAttrs a{{2}, {2}, {0, 0}, {1}, {}, 2};
                 return singleOpGraph(OpKind::ConvTranspose, a,
                                      {{"x", {1, 4, 3}}, {"w", {4, 1, 2}}}, {{"y", {1, 2, 6}}});
               }});
  for (OpKind op : {OpKind::Softmax, OpKind::LogSoftmax})
    c.push_back({std::string(opKindName(op)), [op] {
                   return singleOpGraph(op, AxisAttrs{1}, {{"x", {2, 5, 3}}}, {{"y", {2, 5, 3}}});
                 }});
  c.push_back({"LayerNormWithStatistics", [] {
                 return singleOpGraph(OpKind::LayerNormalization, NormAttrs{1e-5, 1},
                                      {{"x", {2, 3, 4}}, {"s", {3, 4}}, {"b", {4}}},
                                      {{"y", {2, 3, 4}}, {"mean", {2, 1, 1}}, {"inv", {2, 1, 1}}});
               }});
  c.push_back({"LayerNormNoBias", [] {
                 return singleOpGraph(OpKind::LayerNormalization, NormAttrs{1e-5, 2},
                                      {{"x", {2, 3, 4}}, {"s", {4}}}, {{"y", {2, 3, 4}}});
               }});
  c.push_back({"BatchNorm", [] {
                 return singleOpGraph(
                     OpKind::BatchNormalization, NormAttrs{1e-5, -1},
                     {{"x", {2, 3, 4, 4}}, {"s", {3}}, {"b", {3}}, {"m", {3}}, {"v", {3}}},
                     {{"y", {2, 3, 4, 4}}});
               }});
  c.push_back({"ReduceMeanKeepDims", [] {
                 return singleOpGraph(OpKind::ReduceMean, ReduceAttrs{{1, 2}, true},
                                      {{"x", {2, 3, 4}}}, {{"y", {2, 1, 1}}});
               }});
  c.push_back({"ReduceSumAllToScalar", [] {
                 return singleOpGraph(OpKind::ReduceSum, ReduceAttrs{{}, false}, {{"x", {2, 3}}},
                                      {{"y", {}}});
               }});
  c.push_back({"ReduceMaxI64", [] {
                 return singleOpGraph(OpKind::ReduceMax, ReduceAttrs{{0}, false},
                                      {{"x", {2, 3}, kI64}}, {{"y", {3}, kI64}});
               }});
  c.push_back({"ReduceMin", [] {
                 return singleOpGraph(OpKind::ReduceMin, ReduceAttrs{{1}, true}, {{"x", {2, 3}}},
                                      {{"y", {2, 1}}});
               }});
  c.push_back({"MaxPoolPads", [] {
                 return pool(OpKind::MaxPool,
                             PoolAttrs{{3, 3}, {2, 2}, {1, 1, 1, 1}, {}, false, false},
                             {1, 2, 3, 3});
               }});
  c.push_back({"AveragePoolCountIncludePad", [] {
                 return pool(OpKind::AveragePool,
                             PoolAttrs{{3, 3}, {2, 2}, {1, 1, 1, 1}, {}, false, true},
                             {1, 2, 3, 3});
               }});
  c.push_back({"AveragePoolCeilDilated", [] {
                 return pool(OpKind::AveragePool,
                             PoolAttrs{{2, 2}, {2, 2}, {}, {1, 2}, true, false}, {1, 2, 3, 2});
               }});
  c.push_back({"AveragePoolUniform", [] {
                 return pool(OpKind::AveragePool, PoolAttrs{{2, 2}, {1, 1}, {}, {}, false, false},
                             {1, 2, 4, 4});
               }});
  c.push_back({"GlobalAveragePool", [] {
                 return pool(OpKind::GlobalAveragePool, {}, {1, 2, 1, 1});
               }});
  c.push_back({"GlobalMaxPool", [] { return pool(OpKind::GlobalMaxPool, {}, {1, 2, 1, 1}); }});
  c.push_back({"Flatten", [] { return reshape(OpKind::Flatten, {2, 3, 4}, {2, 12}); }});
  c.push_back({"ReshapeSplitDims", [] { return reshape(OpKind::Reshape, {2, 12}, {2, 1, 3, 4}); }});
  c.push_back({"ReshapeGeneral", [] { return reshape(OpKind::Reshape, {6, 4}, {4, 6}); }});
  c.push_back({"Squeeze", [] { return reshape(OpKind::Squeeze, {1, 3, 1, 4}, {3, 4}); }});
  c.push_back({"Unsqueeze", [] { return reshape(OpKind::Unsqueeze, {3, 4}, {3, 1, 4, 1}); }});
  c.push_back({"ReshapeAllOnes", [] { return reshape(OpKind::Reshape, {1, 1}, {1}); }});
  c.push_back({"Transpose", [] {
                 return singleOpGraph(OpKind::Transpose, TransposeAttrs{{2, 0, 1}},
                                      {{"x", {2, 3, 4}}}, {{"y", {4, 2, 3}}});
               }});
  c.push_back({"Concat", [] {
                 return singleOpGraph(OpKind::Concat, AxisAttrs{1},
                                      {{"a", {2, 1}}, {"b", {2, 3}}, {"c", {2, 2}}},
                                      {{"y", {2, 6}}});
               }});
  c.push_back({"Split", [] {
                 return singleOpGraph(OpKind::Split, SplitAttrs{0, {1, 3}}, {{"x", {4, 2}}},
                                      {{"y0", {1, 2}}, {"y1", {3, 2}}});
               }});
  c.push_back({"SliceNegativeStep", [] {
                 return singleOpGraph(OpKind::Slice, SliceAttrs{{1, 0}, {5, 1}, {0, 3}, {-2, 1}},
                                      {{"x", {4, 6}}}, {{"y", {2, 3}}});
               }});
  c.push_back({"Gather", [] {
                 return singleOpGraph(OpKind::Gather, AxisAttrs{1},
                                      {{"x", {2, 5, 3}}, {"i", {2, 2}, kI64}},
                                      {{"y", {2, 2, 2, 3}}});
               }});
  c.push_back({"GatherScalarIndexI32", [] {
                 return singleOpGraph(OpKind::Gather, AxisAttrs{0},
                                      {{"x", {5, 3}}, {"i", {}, DType::I32}}, {{"y", {3}}});
               }});
  c.push_back(
      {"Expand", [] {
         return singleOpGraph(OpKind::Expand, NoAttrs{}, {{"x", {3, 1}}}, {{"y", {2, 3, 4}}});
       }});
  c.push_back({"Tile", [] {
                 return singleOpGraph(OpKind::Tile, NoAttrs{}, {{"x", {2, 3}}}, {{"y", {4, 3}}});
               }});
  c.push_back({"PadConstant", [] { return padGraph("constant", {1, 0, 2, 1}, {6, 5}); }});
  c.push_back({"PadConstantCrop", [] { return padGraph("constant", {-1, 1, 0, -2}, {2, 3}); }});
  c.push_back({"PadReflect", [] { return padGraph("reflect", {2, 0, 1, 3}, {6, 7}); }});
  c.push_back({"PadEdge", [] { return padGraph("edge", {0, 2, 0, 1}, {3, 7}); }});
  c.push_back({"PadWrap", [] { return padGraph("wrap", {1, 1, 1, 1}, {5, 6}); }});
  c.push_back({"ResizeNearest", [] { return resize("nearest", "asymmetric"); }});
  c.push_back({"ResizeLinear", [] { return resize("linear", "half_pixel"); }});
  c.push_back({"ResizeLinearAlignCorners", [] { return resize("linear", "align_corners"); }});
  c.push_back({"ResizeCubic", [] { return resize("cubic", "pytorch_half_pixel"); }});
  c.push_back({"ResizeSymmetric", [] { return resize("nearest", "half_pixel_symmetric"); }});
  for (bool upper : {true, false})
    c.push_back({upper ? "TriluUpper" : "TriluLower", [upper] {
                   return singleOpGraph(OpKind::Trilu, TriluAttrs{upper, 1}, {{"x", {2, 3, 4}}},
                                        {{"y", {2, 3, 4}}});
                 }});
  return c;
}

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class ExpandEveryOp : public ::testing::TestWithParam<Case> {};

TEST_P(ExpandEveryOp, IsValidKeepsOriginsAndLabelsMapsAfterTheOp) {
  Graph g = GetParam().make();
  std::string op;
  for (char ch : opKindName(std::get<LibraryNode>(g.state(0).node(NodeId{0}).payload).op))
    op += static_cast<char>(std::tolower(ch));
  std::set<NodeId> before;
  for (NodeId id : g.state(0).nodeIds()) before.insert(id);

  expandLibraryNodes(g);
  ASSERT_NO_THROW(validate(g)) << print(g);
  const State& s = g.state(0);
  for (NodeId id : s.nodeIds()) {
    const Node& n = s.node(id);
    EXPECT_NE(n.kind(), NodeKind::Library) << n.describe();
    if (before.count(id)) continue;
    EXPECT_EQ(n.origins, std::vector<std::string>{"node"}) << n.describe();
    if (n.kind() == NodeKind::MapEntry || n.kind() == NodeKind::Tasklet) {
      EXPECT_TRUE(n.label.starts_with(op)) << n.describe();
    }
  }
  // Transients are named after the node's label.
  for (const auto& [name, desc] : g.arrays())
    if (desc.transient) {
      EXPECT_TRUE(name.starts_with("node_")) << name;
    }
}

INSTANTIATE_TEST_SUITE_P(Ops, ExpandEveryOp, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

void expectGolden(const std::string& text, const std::string& name) {
  testing::expectMatchesGolden(text, "tests/passes/golden/" + name);
}

TEST(ExpandLibraryNodes, MatMulMatchesGolden) {
  Graph g =
      singleOpGraph(OpKind::MatMul, NoAttrs{}, {{"a", {2, 3}}, {"b", {3, 4}}}, {{"y", {2, 4}}});
  expandLibraryNodes(g);
  expectGolden(print(g), "matmul.txt");
}

TEST(ExpandLibraryNodes, SoftmaxMatchesGolden) {
  Graph g = singleOpGraph(OpKind::Softmax, AxisAttrs{1}, {{"x", {2, 3}}}, {{"y", {2, 3}}});
  expandLibraryNodes(g);
  expectGolden(print(g), "softmax.txt");
}

TEST(ExpandLibraryNodes, ConvReadsAZeroPaddedCopyWithAffineMemlets) {
  ConvAttrs a{{3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, {}, 1};
  Graph g = singleOpGraph(OpKind::Conv, a, {{"x", {1, 2, 4, 4}}, {"w", {3, 2, 3, 3}}},
                          {{"y", {1, 3, 4, 4}}});
  expandLibraryNodes(g);
  ASSERT_TRUE(g.hasArray("node_padded"));
  EXPECT_EQ(g.array("node_padded").shape, (std::vector<int64_t>{1, 2, 6, 6}));
  std::string text = print(g);
  EXPECT_NE(text.find("node_padded[n, c, k0 + o0, k1 + o1] (volume 1)"), std::string::npos) << text;
  EXPECT_EQ(text.find("select("), std::string::npos) << text;
}

TEST(ExpandLibraryNodes, AccumulationsRunAfterTheirInitialisation) {
  Graph g =
      singleOpGraph(OpKind::ReduceSum, ReduceAttrs{{1}, false}, {{"x", {2, 3}}}, {{"y", {2}}});
  expandLibraryNodes(g);
  const State& s = g.state(0);
  size_t ordering = 0;
  for (EdgeId id : s.edgeIds()) {
    const Edge& e = s.edge(id);
    if (!e.memlet.isEmpty() || s.node(e.src).kind() != NodeKind::Access) continue;
    EXPECT_EQ(s.node(e.dst).kind(), NodeKind::MapEntry);
    EXPECT_EQ(s.node(e.dst).label, "reducesum");
    ++ordering;
  }
  EXPECT_EQ(ordering, 1u);
}

TEST(ExpandLibraryNodes, LeavesGraphsWithoutLibraryNodesUnchanged) {
  Graph g = testing::matmulBiasRelu();
  std::string before = print(g);
  expandLibraryNodes(g);
  EXPECT_EQ(print(g), before);
}

TEST(ExpandLibraryNodes, RunsFirstInTheLevelZeroPipeline) {
  Graph g = singleOpGraph(OpKind::Relu, NoAttrs{}, {{"x", {4}}}, {{"y", {4}}});
  PassContext context;
  context.validateEachPass = true;
  runPasses(g, pipeline(0, "reference"), context);
  for (NodeId id : g.state(0).nodeIds()) EXPECT_NE(g.state(0).node(id).kind(), NodeKind::Library);
}

TEST(ExpandLibraryNodes, ExpandsInsideNestedGraphs) {
  Graph inner = singleOpGraph(OpKind::Relu, NoAttrs{}, {{"x", {4}}}, {{"y", {4}}});
  Graph outer("outer");
  State s("main");
  s.addNode("nested", NestedGraphNode(inner, {}, {}));
  outer.addState(std::move(s));
  expandLibraryNodes(outer);
  const auto& nested = std::get<NestedGraphNode>(outer.state(0).node(NodeId{0}).payload);
  for (NodeId id : nested.graph->state(0).nodeIds())
    EXPECT_NE(nested.graph->state(0).node(id).kind(), NodeKind::Library);
}

TEST(ExpandLibraryNodes, FoldableOpsAndBadShapesAreErrorsNamingTheNode) {
  Graph constant = singleOpGraph(OpKind::Constant, NoAttrs{}, {}, {{"y", {2}}});
  try {
    expandLibraryNodes(constant);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 'node' (Constant)"), std::string::npos) << e.what();
  }
  Graph matmul =
      singleOpGraph(OpKind::MatMul, NoAttrs{}, {{"a", {2, 3}}, {"b", {4, 5}}}, {{"y", {2, 5}}});
  EXPECT_THROW(expandLibraryNodes(matmul), Error);
  Graph mixed = singleOpGraph(OpKind::Add, NoAttrs{}, {{"a", {2}}, {"b", {2}, kI64}}, {{"y", {2}}});
  EXPECT_THROW(expandLibraryNodes(mixed), Error);
}

}  // namespace
}  // namespace conflux::passes
