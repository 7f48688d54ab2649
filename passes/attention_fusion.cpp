#include "passes/attention_fusion.h"

#include <algorithm>
#include <map>
#include <set>

#include "ir/error.h"
#include "passes/fusion_pass.h"
#include "passes/kernel_patterns.h"
#include "passes/kernels.h"
#include "passes/map_patterns.h"

namespace conflux::passes {
namespace {

using ir::AffineExpr;
using ir::EdgeId;
using ir::NodeId;
using ir::NodeKind;

/// What one dimension of the scores (and probabilities) indexes.
constexpr int kElement = -1;  // an element of the row: kept in the row buffer
constexpr int kUnit = -2;     // a dimension of one, read at 0: dropped

/// A contraction (the scores' or the output's nested reduction) as it moves into the row map.
struct Contraction {
  NodeId entry, exit;
  std::vector<NodeId> nodes;
  /// New names of its parameters: the rows' for those indexing rows, fresh ones for the others
  /// named like a row.
  std::map<std::string, std::string> rename;
  /// Its map without the rows, renamed.
  ir::Map inner;
};

/// A legal attention: the row kernel and the contractions around it.
struct Chain {
  NodeId rowEntry, rowExit;
  std::vector<NodeId> rowNodes;
  ir::Map rows;
  std::string scores, probabilities;
  NodeId scoresAccess, probabilitiesAccess;
  /// Per dimension of the scores and probabilities: the row it indexes, kElement or kUnit.
  std::vector<int> role;
  Contraction producer, consumer;
};

/// The role of each dimension of a point `index` into an array of `shape` read or written in
/// an iteration over `rows`: the row whose parameter it is, kUnit for index 0 of a dimension of
/// one, else kElement when it is a parameter that is not a row. Nothing when an index is none
/// of these or a row is missing or repeated.
std::optional<std::vector<int>> dimensionRoles(const ir::Subset& index, const std::vector<int64_t>& shape,
                                               const std::vector<std::string>& rows) {
  if (!isPoint(index) || index.rank() != shape.size()) return std::nullopt;
  std::vector<int> role;
  std::set<int> seen;
  for (size_t d = 0; d < index.rank(); ++d) {
    std::optional<std::string> p = soleParameter(index.ranges[d]);
    if (!p) {
      if (shape[d] != 1 || index.ranges[d].begin.constantValue() != 0) return std::nullopt;
      role.push_back(kUnit);
      continue;
    }
    auto row = std::find(rows.begin(), rows.end(), *p);
    if (row == rows.end()) {
      role.push_back(kElement);
    } else if (!seen.insert(static_cast<int>(row - rows.begin())).second) {
      return std::nullopt;
    } else {
      role.push_back(static_cast<int>(row - rows.begin()));
    }
  }
  if (seen.size() != rows.size()) return std::nullopt;
  return role;
}

/// The dimensions of `subset` that index elements of a row (`role` kElement).
ir::Subset elementSubset(const ir::Subset& subset, const std::vector<int>& role) {
  ir::Subset kept;
  for (size_t d = 0; d < role.size(); ++d)
    if (role[d] == kElement) kept.ranges.push_back(subset.ranges[d]);
  return kept;
}

std::vector<int64_t> elementShape(const std::vector<int64_t>& shape, const std::vector<int>& role) {
  std::vector<int64_t> kept;
  for (size_t d = 0; d < role.size(); ++d)
    if (role[d] == kElement) kept.push_back(shape[d]);
  return kept;
}

/// Every map parameter named in the nodes `nodes` of `state`.
std::set<std::string> paramsIn(const ir::State& state, const std::vector<NodeId>& nodes) {
  std::set<std::string> names;
  for (NodeId id : nodes)
    if (const auto* entry = std::get_if<ir::MapEntry>(&state.node(id).payload))
      names.insert(entry->map.params.begin(), entry->map.params.end());
  return names;
}

/// The point edges into tasklets among `nodes` that move `data`.
std::vector<EdgeId> taskletReads(const ir::State& state, const std::vector<NodeId>& nodes, const std::string& data) {
  std::vector<EdgeId> reads;
  for (NodeId id : nodes)
    if (state.node(id).kind() == NodeKind::Tasklet)
      for (EdgeId e : state.inEdges(id))
        if (state.edge(e).memlet.data == data) reads.push_back(e);
  return reads;
}

/// Binds the contraction `c` (its outer map at `c.entry`) to the chain's rows where it indexes
/// the scores or probabilities at `index`; its other parameters form its inner map. `elements`
/// holds the parameters that may index a row's elements. Says why not.
std::optional<std::string> bindContraction(const ir::State& state, const Chain& chain, const ir::Subset& index,
                                           const std::set<std::string>& elements, std::set<std::string>& used,
                                           Contraction& c) {
  const ir::Map& outer = state.mapOf(c.entry);
  const std::string what = state.node(c.entry).describe();
  std::set<std::string> rowBound;
  for (size_t d = 0; d < chain.role.size(); ++d) {
    std::optional<std::string> p = soleParameter(index.ranges[d]);
    if (chain.role[d] == kUnit) {
      if (index.ranges[d].begin.constantValue() != 0) return what + " reads a dimension of one at another index than 0";
      continue;
    }
    if (!p) return what + " indexes '" + chain.scores + "' or '" + chain.probabilities + "' by no parameter";
    if (chain.role[d] == kElement) {
      if (!elements.count(*p)) return what + " does not move along a row with one of its parameters";
      continue;
    }
    auto k = std::find(outer.params.begin(), outer.params.end(), *p);
    if (k == outer.params.end() || rowBound.count(*p)) return what + " does not iterate over the rows";
    const std::string& row = chain.rows.params[static_cast<size_t>(chain.role[d])];
    if (!(outer.ranges.ranges[static_cast<size_t>(k - outer.params.begin())] ==
          chain.rows.ranges.ranges[static_cast<size_t>(chain.role[d])]))
      return what + " iterates over other rows than the row kernel";
    c.rename[*p] = row;
    rowBound.insert(*p);
  }
  for (const std::string& p : paramsIn(state, c.nodes))
    if (!rowBound.count(p) && std::count(chain.rows.params.begin(), chain.rows.params.end(), p))
      c.rename[p] = freshName(p, used);
  std::map<std::string, AffineExpr> renamed;
  for (const auto& [from, to] : c.rename) renamed[from] = AffineExpr::symbol(to);
  c.inner = ir::Map{{}, {}, outer.schedule};
  for (size_t k = 0; k < outer.params.size(); ++k) {
    if (rowBound.count(outer.params[k])) continue;
    const ir::Range& r = outer.ranges.ranges[k];
    for (const std::string& row : rowBound)
      if (r.begin.coefficient(row) != 0 || r.end.coefficient(row) != 0)
        return "the range of '" + outer.params[k] + "' in " + what + " depends on a row";
    c.inner.params.push_back(c.rename.count(outer.params[k]) ? c.rename.at(outer.params[k]) : outer.params[k]);
    c.inner.ranges.ranges.push_back(reindexed(ir::Subset{{r}}, renamed).ranges.front());
  }
  if (c.inner.params.empty()) return what + " iterates over rows only";
  return std::nullopt;
}

/// The scores the row kernel reads: the one transient it reads that a nested reduction writes.
std::optional<std::string> findScores(const ir::Graph& graph, const ir::State& state,
                                      const StateKernels& kernels, Chain& c,
                                      std::optional<NestedReduction>& producer) {
  for (EdgeId e : state.inEdges(c.rowEntry)) {
    NodeId access = state.edge(e).src;
    const auto* node = std::get_if<ir::AccessNode>(&state.node(access).payload);
    if (!node || !graph.array(node->data).transient || state.inEdges(access).size() != 1) continue;
    const auto* exit = std::get_if<ir::MapExit>(&state.node(state.edge(state.inEdges(access).front()).src).payload);
    if (!exit || !kernels.isRoot(exit->entry)) continue;
    std::optional<NestedReduction> r = nestedReduction(state, kernels.at(exit->entry));
    if (!r) continue;
    if (producer && c.scores != node->data) return "the row kernel reads two arrays nested reductions write";
    producer = r;
    c.scores = node->data;
    c.scoresAccess = access;
    c.producer.entry = exit->entry;
    c.producer.exit = state.exitOf(exit->entry);
    c.producer.nodes = kernels.at(exit->entry).nodes;
  }
  if (!producer) return "the row kernel reads no array a nested reduction writes";
  if (accessNodeCount(graph, c.scores) != 1 || state.outEdges(c.producer.exit).size() != 1)
    return "'" + c.scores + "' is used elsewhere or its producer writes more";
  for (EdgeId e : state.outEdges(c.scoresAccess))
    if (state.edge(e).dst != c.rowEntry) return "'" + c.scores + "' is read outside the row kernel";
  return std::nullopt;
}

/// What can be checked before extracting kernels: the map writes one transient, which one map
/// reads, and reads a transient a map writes.
std::optional<std::string> cheapChecks(const ir::Graph& graph, const ir::State& state, NodeId rowEntry) {
  std::vector<EdgeId> out = state.outEdges(state.exitOf(rowEntry));
  if (out.size() != 1) return "the map writes more than one array";
  NodeId written = state.edge(out.front()).dst;
  if (!graph.array(state.edge(out.front()).memlet.data).transient) return "the map writes no transient";
  for (EdgeId e : state.outEdges(written))
    if (state.node(state.edge(e).dst).kind() != NodeKind::MapEntry) return "its output is not read by a map";
  for (EdgeId e : state.inEdges(rowEntry)) {
    NodeId src = state.edge(e).src;
    if (state.node(src).kind() != NodeKind::Access) continue;
    for (EdgeId w : state.inEdges(src))
      if (state.node(state.edge(w).src).kind() == NodeKind::MapExit) return std::nullopt;
  }
  return "the map reads no array a map writes";
}

/// Finds the attention around the row kernel `rowEntry`, or says why there is none.
std::optional<std::string> matchChain(const ir::Graph& graph, size_t stateIndex, NodeId rowEntry, Chain& c) {
  const ir::State& state = graph.state(stateIndex);
  if (state.node(rowEntry).kind() != NodeKind::MapEntry) return "not a map entry";
  if (!isTopLevel(state, rowEntry)) return "the map is nested in another scope";
  if (auto failure = cheapChecks(graph, state, rowEntry)) return failure;
  StateKernels kernels(graph, stateIndex);
  std::optional<RowKernel> row = kernels.isRoot(rowEntry) ? rowKernel(state, kernels.at(rowEntry)) : std::nullopt;
  if (!row) return "the map is no row kernel";
  c = Chain{};
  c.rowEntry = rowEntry;
  c.rowExit = state.exitOf(rowEntry);
  c.rowNodes = kernels.at(rowEntry).nodes;
  c.rows = state.mapOf(rowEntry);

  // The probabilities: what the row kernel writes, read by one nested reduction alone.
  std::vector<EdgeId> out = state.outEdges(c.rowExit);
  if (out.size() != 1) return "the row kernel writes more than one array";
  c.probabilitiesAccess = state.edge(out.front()).dst;
  c.probabilities = state.edge(out.front()).memlet.data;
  if (!graph.array(c.probabilities).transient || accessNodeCount(graph, c.probabilities) != 1 ||
      state.inEdges(c.probabilitiesAccess).size() != 1)
    return "the row kernel's output '" + c.probabilities + "' is no transient only it writes, used once";
  std::set<NodeId> readers;
  for (EdgeId e : state.outEdges(c.probabilitiesAccess)) readers.insert(state.edge(e).dst);
  if (readers.size() != 1 || !kernels.isRoot(*readers.begin()))
    return "'" + c.probabilities + "' is not read by exactly one kernel";
  std::optional<NestedReduction> consumer = nestedReduction(state, kernels.at(*readers.begin()));
  if (!consumer) return "the kernel reading '" + c.probabilities + "' is no nested reduction";
  c.consumer.entry = *readers.begin();
  c.consumer.exit = state.exitOf(c.consumer.entry);
  c.consumer.nodes = kernels.at(c.consumer.entry).nodes;
  if (state.outEdges(c.consumer.exit).size() != 1) return "the kernel reading the probabilities writes more";

  const ir::DataDesc& p = graph.array(c.probabilities);
  const ir::Memlet& write = state.edge(state.outEdges(row->output.tasklet).front()).memlet;
  std::optional<std::vector<int>> role = dimensionRoles(write.subset, p.shape, c.rows.params);
  if (!role) return "the row kernel does not write each row of '" + c.probabilities + "' at its row";
  c.role = *role;

  std::optional<NestedReduction> producer;
  if (auto failure = findScores(graph, state, kernels, c, producer)) return failure;
  if (graph.array(c.scores).shape != p.shape) return "the scores and probabilities differ in shape";
  for (EdgeId e : taskletReads(state, c.rowNodes, c.scores))
    if (dimensionRoles(state.edge(e).memlet.subset, p.shape, c.rows.params) != c.role)
      return "the row kernel reads '" + c.scores + "' at another row than its own";

  // The contractions' rows, from where they write the scores and read the probabilities.
  std::set<std::string> used = paramsIn(state, c.rowNodes);
  for (const Contraction* k : {&c.producer, &c.consumer}) {
    std::set<std::string> names = paramsIn(state, k->nodes);
    used.insert(names.begin(), names.end());
  }
  const ir::Memlet& scoreWrite = state.edge(state.outEdges(producer->epilogueTasklet).front()).memlet;
  const ir::Map& producerMap = state.mapOf(c.producer.entry);
  std::set<std::string> producerParams(producerMap.params.begin(), producerMap.params.end());
  if (scoreWrite.data != c.scores) return "the scores' producer writes another array";
  if (auto failure = bindContraction(state, c, scoreWrite.subset, producerParams, used, c.producer)) return failure;
  for (const std::string& param : producerMap.params)
    if (!c.producer.rename.count(param) &&
        std::none_of(scoreWrite.subset.ranges.begin(), scoreWrite.subset.ranges.end(),
                     [&](const ir::Range& r) { return soleParameter(r) == param; }))
      return "the scores' producer writes one element in several iterations";

  std::vector<EdgeId> probabilityReads = taskletReads(state, c.consumer.nodes, c.probabilities);
  if (probabilityReads.size() != 1 || state.edge(probabilityReads.front()).dst != consumer->reduceTasklet)
    return "the probabilities are not read once by the reduction";
  const ir::Map& reduction = state.mapOf(consumer->innerEntry);
  std::set<std::string> reductionParams(reduction.params.begin(), reduction.params.end());
  if (auto failure = bindContraction(state, c, state.edge(probabilityReads.front()).memlet.subset, reductionParams,
                                     used, c.consumer))
    return failure;

  // Nothing the chain reads may be what it writes.
  const std::string& result = state.edge(state.outEdges(c.consumer.exit).front()).memlet.data;
  for (NodeId entry : {c.producer.entry, c.rowEntry, c.consumer.entry}) {
    std::set<std::string> reads = arraysRead(state, entry);
    if (reads.count(result)) return "the attention writes an array it reads";
    if (entry != c.rowEntry && reads.count(c.scores)) return "a contraction reads the scores";
    if (entry != c.consumer.entry && reads.count(c.probabilities)) return "a kernel but the last reads the probabilities";
  }
  return std::nullopt;
}

/// Moves the contractions into the row kernel's map and turns the scores and probabilities into
/// register row buffers (see the file comment).
class AttentionFuser {
 public:
  AttentionFuser(ir::Graph& graph, ir::State& state, const Chain& chain) : graph_(graph), state_(state), c_(chain) {}

  void fuse() {
    for (const Contraction* k : {&c_.producer, &c_.consumer}) renameInside(*k);
    nestProducer();
    readScoresInside();
    writeProbabilitiesInside();
    nestConsumer();
    for (const std::string& data : {c_.scores, c_.probabilities}) {
      ir::DataDesc& desc = graph_.array(data);
      std::vector<int64_t> shape = elementShape(desc.shape, c_.role);
      desc = ir::DataDesc{desc.dtype, shape, ir::Layout::rowMajor(shape.size()), ir::Storage::Register, true};
    }
    ir::Node& row = state_.node(c_.rowEntry);
    mergeProvenance(state_.node(c_.producer.entry), row);
    row.label += "_" + state_.node(c_.consumer.entry).label;
    row.origins = unitedOrigins(row.origins, state_.node(c_.consumer.entry).origins);
    state_.node(c_.rowExit).label = row.label;
    state_.node(c_.rowExit).origins = row.origins;
  }

 private:
  /// The memlet of an edge inside the fused map: a row buffer's subset keeps its elements.
  ir::Memlet inside(ir::Memlet memlet) const {
    if ((memlet.data == c_.scores || memlet.data == c_.probabilities) && memlet.subset.rank() == c_.role.size())
      return ir::Memlet::of(memlet.data, elementSubset(memlet.subset, c_.role), memlet.wcr);
    return memlet;
  }

  /// The memlet of a whole row buffer.
  ir::Memlet wholeBuffer(const std::string& data) const {
    return ir::Memlet::of(data, ir::Subset::full(elementShape(graph_.array(data).shape, c_.role)));
  }

  /// Renames the contraction's parameters in its maps, memlets and tasklets; its outer map
  /// loses the rows.
  void renameInside(const Contraction& k) {
    std::map<std::string, AffineExpr> index;
    for (const auto& [from, to] : k.rename) index[from] = AffineExpr::symbol(to);
    for (NodeId id : k.nodes) {
      ir::Node& node = state_.node(id);
      if (auto* entry = std::get_if<ir::MapEntry>(&node.payload)) {
        if (id == k.entry) {
          entry->map = k.inner;
        } else {
          for (std::string& p : entry->map.params)
            if (k.rename.count(p)) p = k.rename.at(p);
          entry->map.ranges = reindexed(entry->map.ranges, index);
        }
      } else if (auto* tasklet = std::get_if<ir::Tasklet>(&node.payload)) {
        for (ir::TaskletOutput& o : tasklet->outputs) o.expr = ir::substitute(o.expr, {}, k.rename);
      }
      for (EdgeId e : state_.outEdges(id)) {
        if (!std::count(k.nodes.begin(), k.nodes.end(), state_.edge(e).dst)) continue;
        ir::Memlet& memlet = state_.memlet(e);
        if (!memlet.isEmpty()) memlet = inside(ir::Memlet::of(memlet.data, reindexed(memlet.subset, index), memlet.wcr));
      }
    }
  }

  /// Routes the edges entering the contraction `k` from outside through the row kernel's entry
  /// (the probabilities, already inside, stay).
  void enterThroughRowEntry(const Contraction& k) {
    bool entered = false;
    for (EdgeId e : state_.inEdges(k.entry)) {
      const ir::Edge edge = state_.edge(e);
      if (edge.src == c_.probabilitiesAccess) {
        state_.memlet(e) = wholeBuffer(c_.probabilities);
        continue;
      }
      if (edge.memlet.isEmpty()) {
        state_.addEdge(edge.src, edge.srcConn, c_.rowEntry, "", edge.memlet);
      } else {
        std::string base = freshConnectorBase(state_, c_.rowEntry, edge.memlet.data);
        state_.addEdge(edge.src, edge.srcConn, c_.rowEntry, "IN_" + base, edge.memlet);
        state_.addEdge(c_.rowEntry, "OUT_" + base, k.entry, edge.dstConn, edge.memlet);
        entered = true;
      }
      state_.removeEdge(e);
    }
    if (!entered) state_.addEdge(c_.rowEntry, "", k.entry, "", ir::Memlet::empty());
  }

  /// The scores' producer runs inside the row map and writes the row buffer.
  void nestProducer() {
    enterThroughRowEntry(c_.producer);
    state_.memlet(state_.outEdges(c_.producer.exit).front()) = wholeBuffer(c_.scores);
  }

  /// The row kernel's stages read the scores from the row buffer instead of its entry.
  void readScoresInside() {
    for (NodeId id : c_.rowNodes)
      for (EdgeId e : state_.outEdges(id))
        if (state_.edge(e).memlet.data == c_.scores) state_.memlet(e) = inside(state_.edge(e).memlet);
    for (EdgeId e : state_.outEdges(c_.scoresAccess)) {
      std::string conn = "OUT_" + ir::connectorBase(state_.edge(e).dstConn);
      for (EdgeId inner : state_.outEdges(c_.rowEntry)) {
        const ir::Edge edge = state_.edge(inner);
        if (edge.srcConn != conn) continue;
        state_.addEdge(c_.scoresAccess, "", edge.dst, edge.dstConn, edge.memlet);
        state_.removeEdge(inner);
      }
      state_.removeEdge(e);
    }
  }

  /// The softmax's output stage writes the probabilities' row buffer instead of the array.
  void writeProbabilitiesInside() {
    for (NodeId id : c_.rowNodes)
      for (EdgeId e : state_.outEdges(id))
        if (state_.edge(e).memlet.data == c_.probabilities && state_.edge(e).dst != c_.rowExit)
          state_.memlet(e) = inside(state_.edge(e).memlet);
    EdgeId out = state_.outEdges(c_.rowExit).front();
    std::string conn = "IN_" + ir::connectorBase(state_.edge(out).srcConn);
    for (EdgeId e : state_.inEdges(c_.rowExit)) {
      const ir::Edge edge = state_.edge(e);
      if (edge.dstConn != conn) continue;
      state_.addEdge(edge.src, edge.srcConn, c_.probabilitiesAccess, "", wholeBuffer(c_.probabilities));
      state_.removeEdge(e);
    }
    state_.removeEdge(out);
  }

  /// The output's contraction runs inside the row map, reading the probabilities' row buffer,
  /// and writes the result through the row kernel's exit.
  void nestConsumer() {
    enterThroughRowEntry(c_.consumer);
    const ir::Edge out = state_.edge(state_.outEdges(c_.consumer.exit).front());
    std::string base = freshConnectorBase(state_, c_.rowExit, out.memlet.data);
    state_.addEdge(c_.consumer.exit, out.srcConn, c_.rowExit, "IN_" + base, out.memlet);
    state_.addEdge(c_.rowExit, "OUT_" + base, out.dst, out.dstConn, out.memlet);
    state_.removeEdge(state_.outEdges(c_.consumer.exit).front());
  }

  ir::Graph& graph_;
  ir::State& state_;
  const Chain& c_;
};

}  // namespace

std::optional<std::string> whyNotAttentionFusable(const ir::Graph& graph, size_t state, NodeId rowEntry) {
  Chain c;
  return matchChain(graph, state, rowEntry, c);
}

std::vector<AttentionFusionCandidate> findAttentionFusionCandidates(const ir::Graph& graph) {
  return legalMapEntries<AttentionFusionCandidate>(graph, whyNotAttentionFusable);
}

void fuseAttention(ir::Graph& graph, const AttentionFusionCandidate& candidate) {
  Chain c;
  if (auto failure = matchChain(graph, candidate.state, candidate.rowEntry, c))
    throw Error("attention-fusion: cannot fuse the attention around map node " +
                std::to_string(candidate.rowEntry.value) + ": " + *failure);
  AttentionFuser(graph, graph.state(candidate.state), c).fuse();
}

int fuseAttentions(ir::Graph& graph) { return fuseToFixpoint(graph, findAttentionFusionCandidates, fuseAttention); }

std::unique_ptr<Pass> makeAttentionFusionPass() { return makeFusionPass("attention-fusion", fuseAttentions); }

}  // namespace conflux::passes
