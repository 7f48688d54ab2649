// The validator accepts well-formed graphs and rejects each broken invariant with a message
// naming the offending node or edge.
#include <gtest/gtest.h>

#include "ir/error.h"
#include "ir/validate.h"
#include "tests/ir/example_graphs.h"

namespace conflux::ir {
namespace {

/// The validator's message for `g`, or "valid".
std::string validationMessage(const Graph& g) {
  try {
    validate(g);
  } catch (const Error& e) {
    return e.what();
  }
  return "valid";
}

/// The first node of `kind` labelled `label` in state `s`.
NodeId findNode(const State& s, NodeKind kind, const std::string& label) {
  for (NodeId id : s.nodeIds())
    if (s.node(id).kind() == kind && s.node(id).label == label) return id;
  throw std::runtime_error("no node " + label);
}

TEST(Validate, ExampleGraphsAreValid) {
  EXPECT_EQ(validationMessage(testing::matmulBiasRelu()), "valid");
  EXPECT_EQ(validationMessage(testing::conv3x3Tile(3, 8, 8, 4)), "valid");
}

TEST(Validate, RejectsUnknownArrayOnAccessNode) {
  Graph g = testing::matmulBiasRelu();
  g.state(1).addAccess("ghost");
  std::string m = validationMessage(g);
  EXPECT_NE(m.find("unknown array 'ghost'"), std::string::npos) << m;
  EXPECT_NE(m.find("(access ghost)"), std::string::npos) << m;
}

TEST(Validate, RejectsUnknownArrayInMemlet) {
  Graph g = testing::matmulBiasRelu();
  State& s = g.state(1);
  NodeId relu = findNode(s, NodeKind::Tasklet, "bias_relu");
  NodeId y = s.addAccess("y");
  s.addEdge(relu, "c", y, "", Memlet::of("nothing", "0"));
  std::string m = validationMessage(g);
  EXPECT_NE(m.find("unknown array 'nothing'"), std::string::npos) << m;
}

TEST(Validate, RejectsOutOfBoundsSubsetNamingTheEdge) {
  Graph g = testing::matmulBiasRelu();
  State& s = g.state(1);
  for (EdgeId id : s.edgeIds())
    if (s.edge(id).memlet.data == "x" && s.edge(id).dstConn == "a")
      s.memlet(id) = Memlet::of("x", "i, k + 1");  // k + 1 reaches 16 in a 16-wide dimension
  std::string m = validationMessage(g);
  EXPECT_NE(m.find("out of bounds in dimension 1"), std::string::npos) << m;
  EXPECT_NE(m.find("(tasklet mul)"), std::string::npos) << m;
}

TEST(Validate, RejectsSubsetOfWrongRank) {
  Graph g = testing::matmulBiasRelu();
  State& s = g.state(1);
  for (EdgeId id : s.edgeIds())
    if (s.edge(id).memlet.data == "b" && s.edge(id).dstConn == "b") s.memlet(id) = Memlet::of("b", "j, 0");
  std::string m = validationMessage(g);
  EXPECT_NE(m.find("has rank 2 but 'b' has rank 1"), std::string::npos) << m;
}

TEST(Validate, RejectsDtypeMismatchBetweenTaskletAndArray) {
  Graph g = testing::matmulBiasRelu();
  g.array("b").dtype = DType::I64;
  std::string m = validationMessage(g);
  EXPECT_NE(m.find("dtype mismatch"), std::string::npos) << m;
  EXPECT_NE(m.find("(tasklet bias_relu)"), std::string::npos) << m;
}

TEST(Validate, RejectsCycleInAState) {
  Graph g = testing::matmulBiasRelu();
  State& s = g.state(1);
  NodeId y = findNode(s, NodeKind::Access, "y");
  NodeId x = findNode(s, NodeKind::Access, "x");
  s.addEdge(y, "", x, "", Memlet::of("y", "0:7, 0:15"));
  std::string m = validationMessage(g);
  EXPECT_NE(m.find("cycle"), std::string::npos) << m;
  EXPECT_NE(m.find("state 'compute'"), std::string::npos) << m;
}

TEST(Validate, RejectsDanglingConnectorOnATasklet) {
  Graph g = testing::matmulBiasRelu();
  State& s = g.state(1);
  NodeId mul = findNode(s, NodeKind::Tasklet, "mul");
  std::get<Tasklet>(s.node(mul).payload).inputs.push_back("unfed");
  std::string m = validationMessage(g);
  EXPECT_NE(m.find("input connector 'unfed' is dangling"), std::string::npos) << m;
  EXPECT_NE(m.find("(tasklet mul)"), std::string::npos) << m;
}

TEST(Validate, RejectsEdgeIntoAConnectorThatDoesNotExist) {
  Graph g = testing::matmulBiasRelu();
  State& s = g.state(1);
  NodeId mul = findNode(s, NodeKind::Tasklet, "mul");
  NodeId entry = findNode(s, NodeKind::MapEntry, "matmul");
  s.addEdge(entry, "OUT_w", mul, "nowhere", Memlet::of("w", "k, j"));
  std::string m = validationMessage(g);
  EXPECT_NE(m.find("no input connector 'nowhere' (dangling edge)"), std::string::npos) << m;
}

TEST(Validate, RejectsMapConnectorWithoutItsPair) {
  Graph g = testing::matmulBiasRelu();
  State& s = g.state(1);
  NodeId entry = findNode(s, NodeKind::MapEntry, "matmul");
  NodeId b = findNode(s, NodeKind::Access, "b");
  s.addEdge(b, "", entry, "IN_b", Memlet::of("b", "0:31"));
  std::string m = validationMessage(g);
  EXPECT_NE(m.find("IN_b has no matching OUT_b"), std::string::npos) << m;
  EXPECT_NE(m.find("(map_entry matmul)"), std::string::npos) << m;
}

TEST(Validate, RejectsUnboundSymbolInMemlet) {
  Graph g = testing::matmulBiasRelu();
  State& s = g.state(1);
  for (EdgeId id : s.edgeIds())
    if (s.edge(id).memlet.data == "b" && s.edge(id).dstConn == "b") s.memlet(id) = Memlet::of("b", "z");
  std::string m = validationMessage(g);
  EXPECT_NE(m.find("unbound symbol 'z'"), std::string::npos) << m;
}

TEST(Validate, RejectsBadMapsAndArrays) {
  Graph g = testing::matmulBiasRelu();
  State& s = g.state(1);
  NodeId entry = findNode(s, NodeKind::MapEntry, "bias_relu");
  std::get<MapEntry>(s.node(entry).payload).map.params.push_back("extra");
  EXPECT_NE(validationMessage(g).find("3 parameters but 2 ranges"), std::string::npos);

  Graph g2 = testing::matmulBiasRelu();
  g2.array("x").shape[0] = 0;
  EXPECT_NE(validationMessage(g2).find("array 'x': dimension 0 is not positive"), std::string::npos);

  Graph g3 = testing::matmulBiasRelu();
  g3.setOutputs({"h"});
  EXPECT_NE(validationMessage(g3).find("output 'h': is transient"), std::string::npos);
}

TEST(Validate, RejectsBadInterstateEdges) {
  Graph g = testing::matmulBiasRelu();
  g.addInterstateEdge({1, 7, nullptr, {}});
  EXPECT_NE(validationMessage(g).find("refers to a state that does not exist"), std::string::npos);
}

}  // namespace
}  // namespace conflux::ir
