#include "passes/reduction_fusion.h"

#include <algorithm>

#include "ir/error.h"
#include "passes/fusion_pass.h"
#include "passes/map_patterns.h"

namespace conflux::passes {
namespace {

using ir::AffineExpr;
using ir::EdgeId;
using ir::NodeId;
using ir::NodeKind;

/// A map scope around one tasklet of one output: its nodes and that output's memlet.
struct TaskletMap {
  NodeId entry, exit, tasklet;
  ir::Map map;
  ir::Memlet write;
};

/// The element-wise map that reads the reduced array once, at the element its iteration writes.
struct Consumer {
  TaskletMap scope;
  /// The consumer's tasklet connector that reads the reduced array.
  std::string readConn;
  /// Each consumer parameter as the output parameter of the same dimension.
  std::map<std::string, AffineExpr> index;
};

/// The parts of a legal candidate that fusion rewires.
struct Match {
  TaskletMap reduce, init;
  NodeId initialised;  // access node between the init map and the reduction
  NodeId reduced;      // access node the reduction writes
  std::string data;    // the reduced array
  /// The reduction's write with every parameter of one value replaced by that value (a
  /// depthwise convolution writes channel g*1 + m with m = 0).
  ir::Subset write;
  /// The index each dimension of the reduced array is written at: one output parameter, the
  /// digits of several (2*w + b), or 0 for a dimension of size 1 (a row maximum [rows, 1]).
  std::vector<AffineExpr> outputIndex;
  /// Output and reduction parameters with their ranges, in the reduction map's order.
  std::vector<std::string> outputParams, reductionParams;
  ir::Subset outputRanges, reductionRanges;
  /// Each init parameter as the output parameter of the same dimension.
  std::map<std::string, AffineExpr> initIndex;
  std::optional<Consumer> consumer;
};

/// Reads the map scope of `entry` around one tasklet with one output edge, or says why not.
std::optional<std::string> matchTaskletMap(const ir::State& state, NodeId entry, TaskletMap& out) {
  if (state.node(entry).kind() != NodeKind::MapEntry) return "not a map entry";
  if (!isTopLevel(state, entry)) return "the map is nested in another scope";
  std::optional<NodeId> tasklet = soleTasklet(state, entry);
  if (!tasklet) return "the map body is not a single tasklet";
  out.entry = entry;
  out.exit = state.exitOf(entry);
  out.tasklet = *tasklet;
  out.map = state.mapOf(entry);
  if (state.outEdges(*tasklet).size() != 1 || state.outEdges(out.exit).size() != 1)
    return "the map writes more than one array";
  out.write = state.edge(state.outEdges(*tasklet).front()).memlet;
  return std::nullopt;
}

/// Splits the reduction's parameters into output parameters (the digits of each written
/// dimension, covering it exactly once: digitsOf; a dimension of size 1 may be written at 0)
/// and reduction parameters, or says why the write is not of that form.
std::optional<std::string> splitParameters(const std::vector<int64_t>& shape, Match& m) {
  const ir::Map& map = m.reduce.map;
  m.write = m.reduce.write.subset;
  for (size_t k = 0; k < map.params.size(); ++k)
    if (std::optional<int64_t> only = map.ranges.ranges[k].begin.constantValue();
        only && map.ranges.ranges[k].begin == map.ranges.ranges[k].end)
      m.write = m.write.substitute(map.params[k], AffineExpr(*only));
  m.outputIndex.clear();
  std::vector<std::string> written;
  for (size_t d = 0; d < shape.size(); ++d) {
    const ir::Range& index = m.write.ranges[d];
    if (shape[d] == 1 && index == ir::Range::point(AffineExpr(0))) {
      m.outputIndex.push_back(AffineExpr(0));
      continue;
    }
    std::optional<std::vector<std::string>> digits = digitsOf(index, map, shape[d]);
    if (!digits)
      return "the reduction does not write each element of dimension " + std::to_string(d) + " of '" + m.data +
             "' in exactly one iteration of its output parameters";
    for (const std::string& p : *digits) {
      if (std::count(written.begin(), written.end(), p))
        return "the reduction writes two dimensions of '" + m.data + "' at parameter '" + p + "'";
      written.push_back(p);
    }
    m.outputIndex.push_back(index.begin);
  }
  m.outputParams.clear();
  m.outputRanges.ranges.clear();
  m.reductionParams.clear();
  m.reductionRanges.ranges.clear();
  for (size_t k = 0; k < map.params.size(); ++k) {
    const ir::Range& range = map.ranges.ranges[k];
    if (std::count(written.begin(), written.end(), map.params[k])) {
      m.outputParams.push_back(map.params[k]);
      m.outputRanges.ranges.push_back(range);
      continue;
    }
    for (const std::string& p : written)
      if (range.begin.coefficient(p) != 0 || range.end.coefficient(p) != 0)
        return "the range of '" + map.params[k] + "' depends on the output parameter '" + p + "'";
    m.reductionParams.push_back(map.params[k]);
    m.reductionRanges.ranges.push_back(range);
  }
  if (m.reductionParams.empty()) return "the map reduces over no parameter";
  return std::nullopt;
}

/// Finds the init map that writes every element of the reduced array before the reduction.
std::optional<std::string> matchInit(const ir::State& state, const ir::Graph& graph, Match& m) {
  std::optional<NodeId> initialised;
  for (EdgeId e : state.inEdges(m.reduce.entry)) {
    const ir::Edge& edge = state.edge(e);
    const auto* access = std::get_if<ir::AccessNode>(&state.node(edge.src).payload);
    if (edge.memlet.isEmpty() && access && access->data == m.data) initialised = edge.src;
    if (edge.memlet.data == m.data) return "the reduction reads '" + m.data + "'";
  }
  if (!initialised) return "no init map writes '" + m.data + "' before the reduction";
  m.initialised = *initialised;
  if (state.inEdges(*initialised).size() != 1 || state.outEdges(*initialised).size() != 1)
    return "the initialised '" + m.data + "' has other readers or writers";
  const auto* initExit = std::get_if<ir::MapExit>(&state.node(state.edge(state.inEdges(*initialised).front()).src).payload);
  if (!initExit) return "'" + m.data + "' is not initialised by a map";
  if (auto failure = matchTaskletMap(state, initExit->entry, m.init)) return "init map: " + *failure;
  const ir::DataDesc& desc = graph.array(m.data);
  if (m.init.write.wcr != ir::Wcr::None || !writesEachElementByIndex(m.init.map, m.init.write.subset, desc.shape))
    return "the init map does not write element p of '" + m.data + "' in iteration p";
  const auto& tasklet = std::get<ir::Tasklet>(state.node(m.init.tasklet).payload);
  if (referencesAny(tasklet, m.init.map.params)) return "the init expression uses its map parameters";
  m.initIndex.clear();
  for (size_t d = 0; d < desc.shape.size(); ++d)
    m.initIndex[m.init.map.params[d]] = m.outputIndex[d];
  return std::nullopt;
}

/// Finds the element-wise map that is the only reader of the reduced transient.
std::optional<std::string> matchConsumer(const ir::State& state, const ir::Graph& graph, const Match& m,
                                         Consumer& c) {
  const ir::DataDesc& desc = graph.array(m.data);
  if (!desc.transient) return "'" + m.data + "' is not transient";
  if (accessNodeCount(graph, m.data) != 2) return "'" + m.data + "' is accessed in more places";
  if (state.inEdges(m.reduced).size() != 1 || state.outEdges(m.reduced).size() != 1)
    return "'" + m.data + "' does not have exactly one reader";
  NodeId entry = state.edge(state.outEdges(m.reduced).front()).dst;
  if (auto failure = matchTaskletMap(state, entry, c.scope)) return "consumer: " + *failure;
  std::vector<EdgeId> reads;
  for (EdgeId e : state.outEdges(entry))
    if (state.edge(e).memlet.data == m.data) reads.push_back(e);
  if (reads.size() != 1) return "the consumer reads '" + m.data + "' more than once";
  const ir::Edge& read = state.edge(reads.front());
  std::optional<std::vector<size_t>> readAt = paramsReadByIndex(c.scope.map, read.memlet.subset, desc.shape);
  if (!readAt) return "the consumer reads another element of '" + m.data + "' than its iteration's";
  const std::string& written = c.scope.write.data;
  if (c.scope.write.wcr != ir::Wcr::None ||
      !writesEachElementAtOffset(c.scope.map, c.scope.write.subset, graph.array(written).shape))
    return "the consumer does not write element p (or p shifted by a constant) in iteration p";
  const auto& tasklet = std::get<ir::Tasklet>(state.node(c.scope.tasklet).payload);
  if (referencesAny(tasklet, c.scope.map.params)) return "the consumer's expression uses its map parameters";
  for (const ir::TaskletOutput& o : tasklet.outputs) {
    std::vector<std::string> loaded = ir::loadedConnectors(o.expr);
    if (std::count(loaded.begin(), loaded.end(), read.dstConn)) return "the consumer loads '" + m.data + "' indirectly";
  }
  if (arraysRead(state, m.reduce.entry).count(written) || arraysRead(state, m.init.entry).count(written))
    return "the consumer writes an array the reduction reads";
  c.readConn = read.dstConn;
  c.index.clear();
  for (const std::string& p : c.scope.map.params) c.index[p] = AffineExpr(0);  // a parameter of one value
  for (size_t d = 0; d < desc.shape.size(); ++d)
    c.index[c.scope.map.params[(*readAt)[d]]] = m.outputIndex[d];
  return std::nullopt;
}

/// Checks legality; on success fills `m` (its consumer when that is fusable too).
std::optional<std::string> matchReduction(const ir::Graph& graph, size_t stateIndex, NodeId entry, Match& m,
                                          std::optional<std::string>* noConsumer = nullptr) {
  const ir::State& state = graph.state(stateIndex);
  if (auto failure = matchTaskletMap(state, entry, m.reduce)) return failure;
  if (m.reduce.write.wcr == ir::Wcr::None) return "the map writes without write-conflict resolution";
  if (!isPoint(m.reduce.write.subset)) return "the reduction does not write one element per iteration";
  m.data = m.reduce.write.data;
  m.reduced = state.edge(state.outEdges(m.reduce.exit).front()).dst;
  if (auto failure = splitParameters(graph.array(m.data).shape, m)) return failure;
  if (auto failure = matchInit(state, graph, m)) return failure;
  Consumer consumer;
  std::optional<std::string> why = matchConsumer(state, graph, m, consumer);
  m.consumer = why ? std::nullopt : std::optional<Consumer>(consumer);
  if (noConsumer) *noConsumer = why;
  return std::nullopt;
}

/// The fused kernel being built: its two scopes and the register accumulator.
struct FusedScopes {
  NodeId outerEntry, outerExit, innerEntry, innerExit;
  std::string acc;
};

/// Moves the data inputs that `tasklet` reads through `oldEntry` to enter through the outer
/// entry (and the inner entry, when given), reindexed by `index`; skips reads of `skip`.
/// Memlets outside the tasklet are placeholders until propagation.
void rerouteInputs(ir::State& state, NodeId oldEntry, NodeId tasklet, NodeId outerEntry,
                   std::optional<NodeId> innerEntry, const std::map<std::string, AffineExpr>& index,
                   const std::string& skip) {
  for (EdgeId e : state.outEdges(oldEntry)) {
    const ir::Edge inner = state.edge(e);
    if (inner.dst != tasklet || inner.memlet.isEmpty() || inner.memlet.data == skip) continue;
    ir::Memlet memlet = inner.memlet;
    memlet.subset = reindexed(memlet.subset, index);
    for (EdgeId o : state.inEdges(oldEntry)) {
      const ir::Edge outer = state.edge(o);
      if (outer.dstConn != "IN_" + ir::connectorBase(inner.srcConn)) continue;
      std::string base = freshConnectorBase(state, outerEntry, inner.memlet.data);
      state.addEdge(outer.src, outer.srcConn, outerEntry, "IN_" + base, outer.memlet);
      NodeId from = outerEntry;
      std::string fromConn = "OUT_" + base;
      if (innerEntry) {
        std::string innerBase = freshConnectorBase(state, *innerEntry, inner.memlet.data);
        state.addEdge(outerEntry, fromConn, *innerEntry, "IN_" + innerBase, outer.memlet);
        from = *innerEntry;
        fromConn = "OUT_" + innerBase;
      }
      state.addEdge(from, fromConn, tasklet, inner.dstConn, memlet);
    }
  }
}

/// Moves the ordering edges into `oldEntry` (except those from `skip`) onto `entry`.
void rerouteOrdering(ir::State& state, NodeId oldEntry, NodeId entry, NodeId skip) {
  for (EdgeId e : state.inEdges(oldEntry)) {
    const ir::Edge edge = state.edge(e);
    if (edge.memlet.isEmpty() && edge.src != skip) state.addEdge(edge.src, edge.srcConn, entry, "", edge.memlet);
  }
}

/// True when some edge from `from` reaches `tasklet`.
bool feeds(const ir::State& state, NodeId from, NodeId tasklet) {
  for (EdgeId e : state.inEdges(tasklet))
    if (state.edge(e).src == from) return true;
  return false;
}

/// A register scalar of `dtype` named after `base`, added to the graph.
std::string addAccumulator(ir::Graph& graph, const std::string& base, ir::DType dtype) {
  std::string name = base;
  for (int k = 1; graph.hasArray(name); ++k) name = base + "_" + std::to_string(k);
  graph.addArray(name, ir::DataDesc{dtype, {}, ir::Layout::rowMajor(0), ir::Storage::Register, true});
  return name;
}

}  // namespace

std::optional<std::string> whyNotReductionFusable(const ir::Graph& graph, size_t state, NodeId reduceEntry) {
  Match m;
  return matchReduction(graph, state, reduceEntry, m);
}

std::optional<std::string> whyNoFusedConsumer(const ir::Graph& graph, size_t state, NodeId reduceEntry) {
  Match m;
  std::optional<std::string> noConsumer;
  if (auto failure = matchReduction(graph, state, reduceEntry, m, &noConsumer)) return failure;
  return noConsumer;
}

std::vector<ReductionFusionCandidate> findReductionFusionCandidates(const ir::Graph& graph) {
  return legalMapEntries<ReductionFusionCandidate>(graph, whyNotReductionFusable);
}

void fuseReduction(ir::Graph& graph, const ReductionFusionCandidate& candidate) {
  Match m;
  if (auto failure = matchReduction(graph, candidate.state, candidate.reduceEntry, m))
    throw Error("reduction-fusion: cannot fuse map node " + std::to_string(candidate.reduceEntry.value) + ": " +
                *failure);
  ir::State& state = graph.state(candidate.state);
  const ir::DataDesc desc = graph.array(m.data);
  const ir::Node reduceNode = state.node(m.reduce.entry);

  // The two scopes: the output space outside, the reduction inside.
  FusedScopes f;
  f.acc = addAccumulator(graph, m.data + "_acc", desc.dtype);
  std::string label = reduceNode.label;
  std::vector<std::string> origins = unitedOrigins(reduceNode.origins, state.node(m.init.entry).origins);
  if (m.consumer) {
    label += "_" + state.node(m.consumer->scope.entry).label;
    origins = unitedOrigins(origins, state.node(m.consumer->scope.entry).origins);
  }
  std::tie(f.outerEntry, f.outerExit) =
      state.addMap(label, ir::Map{m.outputParams, m.outputRanges, m.reduce.map.schedule}, origins);
  std::tie(f.innerEntry, f.innerExit) = state.addMap(
      reduceNode.label, ir::Map{m.reductionParams, m.reductionRanges, m.reduce.map.schedule}, reduceNode.origins);
  const ir::Memlet accMemlet = ir::Memlet::of(f.acc, ir::Subset{});
  ir::Memlet accUpdate = accMemlet;
  accUpdate.wcr = m.reduce.write.wcr;

  // acc = init(P), then every reduction iteration combines into acc.
  rerouteInputs(state, m.init.entry, m.init.tasklet, f.outerEntry, std::nullopt, m.initIndex, "");
  if (!feeds(state, f.outerEntry, m.init.tasklet)) state.addEdge(f.outerEntry, "", m.init.tasklet, "", ir::Memlet::empty());
  NodeId initialised = state.addAccess(f.acc, origins);
  state.addEdge(m.init.tasklet, state.edge(state.outEdges(m.init.tasklet).front()).srcConn, initialised, "", accMemlet);
  state.addEdge(initialised, "", f.innerEntry, "", ir::Memlet::empty());
  rerouteInputs(state, m.reduce.entry, m.reduce.tasklet, f.outerEntry, f.innerEntry, {}, "");
  rerouteOrdering(state, m.init.entry, f.outerEntry, m.initialised);
  rerouteOrdering(state, m.reduce.entry, f.outerEntry, m.initialised);
  if (!feeds(state, f.innerEntry, m.reduce.tasklet))
    state.addEdge(f.innerEntry, "", m.reduce.tasklet, "", ir::Memlet::empty());
  std::string reduceConn = state.edge(state.outEdges(m.reduce.tasklet).front()).srcConn;
  state.addEdge(m.reduce.tasklet, reduceConn, f.innerExit, "IN_" + f.acc, accUpdate);
  NodeId reduced = state.addAccess(f.acc, origins);
  state.addEdge(f.innerExit, "OUT_" + f.acc, reduced, "", accUpdate);

  // The epilogue: the consumer's expression over acc, or a plain store of acc.
  NodeId epilogue;
  ir::Memlet write;
  NodeId target;
  std::string writeConn;
  if (m.consumer) {
    const Consumer& c = *m.consumer;
    epilogue = c.scope.tasklet;
    rerouteInputs(state, c.scope.entry, epilogue, f.outerEntry, std::nullopt, c.index, m.data);
    rerouteOrdering(state, c.scope.entry, f.outerEntry, m.reduced);
    state.addEdge(reduced, "", epilogue, c.readConn, accMemlet);
    write = c.scope.write;
    write.subset = reindexed(write.subset, c.index);
    target = state.edge(state.outEdges(c.scope.exit).front()).dst;
    writeConn = state.edge(state.outEdges(epilogue).front()).srcConn;
  } else {
    epilogue = state.addTasklet("store", ir::Tasklet{{"acc"}, {{"out", ir::ref("acc", desc.dtype)}}}, origins);
    state.addEdge(reduced, "", epilogue, "acc", accMemlet);
    write = m.reduce.write;
    write.subset = m.write;
    write.wcr = ir::Wcr::None;
    target = m.reduced;
    writeConn = "out";
  }
  state.addEdge(epilogue, writeConn, f.outerExit, "IN_" + write.data, write);
  state.addEdge(f.outerExit, "OUT_" + write.data, target, "",
                ir::Memlet::of(write.data, ir::Subset::full(graph.array(write.data).shape)));

  std::vector<NodeId> dead{m.init.entry, m.init.exit, m.initialised, m.reduce.entry, m.reduce.exit};
  if (m.consumer) dead.insert(dead.end(), {m.consumer->scope.entry, m.consumer->scope.exit, m.reduced});
  for (NodeId node : dead) state.removeNode(node);
  if (m.consumer) graph.removeArray(m.data);
}

int fuseReductions(ir::Graph& graph) { return fuseToFixpoint(graph, findReductionFusionCandidates, fuseReduction); }

std::unique_ptr<Pass> makeReductionFusionPass() { return makeFusionPass("reduction-fusion", fuseReductions); }

}  // namespace conflux::passes
