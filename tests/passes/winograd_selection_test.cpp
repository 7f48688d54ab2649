// winograd-convolutions marks the 3x3 convolutions Winograd's expansion handles and pays for;
// the expansion it selects is what expand-library-nodes then uses.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "passes/expand_library_nodes.h"
#include "passes/pipelines.h"
#include "passes/winograd_selection.h"
#include "tests/support/graph_json.h"

namespace conflux::passes {
namespace {

using namespace ir;
using testing::constantTensorJson;

/// The Expansion of every library node of `graph`'s first state, by label.
std::map<std::string, Expansion> expansions(const Graph& graph) {
  std::map<std::string, Expansion> result;
  const State& state = graph.state(0);
  for (NodeId id : state.nodeIds())
    if (const auto* library = std::get_if<LibraryNode>(&state.node(id).payload))
      result[state.node(id).label] = library->expansion;
  return result;
}

TEST(WinogradSelection, MarksOnlyConvolutionsItHandlesWithEnoughChannels) {
  std::string w128 = constantTensorJson("[128, 128, 3, 3]", 128 * 128 * 9);
  Graph graph = testing::loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "convs",
    "tensors": {"x": {"shape": [1, 128, 8, 8], "dtype": "float32", "kind": "input"},
                "v": {"shape": [1, 64, 8, 8], "dtype": "float32", "kind": "input"},
                "w": )" + w128 + R"(,
                "w64": )" + constantTensorJson("[64, 64, 3, 3]", 64 * 64 * 9) + R"(,
                "wrun": {"shape": [128, 128, 3, 3], "dtype": "float32", "kind": "input"},
                "a": {"shape": [1, 128, 8, 8], "dtype": "float32", "kind": "output"},
                "b": {"shape": [1, 64, 8, 8], "dtype": "float32", "kind": "output"},
                "c": {"shape": [1, 128, 4, 4], "dtype": "float32", "kind": "output"},
                "d": {"shape": [1, 128, 8, 8], "dtype": "float32", "kind": "output"},
                "e": {"shape": [1, 128, 7, 7], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "chosen", "op": "Conv", "inputs": ["x", "w"], "outputs": ["a"], "attrs": {"pads": [1, 1, 1, 1]}},
              {"name": "narrow", "op": "Conv", "inputs": ["v", "w64"], "outputs": ["b"], "attrs": {"pads": [1, 1, 1, 1]}},
              {"name": "strided", "op": "Conv", "inputs": ["x", "w"], "outputs": ["c"], "attrs": {"pads": [1, 1, 1, 1], "strides": [2, 2]}},
              {"name": "runtime", "op": "Conv", "inputs": ["x", "wrun"], "outputs": ["d"], "attrs": {"pads": [1, 1, 1, 1]}},
              {"name": "odd", "op": "Conv", "inputs": ["x", "w"], "outputs": ["e"], "attrs": {"pads": [1, 1, 0, 0]}}]})", "winograd_selection");
  EXPECT_TRUE(selectWinogradConvolutions(graph));
  std::map<std::string, Expansion> chosen = expansions(graph);
  EXPECT_EQ(chosen.at("chosen"), Expansion::Winograd);
  for (const char* label : {"narrow", "strided", "runtime", "odd"})
    EXPECT_EQ(chosen.at(label), Expansion::Pure) << label;
  Graph narrow = testing::loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "none",
    "tensors": {"v": {"shape": [1, 64, 8, 8], "dtype": "float32", "kind": "input"},
                "w64": )" + constantTensorJson("[64, 64, 3, 3]", 64 * 64 * 9) + R"(,
                "b": {"shape": [1, 64, 8, 8], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "narrow", "op": "Conv", "inputs": ["v", "w64"], "outputs": ["b"], "attrs": {"pads": [1, 1, 1, 1]}}]})",
                                       "winograd_none");
  EXPECT_FALSE(selectWinogradConvolutions(narrow));
}

TEST(WinogradSelection, ExpansionReadsTheTransformedFilterAndDropsTheOriginal) {
  Graph graph = testing::loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "two",
    "tensors": {"x": {"shape": [1, 128, 8, 8], "dtype": "float32", "kind": "input"},
                "w": )" + constantTensorJson("[128, 128, 3, 3]", 128 * 128 * 9) + R"(,
                "w1": )" + constantTensorJson("[128, 128, 1, 1]", 128 * 128) + R"(,
                "y": {"shape": [1, 128, 8, 8], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "chosen", "op": "Conv", "inputs": ["x", "w"], "outputs": ["h"], "attrs": {"pads": [1, 1, 1, 1]}},
              {"name": "pointwise", "op": "Conv", "inputs": ["h", "w1"], "outputs": ["y"]}]})", "winograd_filter");
  ASSERT_TRUE(selectWinogradConvolutions(graph));
  ASSERT_TRUE(expandLibraryNodes(graph));
  EXPECT_FALSE(graph.hasArray("w"));
  EXPECT_TRUE(graph.constantValue("w1"));
  const Tensor* filter = graph.constantValue("chosen_winograd_filter");
  ASSERT_TRUE(filter);
  EXPECT_EQ(filter->shape(), (std::vector<int64_t>{16, 128, 128}));
}

TEST(WinogradSelection, RunsFirstAtO3OnTheCpuTargetOnly) {
  EXPECT_EQ(pipeline(3, "cpu").front(), "winograd-convolutions");
  for (int level = 0; level <= 3; ++level)
    for (const char* target : {"reference", "cuda", "rdu"}) {
      std::vector<std::string> passes = pipeline(level, target);
      EXPECT_EQ(std::count(passes.begin(), passes.end(), "winograd-convolutions"), 0) << target << " -O" << level;
    }
}

}  // namespace
}  // namespace conflux::passes
