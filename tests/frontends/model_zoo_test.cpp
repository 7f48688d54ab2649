// The shared reference models (shared/models/*.onnx) load into valid IR with the expected
// signatures and library nodes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "frontends/load_model.h"
#include "ir/validate.h"

namespace conflux::frontends {
namespace {

namespace fs = std::filesystem;

const fs::path kModels = CONFLUX_MODELS_DIR;

/// Count of library nodes per op kind.
std::map<ir::OpKind, int> opCounts(const ir::Graph& graph) {
  std::map<ir::OpKind, int> counts;
  for (ir::NodeId id : graph.state(0).nodeIds()) {
    const ir::Node& node = graph.state(0).node(id);
    if (const auto* lib = std::get_if<ir::LibraryNode>(&node.payload)) ++counts[lib->op];
  }
  return counts;
}

struct ModelCase {
  std::string file;
  std::vector<int64_t> inputShape;
  std::vector<int64_t> outputShape;
};

/// Names the case in test output (GoogleTest would print its bytes).
void PrintTo(const ModelCase& c, std::ostream* os) { *os << c.file; }

class ModelZoo : public ::testing::TestWithParam<ModelCase> {};

TEST_P(ModelZoo, LoadsIntoValidIrWithExpectedSignature) {
  const ModelCase& c = GetParam();
  fs::path path = kModels / c.file;
  if (!fs::exists(path)) GTEST_SKIP() << path << " is missing";
  ir::Graph graph = loadModel(path.string());
  ASSERT_NO_THROW(ir::validate(graph));
  ASSERT_EQ(graph.states().size(), 1u);
  EXPECT_EQ(graph.state(0).name(), "main");
  ASSERT_FALSE(graph.inputs().empty());
  EXPECT_EQ(graph.array(graph.inputs().front()).shape, c.inputShape);
  ASSERT_EQ(graph.outputs().size(), 1u);
  EXPECT_EQ(graph.array(graph.outputs().front()).shape, c.outputShape);
  EXPECT_EQ(graph.array(graph.outputs().front()).dtype, ir::DType::F32);
  std::map<ir::OpKind, int> ops = opCounts(graph);
  // Shape arithmetic is folded away: no generator reaches the IR.
  for (ir::OpKind folded : {ir::OpKind::Shape, ir::OpKind::Constant, ir::OpKind::ConstantOfShape,
                            ir::OpKind::Range})
    EXPECT_EQ(ops.count(folded), 0u) << ir::opKindName(folded);
  for (const auto& [name, desc] : graph.arrays()) {
    bool signature = std::count(graph.inputs().begin(), graph.inputs().end(), name) ||
                     std::count(graph.outputs().begin(), graph.outputs().end(), name);
    if (signature || graph.constantValue(name)) EXPECT_FALSE(desc.transient) << name;
    else EXPECT_TRUE(desc.transient) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    SharedModels, ModelZoo,
    ::testing::Values(ModelCase{"bert_base_layer.op17.noweights.onnx", {1, 128, 768}, {1, 128, 768}},
                      ModelCase{"bert_base_layer.op14.noweights.onnx", {1, 128, 768}, {1, 128, 768}},
                      ModelCase{"bert_large_layer.op17.noweights.onnx", {1, 128, 1024}, {1, 128, 1024}},
                      ModelCase{"resnet50.op17.noweights.onnx", {1, 3, 224, 224}, {1, 1000}},
                      ModelCase{"mobilenet_v2.op17.onnx", {1, 3, 224, 224}, {1, 1000}},
                      ModelCase{"unet_small.op17.onnx", {1, 3, 256, 256}, {1, 2, 256, 256}}),
    [](const auto& info) {
      std::string name = info.param.file.substr(0, info.param.file.find('.'));
      return name + "_" + std::to_string(info.index);
    });

TEST(ModelZoo, BertOpset17UsesLayerNormalizationNodes) {
  fs::path path = kModels / "bert_base_layer.op17.noweights.onnx";
  if (!fs::exists(path)) GTEST_SKIP();
  std::map<ir::OpKind, int> ops = opCounts(loadModel(path.string()));
  EXPECT_EQ(ops[ir::OpKind::LayerNormalization], 2);
  EXPECT_EQ(ops[ir::OpKind::Softmax], 1);
  EXPECT_EQ(ops[ir::OpKind::Erf], 1);
  EXPECT_EQ(ops[ir::OpKind::ReduceMean], 0);
}

TEST(ModelZoo, BertOpset14KeepsLayerNormDecomposed) {
  fs::path path = kModels / "bert_base_layer.op14.noweights.onnx";
  if (!fs::exists(path)) GTEST_SKIP();
  ir::Graph graph = loadModel(path.string());
  std::map<ir::OpKind, int> ops = opCounts(graph);
  EXPECT_EQ(ops[ir::OpKind::LayerNormalization], 0);
  // Two LayerNorms, each mean (ReduceMean), x - mean (Sub), variance (Pow, ReduceMean), sqrt, div.
  EXPECT_EQ(ops[ir::OpKind::ReduceMean], 4);
  EXPECT_GE(ops[ir::OpKind::Sub], 2);
  EXPECT_EQ(ops[ir::OpKind::Pow], 2);
  EXPECT_EQ(ops[ir::OpKind::Sqrt], 2);
  EXPECT_GE(ops[ir::OpKind::Div], 2);
  // The ReduceMeans normalise over the last axis, keeping it.
  for (ir::NodeId id : graph.state(0).nodeIds()) {
    const auto* lib = std::get_if<ir::LibraryNode>(&graph.state(0).node(id).payload);
    if (!lib || lib->op != ir::OpKind::ReduceMean) continue;
    const auto& attrs = std::get<ir::ReduceAttrs>(lib->attrs);
    EXPECT_EQ(attrs.axes, std::vector<int64_t>{2});
    EXPECT_TRUE(attrs.keepDims);
  }
}

TEST(ModelZoo, MobileNetClipIsRelu6AndConvsAreDepthwise) {
  fs::path path = kModels / "mobilenet_v2.op17.onnx";
  if (!fs::exists(path)) GTEST_SKIP();
  ir::Graph graph = loadModel(path.string());
  int clips = 0, depthwise = 0;
  for (ir::NodeId id : graph.state(0).nodeIds()) {
    const ir::Node& node = graph.state(0).node(id);
    const auto* lib = std::get_if<ir::LibraryNode>(&node.payload);
    if (!lib) continue;
    if (lib->op == ir::OpKind::Clip) {
      ++clips;
      const auto& attrs = std::get<ir::ActivationAttrs>(lib->attrs);
      EXPECT_EQ(attrs.alpha, 0.0);
      EXPECT_EQ(attrs.beta, 6.0);
      EXPECT_EQ(lib->inputs, std::vector<std::string>{"in0"}) << "min/max became attributes";
    }
    if (lib->op == ir::OpKind::Conv && std::get<ir::ConvAttrs>(lib->attrs).group > 1) ++depthwise;
  }
  EXPECT_EQ(clips, 35);
  EXPECT_EQ(depthwise, 17);
  // Weights are initializers: constant arrays with values.
  size_t constants = graph.constantValues().size();
  EXPECT_GT(constants, 100u);
  EXPECT_EQ(graph.inputs().size(), 1u);
}

TEST(ModelZoo, ResNetWeightsAreGraphInputs) {
  fs::path path = kModels / "resnet50.op17.noweights.onnx";
  if (!fs::exists(path)) GTEST_SKIP();
  ir::Graph graph = loadModel(path.string());
  EXPECT_TRUE(graph.constantValues().empty());
  // Every Conv reads its weight (in1) from a graph input.
  const ir::State& state = graph.state(0);
  for (ir::EdgeId id : state.edgeIds()) {
    const ir::Edge& edge = state.edge(id);
    const auto* lib = std::get_if<ir::LibraryNode>(&state.node(edge.dst).payload);
    if (!lib || lib->op != ir::OpKind::Conv || edge.dstConn != "in1") continue;
    EXPECT_EQ(std::count(graph.inputs().begin(), graph.inputs().end(), edge.memlet.data), 1)
        << edge.memlet.data;
  }
  std::map<ir::OpKind, int> ops = opCounts(graph);
  EXPECT_EQ(ops[ir::OpKind::Conv], 53);
  EXPECT_EQ(ops[ir::OpKind::MaxPool], 1);
  EXPECT_EQ(ops[ir::OpKind::GlobalAveragePool], 1);
  EXPECT_EQ(ops[ir::OpKind::Gemm], 1);
}

TEST(ModelZoo, EveryLibraryNodeRemembersItsOnnxNode) {
  fs::path path = kModels / "unet_small.op17.onnx";
  if (!fs::exists(path)) GTEST_SKIP();
  ir::Graph graph = loadModel(path.string());
  for (ir::NodeId id : graph.state(0).nodeIds()) {
    const ir::Node& node = graph.state(0).node(id);
    if (node.kind() != ir::NodeKind::Library) continue;
    ASSERT_EQ(node.origins.size(), 1u);
    EXPECT_EQ(node.origins[0], node.label);
  }
  std::map<ir::OpKind, int> ops = opCounts(graph);
  EXPECT_GT(ops[ir::OpKind::ConvTranspose], 0);
  EXPECT_GT(ops[ir::OpKind::Concat], 0);
}

}  // namespace
}  // namespace conflux::frontends
