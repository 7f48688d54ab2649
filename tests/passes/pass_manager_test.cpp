// The pass manager runs pipelines by name, dumps and validates after passes.
#include <gtest/gtest.h>

#include <sstream>

#include "ir/error.h"
#include "ir/printer.h"
#include "passes/pass_manager.h"
#include "passes/pipelines.h"
#include "tests/ir/example_graphs.h"

namespace conflux::passes {
namespace {

TEST(Pipelines, EveryLevelStartsWithExpansionAndUnknownLevelsFail) {
  for (int level = 0; level <= 3; ++level)
    EXPECT_EQ(pipeline(level, "cpu").front(), "expand-library-nodes") << level;
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

}  // namespace
}  // namespace conflux::passes
