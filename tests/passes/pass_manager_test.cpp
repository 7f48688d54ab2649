// The pass manager runs pipelines by name, dumps and validates after passes.
#include <gtest/gtest.h>

#include <algorithm>

#include <sstream>

#include "ir/error.h"
#include "ir/printer.h"
#include "passes/pass_manager.h"
#include "passes/pipelines.h"
#include "tests/ir/example_graphs.h"
#include "tests/passes/library_graphs.h"

namespace conflux::passes {
namespace {

TEST(Pipelines, EveryLevelStartsWithExpansionAndUnknownLevelsFail) {
  // Only the choice of an expansion (Winograd's, at -O3 on the cpu target) comes before it.
  for (int level = 0; level <= 3; ++level) {
    std::vector<std::string> passes = pipeline(level, "cpu");
    auto expansion = std::find(passes.begin(), passes.end(), "expand-library-nodes");
    ASSERT_NE(expansion, passes.end()) << level;
    for (auto p = passes.begin(); p != expansion; ++p) EXPECT_EQ(*p, "winograd-convolutions") << level;
  }
  EXPECT_EQ(pipeline(0, "cpu").size(), 1u);
  EXPECT_THROW(pipeline(7, "cpu"), Error);
}

TEST(Pipelines, EveryPipelinePassExists) {
  for (int level = 0; level <= 3; ++level)
    for (const std::string& name : pipeline(level, "cpu")) EXPECT_NO_THROW(makePass(name)) << name;
}

TEST(PassManager, UnknownPassNamesTheKnownOnes) {
  ir::Graph g = testing::matmulBiasRelu();
  PassContext context;
  try {
    runPasses(g, {"no-such-pass"}, context);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown pass 'no-such-pass'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("propagate-memlets"), std::string::npos);
  }
}

TEST(PassManager, PropagationRestoresStaleOuterMemletsAndDumps) {
  ir::Graph g = testing::matmulBiasRelu();
  std::string expected = ir::print(g);
  ir::State& s = g.state(1);
  for (ir::EdgeId id : s.edgeIds())
    if (s.node(s.edge(id).dst).kind() == ir::NodeKind::MapEntry) s.memlet(id).volume = 1;
  ASSERT_NE(ir::print(g), expected);

  PassContext context;
  context.validateEachPass = true;
  context.dumpAfter = "propagate-memlets";
  std::vector<std::string> dumped;
  context.dump = [&](std::string_view pass, const ir::Graph&) { dumped.emplace_back(pass); };
  std::ostringstream log;
  context.log = &log;
  runPasses(g, {"propagate-memlets"}, context);
  EXPECT_EQ(ir::print(g), expected);
  EXPECT_EQ(dumped, std::vector<std::string>{"propagate-memlets"});
  EXPECT_EQ(log.str(), "pass propagate-memlets\n");
}

/// x [4,6] -> Add(b) -> Relu -> y: two maps that map-fusion makes one.
const char* kBiasRelu = R"({"format": "conflux-graph", "version": 1, "name": "chain",
  "tensors": {"x": {"shape": [4, 6], "dtype": "float32", "kind": "input"},
              "b": {"shape": [6], "dtype": "float32", "kind": "input"},
              "y": {"shape": [4, 6], "dtype": "float32", "kind": "output"}},
  "nodes": [{"name": "bias", "op": "Add", "inputs": ["x", "b"], "outputs": ["h"]},
            {"name": "act", "op": "Relu", "inputs": ["h"], "outputs": ["y"]}]})";

TEST(PassManager, AnalysesSurvivePassesThatDoNotModifyWhatTheyDependOn) {
  ir::Graph g = testing::expandedGraph(kBiasRelu);
  PassContext context;
  size_t kernels = context.analyses.kernels(g).size();
  context.analyses.dataMovement(g);
  EXPECT_EQ(context.analyses.computations(), 2);
  // Propagation modifies memlets: the kernels stay, data movement is computed again.
  runPasses(g, {"propagate-memlets"}, context);
  context.analyses.kernels(g);
  EXPECT_EQ(context.analyses.computations(), 2);
  context.analyses.dataMovement(g);
  EXPECT_EQ(context.analyses.computations(), 3);
  // Layout selection reads the priced kernels and modifies layouts at most: all stay.
  runPasses(g, {"select-layouts"}, context);
  int afterLayouts = context.analyses.computations();
  context.analyses.kernels(g);
  context.analyses.dataMovement(g);
  context.analyses.pricedKernels(g);
  EXPECT_EQ(context.analyses.computations(), afterLayouts);
  // Fusion changes the kernels: asked again, they are computed again, and fewer.
  runPasses(g, {"map-fusion"}, context);
  EXPECT_LT(context.analyses.kernels(g).size(), kernels);
  EXPECT_EQ(context.analyses.computations(), afterLayouts + 1);
  // Another graph is never answered from this one's results.
  ir::Graph other = testing::expandedGraph(kBiasRelu);
  EXPECT_EQ(context.analyses.kernels(other).size(), kernels);
}

}  // namespace
}  // namespace conflux::passes
