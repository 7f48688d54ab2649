#include "passes/map_fusion.h"

#include <algorithm>
#include <set>

#include "ir/error.h"
#include "ir/memlet_propagation.h"

namespace conflux::passes {
namespace {

using ir::EdgeId;
using ir::NodeId;
using ir::NodeKind;

/// The one tasklet of a map scope whose body is that tasklet alone, or nothing.
std::optional<NodeId> soleTasklet(const ir::State& state, NodeId entry) {
  std::optional<NodeId> tasklet;
  for (EdgeId e : state.outEdges(entry)) {
    NodeId dst = state.edge(e).dst;
    if (state.node(dst).kind() != NodeKind::Tasklet || (tasklet && *tasklet != dst)) return std::nullopt;
    tasklet = dst;
  }
  if (!tasklet) return std::nullopt;
  NodeId exit = state.exitOf(entry);
  for (EdgeId e : state.outEdges(*tasklet))
    if (state.edge(e).dst != exit) return std::nullopt;
  for (EdgeId e : state.inEdges(exit))
    if (state.edge(e).src != *tasklet) return std::nullopt;
  return tasklet;
}

/// True when every edge into the entry and out of the exit touches an access node: the map is
/// not nested in another scope.
bool isTopLevel(const ir::State& state, NodeId entry) {
  for (EdgeId e : state.inEdges(entry))
    if (state.node(state.edge(e).src).kind() != NodeKind::Access) return false;
  for (EdgeId e : state.outEdges(state.exitOf(entry)))
    if (state.node(state.edge(e).dst).kind() != NodeKind::Access) return false;
  return true;
}

int accessNodeCount(const ir::Graph& graph, const std::string& data) {
  int count = 0;
  for (const ir::State& s : graph.states())
    for (NodeId id : s.nodeIds())
      if (const auto* access = std::get_if<ir::AccessNode>(&s.node(id).payload))
        count += access->data == data ? 1 : 0;
  return count;
}

/// Expressions have no local bindings, so composing duplicates the producer's expression at
/// every use of the transient; fusion stops before tasklets grow past this many nodes.
constexpr int64_t kMaxFusedExprNodes = 64;

int64_t exprNodes(const ir::Expr& e) {
  int64_t n = 1;
  for (const ir::Expr& arg : e->args) n += exprNodes(arg);
  return n;
}

/// Nodes of `e` after replacing each Ref to `conn` by an expression of `replacementNodes` nodes.
int64_t composedNodes(const ir::Expr& e, const std::string& conn, int64_t replacementNodes) {
  if (e->kind == ir::ExprKind::Ref && e->name == conn) return replacementNodes;
  int64_t n = 1;
  for (const ir::Expr& arg : e->args) n += composedNodes(arg, conn, replacementNodes);
  return n;
}

bool isPoint(const ir::Subset& subset) {
  return std::all_of(subset.ranges.begin(), subset.ranges.end(),
                     [](const ir::Range& r) { return r.begin == r.end; });
}

/// `subset` with the consumer's map parameters renamed to the producer's (through temporaries,
/// so that a parameter named like one of the other map's is not captured).
ir::Subset renamedParams(ir::Subset subset, const ir::Map& from, const ir::Map& to) {
  for (size_t k = 0; k < from.params.size(); ++k)
    subset = subset.substitute(from.params[k], ir::AffineExpr::symbol("__fusion_" + std::to_string(k)));
  for (size_t k = 0; k < from.params.size(); ++k)
    subset = subset.substitute("__fusion_" + std::to_string(k), ir::AffineExpr::symbol(to.params[k]));
  return subset;
}

/// The arrays a map scope reads (outer memlets into its entry).
std::set<std::string> arraysRead(const ir::State& state, NodeId entry) {
  std::set<std::string> read;
  for (EdgeId e : state.inEdges(entry))
    if (!state.edge(e).memlet.isEmpty()) read.insert(state.edge(e).memlet.data);
  return read;
}

/// The parts of a legal candidate that fusion rewires.
struct Match {
  NodeId producerEntry, producerExit, producerTasklet;
  NodeId consumerEntry, consumerExit, consumerTasklet;
  EdgeId readEdge;  // consumer entry -> consumer tasklet, reading the transient
};

/// Checks legality; on success fills `match`, otherwise returns the failed check.
std::optional<std::string> matchCandidate(const ir::Graph& graph, size_t stateIndex, NodeId intermediate,
                                          Match& match) {
  const ir::State& state = graph.state(stateIndex);
  const auto* access = std::get_if<ir::AccessNode>(&state.node(intermediate).payload);
  if (!access) return "not an access node";
  const std::string& data = access->data;
  if (!graph.array(data).transient) return "'" + data + "' is not transient";
  if (accessNodeCount(graph, data) != 1) return "'" + data + "' is accessed in more than one place";
  if (state.inEdges(intermediate).size() != 1 || state.outEdges(intermediate).size() != 1)
    return "'" + data + "' does not have exactly one writer and one reader";
  const ir::Edge& in = state.edge(state.inEdges(intermediate).front());
  const ir::Edge& out = state.edge(state.outEdges(intermediate).front());
  const auto* exit = std::get_if<ir::MapExit>(&state.node(in.src).payload);
  if (!exit || state.node(out.dst).kind() != NodeKind::MapEntry)
    return "'" + data + "' is not written by a map and read by a map";
  match.producerExit = in.src;
  match.producerEntry = exit->entry;
  match.consumerEntry = out.dst;
  match.consumerExit = state.exitOf(out.dst);
  if (state.outEdges(match.producerExit).size() != 1) return "the producer map writes more than one array";
  if (!isTopLevel(state, match.producerEntry) || !isTopLevel(state, match.consumerEntry))
    return "a map is nested in another scope";

  std::optional<NodeId> producer = soleTasklet(state, match.producerEntry);
  std::optional<NodeId> consumer = soleTasklet(state, match.consumerEntry);
  if (!producer || !consumer) return "a map body is not a single tasklet";
  match.producerTasklet = *producer;
  match.consumerTasklet = *consumer;
  const auto& producerTasklet = std::get<ir::Tasklet>(state.node(*producer).payload);
  if (producerTasklet.outputs.size() != 1 || state.outEdges(*producer).size() != 1)
    return "the producer tasklet has more than one output";

  const ir::Map& producerMap = std::get<ir::MapEntry>(state.node(match.producerEntry).payload).map;
  const ir::Map& consumerMap = std::get<ir::MapEntry>(state.node(match.consumerEntry).payload).map;
  if (producerMap.params.size() != consumerMap.params.size() || !(producerMap.ranges == consumerMap.ranges))
    return "the maps iterate over different spaces";

  const ir::Memlet& write = state.edge(state.outEdges(*producer).front()).memlet;
  if (write.wcr != ir::Wcr::None || !isPoint(write.subset)) return "the producer does not write one element";
  std::vector<EdgeId> reads;
  for (EdgeId e : state.outEdges(match.consumerEntry))
    if (state.edge(e).memlet.data == data) reads.push_back(e);
  if (reads.size() != 1) return "the consumer reads '" + data + "' more than once";
  match.readEdge = reads.front();
  const ir::Edge& read = state.edge(match.readEdge);
  if (!isPoint(read.memlet.subset) || !(renamedParams(read.memlet.subset, consumerMap, producerMap) == write.subset))
    return "the consumer reads another element of '" + data + "' than the producer writes";
  const auto& consumerTasklet = std::get<ir::Tasklet>(state.node(*consumer).payload);
  for (const ir::TaskletOutput& o : consumerTasklet.outputs) {
    std::vector<std::string> loaded = ir::loadedConnectors(o.expr);
    if (std::count(loaded.begin(), loaded.end(), read.dstConn)) return "the consumer loads '" + data + "' indirectly";
    if (composedNodes(o.expr, read.dstConn, exprNodes(producerTasklet.outputs.front().expr)) > kMaxFusedExprNodes)
      return "the fused expression would exceed " + std::to_string(kMaxFusedExprNodes) + " nodes";
  }
  std::set<std::string> producerReads = arraysRead(state, match.producerEntry);
  for (EdgeId e : state.outEdges(match.consumerExit))
    if (producerReads.count(state.edge(e).memlet.data)) return "the consumer writes an array the producer reads";
  return std::nullopt;
}

/// A name not in `used`, built from `base`; records it as used.
std::string freshName(const std::string& base, std::set<std::string>& used) {
  std::string name = base;
  for (int k = 1; used.count(name); ++k) name = base + "_" + std::to_string(k);
  used.insert(name);
  return name;
}

/// Fresh IN_x / OUT_x connector pair on a scope node, by base name.
std::string freshConnectorBase(const ir::State& state, NodeId scopeNode, const std::string& base) {
  std::set<std::string> used;
  for (EdgeId e : state.inEdges(scopeNode)) used.insert(ir::connectorBase(state.edge(e).dstConn));
  for (EdgeId e : state.outEdges(scopeNode)) used.insert(ir::connectorBase(state.edge(e).srcConn));
  return freshName(base, used);
}

}  // namespace

std::optional<std::string> whyNotFusable(const ir::Graph& graph, size_t state, NodeId intermediate) {
  Match match;
  return matchCandidate(graph, state, intermediate, match);
}

std::vector<MapFusionCandidate> findMapFusionCandidates(const ir::Graph& graph) {
  std::vector<MapFusionCandidate> candidates;
  for (size_t s = 0; s < graph.states().size(); ++s)
    for (NodeId id : graph.state(s).nodeIds()) {
      Match match;
      if (!matchCandidate(graph, s, id, match))
        candidates.push_back({s, match.producerEntry, id, match.consumerEntry});
    }
  return candidates;
}

void fuseMaps(ir::Graph& graph, const MapFusionCandidate& candidate) {
  Match m;
  if (auto failure = matchCandidate(graph, candidate.state, candidate.intermediate, m))
    throw Error("map-fusion: cannot fuse through node " + std::to_string(candidate.intermediate.value) + ": " +
                *failure);
  ir::State& state = graph.state(candidate.state);
  const ir::Map producerMap = std::get<ir::MapEntry>(state.node(m.producerEntry).payload).map;
  const ir::Map consumerMap = std::get<ir::MapEntry>(state.node(m.consumerEntry).payload).map;
  const ir::Tasklet producer = std::get<ir::Tasklet>(state.node(m.producerTasklet).payload);
  const ir::Tasklet consumer = std::get<ir::Tasklet>(state.node(m.consumerTasklet).payload);
  const std::string data = std::get<ir::AccessNode>(state.node(candidate.intermediate).payload).data;

  // The fused tasklet: the consumer's outputs with the transient replaced by the producer's
  // expression; the consumer's other connectors and its map parameters renamed.
  std::set<std::string> used(producer.inputs.begin(), producer.inputs.end());
  used.insert(producerMap.params.begin(), producerMap.params.end());
  std::map<std::string, std::string> renames;
  for (size_t k = 0; k < consumerMap.params.size(); ++k) renames[consumerMap.params[k]] = producerMap.params[k];
  const std::string& transientConn = state.edge(m.readEdge).dstConn;
  ir::Tasklet fused{producer.inputs, {}};
  for (const std::string& input : consumer.inputs)
    if (input != transientConn) fused.inputs.push_back(renames[input] = freshName(input, used));
  std::map<std::string, ir::Expr> replacements{{transientConn, producer.outputs.front().expr}};
  for (const ir::TaskletOutput& o : consumer.outputs)
    fused.outputs.push_back({renames[o.name] = freshName(o.name, used), ir::substitute(o.expr, replacements, renames)});

  ir::Node& tasklet = state.node(m.producerTasklet);
  tasklet.payload = fused;
  tasklet.label += "_" + state.node(m.consumerTasklet).label;
  for (const std::string& origin : state.node(m.consumerTasklet).origins)
    if (std::find(tasklet.origins.begin(), tasklet.origins.end(), origin) == tasklet.origins.end())
      tasklet.origins.push_back(origin);
  state.node(m.producerEntry).label += "_" + state.node(m.consumerEntry).label;
  state.node(m.producerExit).label = state.node(m.producerEntry).label;
  for (NodeId scopeNode : {m.producerEntry, m.producerExit}) {
    std::vector<std::string>& origins = state.node(scopeNode).origins;
    for (const std::string& origin : state.node(m.consumerEntry).origins)
      if (std::find(origins.begin(), origins.end(), origin) == origins.end()) origins.push_back(origin);
  }

  // The consumer's other inputs enter through the producer's entry.
  for (EdgeId e : state.outEdges(m.consumerEntry)) {
    const ir::Edge inner = state.edge(e);
    if (e == m.readEdge || inner.memlet.isEmpty()) continue;
    std::string base = freshConnectorBase(state, m.producerEntry, inner.memlet.data);
    for (EdgeId o : state.inEdges(m.consumerEntry)) {
      const ir::Edge outer = state.edge(o);
      if (outer.dstConn == "IN_" + ir::connectorBase(inner.srcConn))
        state.addEdge(outer.src, outer.srcConn, m.producerEntry, "IN_" + base, outer.memlet);
    }
    ir::Memlet memlet = inner.memlet;
    memlet.subset = renamedParams(memlet.subset, consumerMap, producerMap);
    state.addEdge(m.producerEntry, "OUT_" + base, m.producerTasklet, renames.at(inner.dstConn), memlet);
  }
  for (EdgeId e : state.inEdges(m.consumerEntry)) {
    const ir::Edge outer = state.edge(e);
    if (outer.memlet.isEmpty() && outer.src != candidate.intermediate)
      state.addEdge(outer.src, outer.srcConn, m.producerEntry, "", outer.memlet);
  }
  // The consumer's outputs leave through the producer's exit.
  for (EdgeId e : state.inEdges(m.consumerExit)) {
    const ir::Edge inner = state.edge(e);
    std::string base = freshConnectorBase(state, m.producerExit, inner.memlet.data);
    for (EdgeId o : state.outEdges(m.consumerExit)) {
      const ir::Edge outer = state.edge(o);
      if (outer.srcConn == "OUT_" + ir::connectorBase(inner.dstConn))
        state.addEdge(m.producerExit, "OUT_" + base, outer.dst, outer.dstConn, outer.memlet);
    }
    ir::Memlet memlet = inner.memlet;
    memlet.subset = renamedParams(memlet.subset, consumerMap, producerMap);
    state.addEdge(m.producerTasklet, renames.at(inner.srcConn), m.producerExit, "IN_" + base, memlet);
  }
  for (EdgeId e : state.outEdges(m.consumerExit)) {
    const ir::Edge outer = state.edge(e);
    if (outer.memlet.isEmpty()) state.addEdge(m.producerExit, "", outer.dst, outer.dstConn, outer.memlet);
  }
  // The producer's write of the transient goes, with the consumer's nodes and the transient.
  for (EdgeId e : state.outEdges(m.producerTasklet))
    if (state.edge(e).memlet.data == data) state.removeEdge(e);
  for (NodeId dead : {m.consumerTasklet, m.consumerEntry, m.consumerExit, candidate.intermediate})
    state.removeNode(dead);
  graph.removeArray(data);
}

int fuseElementwiseMaps(ir::Graph& graph) {
  int fusions = 0;
  for (;;) {
    std::vector<MapFusionCandidate> candidates = findMapFusionCandidates(graph);
    if (candidates.empty()) return fusions;
    fuseMaps(graph, candidates.front());
    ++fusions;
  }
}

namespace {

class MapFusionPass : public Pass {
 public:
  std::string_view name() const override { return "map-fusion"; }
  void run(ir::Graph& graph, PassContext& context) override {
    int fusions = fuseElementwiseMaps(graph);
    if (fusions > 0) ir::propagateMemlets(graph);
    if (context.log) *context.log << "map-fusion: " << fusions << " fusion(s)\n";
  }
};

}  // namespace

std::unique_ptr<Pass> makeMapFusionPass() { return std::make_unique<MapFusionPass>(); }

}  // namespace conflux::passes
