#include "ir/state.h"

#include <queue>

#include "ir/error.h"

namespace conflux::ir {

State::State(std::string name) : name_(std::move(name)) {}

State::State(const State& other)
    : name_(other.name_), graph_(other.graph_), nextNode_(other.nextNode_),
      nextEdge_(other.nextEdge_) {
  reindex();
}

State& State::operator=(const State& other) {
  if (this == &other) return *this;
  name_ = other.name_;
  graph_ = other.graph_;
  nextNode_ = other.nextNode_;
  nextEdge_ = other.nextEdge_;
  reindex();
  return *this;
}

// Boost's adjacency_list may copy on move, so descriptors are always rebuilt.
State::State(State&& other) noexcept
    : name_(std::move(other.name_)), graph_(std::move(other.graph_)), nextNode_(other.nextNode_),
      nextEdge_(other.nextEdge_) {
  reindex();
}

State& State::operator=(State&& other) noexcept {
  if (this == &other) return *this;
  name_ = std::move(other.name_);
  graph_ = std::move(other.graph_);
  nextNode_ = other.nextNode_;
  nextEdge_ = other.nextEdge_;
  reindex();
  return *this;
}

void State::reindex() {
  vertices_.clear();
  edges_.clear();
  exits_.clear();
  for (auto [v, vEnd] = boost::vertices(graph_); v != vEnd; ++v) vertices_[graph_[*v].id] = *v;
  for (auto [e, eEnd] = boost::edges(graph_); e != eEnd; ++e) edges_[graph_[*e].id] = *e;
}

NodeId State::addNode(std::string label, NodePayload payload, std::vector<std::string> origins) {
  return insertNode(Node{NodeId{nextNode_}, std::move(label), std::move(origins), std::move(payload)});
}

NodeId State::insertNode(Node node) {
  if (node.id.value < 0 || hasNode(node.id))
    throw Error("state '" + name_ + "': node id " + std::to_string(node.id.value) +
                " is negative or used twice");
  NodeId id = node.id;
  vertices_[id] = boost::add_vertex(std::move(node), graph_);
  nextNode_ = std::max(nextNode_, id.value + 1);
  return id;
}

NodeId State::addAccess(const std::string& data, std::vector<std::string> origins) {
  return addNode(data, AccessNode{data}, std::move(origins));
}

NodeId State::addTasklet(std::string label, Tasklet tasklet, std::vector<std::string> origins) {
  return addNode(std::move(label), std::move(tasklet), std::move(origins));
}

std::pair<NodeId, NodeId> State::addMap(std::string label, Map map,
                                        std::vector<std::string> origins) {
  NodeId entry = addNode(label, MapEntry{std::move(map)}, origins);
  NodeId exit = addNode(std::move(label), MapExit{entry}, std::move(origins));
  return {entry, exit};
}

NodeId State::addLibrary(std::string label, LibraryNode node, std::vector<std::string> origins) {
  return addNode(std::move(label), std::move(node), std::move(origins));
}

EdgeId State::addEdge(NodeId src, std::string srcConn, NodeId dst, std::string dstConn,
                      Memlet memlet) {
  return insertEdge(Edge{EdgeId{nextEdge_}, src, std::move(srcConn), dst, std::move(dstConn),
                         std::move(memlet)});
}

EdgeId State::insertEdge(Edge edge) {
  std::string what = "state '" + name_ + "', edge e" + std::to_string(edge.id.value);
  if (edge.id.value < 0 || hasEdge(edge.id)) throw Error(what + ": id is negative or used twice");
  if (!hasNode(edge.src))
    throw Error(what + ": dangling edge, source node n" + std::to_string(edge.src.value) +
                " does not exist");
  if (!hasNode(edge.dst))
    throw Error(what + ": dangling edge, destination node n" + std::to_string(edge.dst.value) +
                " does not exist");
  EdgeId id = edge.id;
  Vertex s = vertex(edge.src);
  Vertex d = vertex(edge.dst);
  edges_[id] = boost::add_edge(s, d, std::move(edge), graph_).first;
  nextEdge_ = std::max(nextEdge_, id.value + 1);
  return id;
}

void State::removeEdge(EdgeId id) {
  auto it = edges_.find(id);
  CONFLUX_ASSERT(it != edges_.end(), "removing an edge that does not exist");
  boost::remove_edge(it->second, graph_);
  edges_.erase(it);
}

void State::removeNode(NodeId id) {
  for (EdgeId e : inEdges(id)) removeEdge(e);
  for (EdgeId e : outEdges(id)) removeEdge(e);
  Vertex v = vertex(id);
  boost::remove_vertex(v, graph_);
  vertices_.erase(id);
}

State::Vertex State::vertex(NodeId id) const {
  auto it = vertices_.find(id);
  if (it == vertices_.end())
    throw Error("state '" + name_ + "': node n" + std::to_string(id.value) + " does not exist");
  return it->second;
}

const Node& State::node(NodeId id) const { return graph_[vertex(id)]; }
Node& State::node(NodeId id) { return graph_[vertex(id)]; }

const Edge& State::edge(EdgeId id) const {
  auto it = edges_.find(id);
  CONFLUX_ASSERT(it != edges_.end(), "edge does not exist");
  return graph_[it->second];
}

Memlet& State::memlet(EdgeId id) {
  auto it = edges_.find(id);
  CONFLUX_ASSERT(it != edges_.end(), "edge does not exist");
  return graph_[it->second].memlet;
}

std::vector<NodeId> State::nodeIds() const {
  std::vector<NodeId> ids;
  for (const auto& [id, v] : vertices_) ids.push_back(id);
  return ids;
}

std::vector<EdgeId> State::edgeIds() const {
  std::vector<EdgeId> ids;
  for (const auto& [id, e] : edges_) ids.push_back(id);
  return ids;
}

std::vector<EdgeId> State::inEdges(NodeId id) const {
  std::vector<EdgeId> ids;
  for (auto [e, end] = boost::in_edges(vertex(id), graph_); e != end; ++e)
    ids.push_back(graph_[*e].id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<EdgeId> State::outEdges(NodeId id) const {
  std::vector<EdgeId> ids;
  for (auto [e, end] = boost::out_edges(vertex(id), graph_); e != end; ++e)
    ids.push_back(graph_[*e].id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::optional<std::vector<NodeId>> State::topologicalOrder() const {
  std::map<NodeId, size_t> pending;
  std::priority_queue<NodeId, std::vector<NodeId>, std::greater<>> ready;
  for (const auto& [id, v] : vertices_) {
    pending[id] = boost::in_degree(v, graph_);
    if (pending[id] == 0) ready.push(id);
  }
  std::vector<NodeId> order;
  while (!ready.empty()) {
    NodeId id = ready.top();
    ready.pop();
    order.push_back(id);
    for (EdgeId e : outEdges(id))
      if (--pending[edge(e).dst] == 0) ready.push(edge(e).dst);
  }
  if (order.size() != vertices_.size()) return std::nullopt;
  return order;
}

NodeId State::exitOf(NodeId entry) const {
  auto closes = [&](NodeId exit) {
    auto v = vertices_.find(exit);
    const auto* e = v == vertices_.end() ? nullptr : std::get_if<MapExit>(&graph_[v->second].payload);
    return e && e->entry == entry;
  };
  if (auto it = exits_.find(entry); it != exits_.end() && closes(it->second)) return it->second;
  exits_.clear();
  for (auto it = vertices_.rbegin(); it != vertices_.rend(); ++it)  // the lowest id wins, as in a scan
    if (const auto* e = std::get_if<MapExit>(&graph_[it->second].payload)) exits_[e->entry] = it->first;
  if (auto it = exits_.find(entry); it != exits_.end()) return it->second;
  throw Error("state '" + name_ + "': map entry " + node(entry).describe() + " has no map exit");
}

const Map& State::mapOf(NodeId entry) const {
  if (const auto* e = std::get_if<MapEntry>(&node(entry).payload)) return e->map;
  throw Error("state '" + name_ + "': " + node(entry).describe() + " is no map entry");
}

}  // namespace conflux::ir
