// State: node and edge editing, stable ids, ordered listings, topological order, copies.
#include "ir/state.h"

#include <gtest/gtest.h>

#include "ir/error.h"

namespace conflux::ir {
namespace {

std::vector<int64_t> values(const std::vector<NodeId>& ids) {
  std::vector<int64_t> out;
  for (NodeId id : ids) out.push_back(id.value);
  return out;
}

std::vector<int64_t> values(const std::vector<EdgeId>& ids) {
  std::vector<int64_t> out;
  for (EdgeId id : ids) out.push_back(id.value);
  return out;
}

Tasklet copyTasklet() {
  return Tasklet{{"a"}, {{"b", ref("a", DType::F32)}}};
}

TEST(State, AddAndRemoveNodesAndEdges) {
  State s("s");
  NodeId a = s.addAccess("A");
  NodeId t = s.addTasklet("copy", copyTasklet());
  NodeId b = s.addAccess("B");
  EdgeId e0 = s.addEdge(a, "", t, "a", Memlet::of("A", "0"));
  EdgeId e1 = s.addEdge(t, "b", b, "", Memlet::of("B", "0"));
  EXPECT_EQ(s.numNodes(), 3u);
  EXPECT_EQ(s.numEdges(), 2u);
  EXPECT_EQ(s.edge(e0).dst, t);
  EXPECT_EQ(s.edge(e1).srcConn, "b");
  EXPECT_EQ(s.node(a).kind(), NodeKind::Access);
  EXPECT_EQ(s.node(t).label, "copy");

  s.removeEdge(e0);
  EXPECT_FALSE(s.hasEdge(e0));
  EXPECT_EQ(s.numEdges(), 1u);
  s.removeNode(t);  // also removes e1
  EXPECT_FALSE(s.hasNode(t));
  EXPECT_FALSE(s.hasEdge(e1));
  EXPECT_EQ(s.numNodes(), 2u);
  EXPECT_EQ(s.numEdges(), 0u);
}

TEST(State, IdsStayStableAfterRemoval) {
  State s;
  NodeId a = s.addAccess("A");
  NodeId b = s.addAccess("B");
  NodeId c = s.addAccess("C");
  EdgeId e0 = s.addEdge(a, "", b, "", Memlet::empty());
  EdgeId e1 = s.addEdge(b, "", c, "", Memlet::empty());
  s.removeNode(a);
  EXPECT_EQ(values(s.nodeIds()), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(s.node(c).label, "C");
  EXPECT_EQ(s.edge(e1).src, b);
  // Fresh ids are never reused after removal.
  NodeId d = s.addAccess("D");
  EXPECT_EQ(d.value, 3);
  EdgeId e2 = s.addEdge(c, "", d, "", Memlet::empty());
  EXPECT_GT(e2, e1);
  EXPECT_NE(e2, e0);
}

TEST(State, InAndOutEdgesSortedById) {
  State s;
  NodeId a = s.addAccess("A");
  NodeId b = s.addAccess("B");
  NodeId c = s.addAccess("C");
  // Insert out of id order; listings must still be ascending.
  s.insertEdge(Edge{EdgeId{5}, a, "", c, "", Memlet::empty()});
  s.insertEdge(Edge{EdgeId{2}, b, "", c, "", Memlet::empty()});
  s.insertEdge(Edge{EdgeId{3}, a, "", c, "", Memlet::empty()});
  s.insertEdge(Edge{EdgeId{1}, a, "", b, "", Memlet::empty()});
  EXPECT_EQ(values(s.inEdges(c)), (std::vector<int64_t>{2, 3, 5}));
  EXPECT_EQ(values(s.outEdges(a)), (std::vector<int64_t>{1, 3, 5}));
  EXPECT_EQ(values(s.edgeIds()), (std::vector<int64_t>{1, 2, 3, 5}));
  EXPECT_TRUE(s.inEdges(a).empty());
  EXPECT_EQ(s.addEdge(a, "", b, "", Memlet::empty()).value, 6);
}

TEST(State, TopologicalOrderBreaksTiesBySmallestId) {
  State s;
  NodeId n0 = s.addAccess("n0");
  NodeId n1 = s.addAccess("n1");
  NodeId n2 = s.addAccess("n2");
  NodeId n3 = s.addAccess("n3");
  NodeId n4 = s.addAccess("n4");
  s.addEdge(n3, "", n0, "", Memlet::empty());
  s.addEdge(n4, "", n1, "", Memlet::empty());
  s.addEdge(n2, "", n4, "", Memlet::empty());
  // Sources are n2 and n3; n2 first, which frees n4, but n3 (smaller) comes before n4.
  auto order = s.topologicalOrder();
  ASSERT_TRUE(order.has_value());
  EXPECT_EQ(values(*order), (std::vector<int64_t>{2, 3, 0, 4, 1}));
  EXPECT_EQ(s.topologicalOrder(), order);  // deterministic
}

TEST(State, TopologicalOrderOfCycleIsNothing) {
  State s;
  NodeId a = s.addAccess("A");
  NodeId b = s.addAccess("B");
  NodeId c = s.addAccess("C");
  s.addEdge(a, "", b, "", Memlet::empty());
  s.addEdge(b, "", c, "", Memlet::empty());
  EXPECT_TRUE(s.topologicalOrder().has_value());
  s.addEdge(c, "", b, "", Memlet::empty());
  EXPECT_EQ(s.topologicalOrder(), std::nullopt);
}

TEST(State, InsertNodeWithReusedIdThrows) {
  State s;
  NodeId a = s.addAccess("A");
  EXPECT_THROW(s.insertNode(Node{a, "again", {}, AccessNode{"B"}}), Error);
  EXPECT_THROW(s.insertNode(Node{NodeId{-1}, "negative", {}, AccessNode{"B"}}), Error);
  NodeId far = s.insertNode(Node{NodeId{10}, "far", {}, AccessNode{"B"}});
  EXPECT_EQ(far.value, 10);
  EXPECT_EQ(s.addAccess("C").value, 11);
  EXPECT_EQ(s.numNodes(), 3u);
}

TEST(State, AddEdgeToMissingNodeThrowsDangling) {
  State s;
  NodeId a = s.addAccess("A");
  for (auto [src, dst] : {std::pair{a, NodeId{7}}, std::pair{NodeId{7}, a}}) {
    try {
      s.addEdge(src, "", dst, "", Memlet::empty());
      FAIL() << "expected conflux::Error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("dangling"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(s.numEdges(), 0u);
}

TEST(State, CopyIsIndependent) {
  State s("orig");
  NodeId a = s.addAccess("A");
  NodeId b = s.addAccess("B");
  EdgeId e = s.addEdge(a, "", b, "", Memlet::of("A", "0:3"));
  State copy = s;
  copy.node(a).label = "renamed";
  copy.memlet(e).subset = Subset::parse("1");
  copy.removeNode(b);
  copy.addAccess("C");
  EXPECT_EQ(s.node(a).label, "A");
  EXPECT_EQ(s.edge(e).memlet.subset.toString(), "0:3");
  EXPECT_TRUE(s.hasNode(b));
  EXPECT_EQ(s.numNodes(), 2u);
  EXPECT_EQ(s.numEdges(), 1u);
  EXPECT_EQ(copy.numNodes(), 2u);
  EXPECT_EQ(copy.name(), "orig");

  State assigned("other");
  assigned = s;
  assigned.node(b).label = "changed";
  EXPECT_EQ(s.node(b).label, "B");
  EXPECT_EQ(assigned.edge(e).memlet.subset.toString(), "0:3");
}

TEST(State, MovedStateStaysUsable) {
  State s("orig");
  NodeId a = s.addAccess("A");
  NodeId b = s.addAccess("B");
  EdgeId e = s.addEdge(a, "", b, "", Memlet::of("A", "0:3"));
  State moved = std::move(s);
  EXPECT_EQ(moved.edge(e).memlet.subset.toString(), "0:3");
  EXPECT_EQ(moved.outEdges(a), std::vector<EdgeId>{e});
  State assigned;
  assigned = std::move(moved);
  assigned.removeNode(b);
  EXPECT_FALSE(assigned.hasEdge(e));
  EXPECT_EQ(assigned.numNodes(), 1u);
}

TEST(State, ExitOfFindsMatchingMapExit) {
  State s;
  auto [outerEntry, outerExit] = s.addMap("outer", Map{{"i"}, Subset::parse("0:3")});
  auto [innerEntry, innerExit] = s.addMap("inner", Map{{"j"}, Subset::parse("0:7")});
  EXPECT_EQ(s.exitOf(outerEntry), outerExit);
  EXPECT_EQ(s.exitOf(innerEntry), innerExit);
  s.removeNode(innerExit);
  EXPECT_THROW(s.exitOf(innerEntry), Error);
}

}  // namespace
}  // namespace conflux::ir
