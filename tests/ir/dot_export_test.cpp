// Graphviz export of graphs.
#include "ir/dot_export.h"

#include <gtest/gtest.h>

#include "tests/ir/example_graphs.h"

namespace conflux::ir {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(DotExport, OneClusterPerState) {
  std::string dot = toDot(testing::matmulBiasRelu());
  EXPECT_EQ(dot.rfind("digraph \"mlp\" {", 0), 0u) << dot;
  EXPECT_TRUE(contains(dot, "subgraph cluster_0 {"));
  EXPECT_TRUE(contains(dot, "label=\"init\""));
  EXPECT_TRUE(contains(dot, "subgraph cluster_1 {"));
  EXPECT_TRUE(contains(dot, "label=\"compute\""));
  EXPECT_FALSE(contains(dot, "cluster_2"));
  // The interstate edge joins the two clusters.
  EXPECT_TRUE(contains(dot, "ltail=cluster_0, lhead=cluster_1"));
  EXPECT_EQ(dot.back(), '\n');
}

TEST(DotExport, NodeAndMemletLabels) {
  std::string dot = toDot(testing::matmulBiasRelu());
  EXPECT_TRUE(contains(dot, "[shape=octagon, label=\"mul\"]"));
  EXPECT_TRUE(contains(dot, "[shape=ellipse, label=\"x\"]"));
  EXPECT_TRUE(contains(dot, "[shape=trapezium, label=\"matmul\"]"));
  EXPECT_TRUE(contains(dot, "[shape=invtrapezium, label=\"bias_relu\"]"));
  EXPECT_TRUE(contains(dot, "label=\"x[i, k] (volume 1)\""));
  EXPECT_TRUE(contains(dot, "label=\"h[i, j] (volume 1, wcr sum)\""));
  EXPECT_TRUE(contains(dot, "label=\"(empty)\""));
}

TEST(DotExport, EscapesQuotesInNames) {
  Graph g("my \"graph\"");
  State s("say \"hi\"");
  s.addAccess("a\\b");
  g.addState(std::move(s));
  std::string dot = toDot(g);
  EXPECT_TRUE(contains(dot, "digraph \"my \\\"graph\\\"\""));
  EXPECT_TRUE(contains(dot, "label=\"say \\\"hi\\\"\""));
  EXPECT_TRUE(contains(dot, "label=\"a\\\\b\""));
}

}  // namespace
}  // namespace conflux::ir
