#pragma once
// A state: an acyclic dataflow multigraph of nodes joined by memlet edges, stored in a
// Boost.Graph bidirectional adjacency list. Node and edge ids are stable across edits, and
// every listing is in id order, so anything printed or emitted from a state is deterministic.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "ir/memlet.h"
#include "ir/node.h"

namespace conflux::ir {

/// Identifies an edge inside its state; stable across edits.
struct EdgeId {
  int64_t value = -1;
  auto operator<=>(const EdgeId&) const = default;
};

/// A dataflow edge: `memlet` moves from `src`.`srcConn` to `dst`.`dstConn`.
struct Edge {
  EdgeId id;
  NodeId src;
  std::string srcConn;
  NodeId dst;
  std::string dstConn;
  Memlet memlet;
};

/// An acyclic dataflow multigraph (acyclicity is checked by the validator).
class State {
 public:
  explicit State(std::string name = "s0");

  const std::string& name() const { return name_; }
  void setName(std::string name) { name_ = std::move(name); }

  /// Adds a node with a fresh id and returns the id.
  NodeId addNode(std::string label, NodePayload payload, std::vector<std::string> origins = {});
  /// Adds a node keeping `node.id` (used when reading files); throws conflux::Error on reuse.
  NodeId insertNode(Node node);
  /// Adds an access node of `data`.
  NodeId addAccess(const std::string& data, std::vector<std::string> origins = {});
  /// Adds a tasklet.
  NodeId addTasklet(std::string label, Tasklet tasklet, std::vector<std::string> origins = {});
  /// Adds a map scope; returns {entry, exit}.
  std::pair<NodeId, NodeId> addMap(std::string label, Map map,
                                   std::vector<std::string> origins = {});
  /// Adds a library node.
  NodeId addLibrary(std::string label, LibraryNode node, std::vector<std::string> origins = {});

  /// Adds an edge with a fresh id; throws conflux::Error when an endpoint does not exist.
  EdgeId addEdge(NodeId src, std::string srcConn, NodeId dst, std::string dstConn, Memlet memlet);
  /// Adds an edge keeping `edge.id` (used when reading files).
  EdgeId insertEdge(Edge edge);
  /// Removes an edge.
  void removeEdge(EdgeId id);
  /// Removes a node and every edge touching it.
  void removeNode(NodeId id);

  bool hasNode(NodeId id) const { return vertices_.count(id) != 0; }
  bool hasEdge(EdgeId id) const { return edges_.count(id) != 0; }
  const Node& node(NodeId id) const;
  Node& node(NodeId id);
  const Edge& edge(EdgeId id) const;
  /// The memlet of an edge, for passes to rewrite.
  Memlet& memlet(EdgeId id);

  size_t numNodes() const { return vertices_.size(); }
  size_t numEdges() const { return edges_.size(); }
  /// All node ids, ascending.
  std::vector<NodeId> nodeIds() const;
  /// All edge ids, ascending.
  std::vector<EdgeId> edgeIds() const;
  /// Edges entering / leaving a node, ascending by id.
  std::vector<EdgeId> inEdges(NodeId id) const;
  std::vector<EdgeId> outEdges(NodeId id) const;

  /// Nodes in topological order (ties broken by smallest id); nothing when there is a cycle.
  std::optional<std::vector<NodeId>> topologicalOrder() const;
  /// The map exit that closes `entry`; throws conflux::Error when there is none. Remembers what
  /// it found (exits_): a state is not read from two threads at once.
  NodeId exitOf(NodeId entry) const;
  /// The map of the map entry `entry`; throws conflux::Error when `entry` is no map entry.
  const Map& mapOf(NodeId entry) const;

  State(const State& other);
  State& operator=(const State& other);
  State(State&& other) noexcept;
  State& operator=(State&& other) noexcept;

 private:
  using Multigraph = boost::adjacency_list<boost::listS, boost::listS, boost::bidirectionalS,
                                           Node, Edge>;
  using Vertex = Multigraph::vertex_descriptor;
  using EdgeHandle = Multigraph::edge_descriptor;

  Vertex vertex(NodeId id) const;
  void reindex();

  std::string name_;
  Multigraph graph_;
  std::map<NodeId, Vertex> vertices_;
  std::map<EdgeId, EdgeHandle> edges_;
  /// Each map entry's exit as exitOf last found them all, checked at each use (payloads may be
  /// edited in place) and found again when wrong: exitOf is asked by every pass, often.
  mutable std::map<NodeId, NodeId> exits_;
  int64_t nextNode_ = 0;
  int64_t nextEdge_ = 0;
};

}  // namespace conflux::ir
