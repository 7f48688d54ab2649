#include "passes/map_fusion.h"

#include <algorithm>
#include <set>

#include "ir/error.h"
#include "ir/footprint.h"
#include "passes/fusion_pass.h"
#include "passes/map_patterns.h"
#include "passes/slice_copy.h"

namespace conflux::passes {
namespace {

using ir::EdgeId;
using ir::NodeId;
using ir::NodeKind;

/// Expressions have no local bindings, so composing duplicates the producer's expression at
/// every use of the transient; fusion stops before tasklets grow past this many nodes.
constexpr int64_t kMaxFusedExprNodes = 64;
/// A producer read by several maps is inlined into each only when it is a few operations: it
/// is then recomputed per reader, which pays where the kernels are bound by memory.
constexpr int64_t kMaxDuplicatedExprNodes = 8;

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

/// A consumer parameter reading a dimension the producer writes as the digits of several of its
/// parameters (a reshape's copy writing column 64*h + d), split into one parameter per digit.
struct ParamSplit {
  std::string param;
  std::vector<std::string> digits;  // the new parameters, innermost digit first
  std::vector<int64_t> extents;     // their extents
};

/// One map reading the transient, and how its iterations meet the producer's.
struct ConsumerMatch {
  NodeId entry, exit, tasklet;
  EdgeId readEdge;  // consumer entry -> consumer tasklet, reading the transient
  /// Each producer parameter as an affine function of the consumer's: the producer iteration
  /// that wrote the element the consumer reads.
  std::map<std::string, ir::AffineExpr> producerIndex;
  /// Producer parameters the producer's expression may name, renamed to the consumer's.
  std::map<std::string, std::string> paramRenames;
  /// Consumer parameters to split before inlining (producerIndex names their digits).
  std::vector<ParamSplit> splits;
};

/// The parts of a legal candidate that fusion rewires.
struct Match {
  NodeId producerEntry, producerExit, producerTasklet;
  std::vector<ConsumerMatch> consumers;
};

/// Elements of the arrays a map scope reads (outer memlets into `entry`) plus those it writes.
double elementsMoved(const ir::State& state, NodeId entry) {
  double elements = 0;
  for (EdgeId e : state.inEdges(entry))
    if (!state.edge(e).memlet.isEmpty())
      elements += static_cast<double>(state.edge(e).memlet.subset.numElements().value_or(0));
  for (EdgeId e : state.outEdges(state.exitOf(entry)))
    elements += static_cast<double>(state.edge(e).memlet.subset.numElements().value_or(0));
  return elements;
}

/// Matches a producer that computes element p in iteration p through digits (a reshape's copy
/// writing [s, 64*h + d] in iteration (s, h, d)) with the consumer's point `read`: a dimension
/// written at one producer parameter maps it to the read's index there; one written as the
/// digits of several must be read at a consumer parameter covering it alone, which is split into
/// those digits. Fills c.producerIndex and c.splits, or says why not.
std::optional<std::string> matchDigits(const ir::Map& producerMap, const ir::Subset& write, const ir::Map& consumerMap,
                                       const ir::Subset& read, const ir::Tasklet& consumerTasklet,
                                       const std::string& data, const std::vector<int64_t>& shape, ConsumerMatch& c) {
  const std::string notElementwise = "the consumer reads another element of '" + data + "' than the producer writes in its iteration";
  if (write.rank() != shape.size() || read.rank() != shape.size()) return notElementwise;
  std::set<std::string> covered, used(consumerMap.params.begin(), consumerMap.params.end());
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1 && write.ranges[d] == ir::Range::point(ir::AffineExpr(0))) continue;
    std::optional<std::vector<std::string>> digits = digitsOf(write.ranges[d], producerMap, shape[d]);
    if (!digits) return notElementwise;
    for (const std::string& p : *digits)
      if (!covered.insert(p).second) return notElementwise;
    if (digits->size() == 1) {
      c.producerIndex[digits->front()] = read.ranges[d].begin;
      continue;
    }
    std::optional<std::string> q = soleParameter(read.ranges[d]);
    auto at = q ? std::find(consumerMap.params.begin(), consumerMap.params.end(), *q) : consumerMap.params.end();
    if (at == consumerMap.params.end() ||
        !(consumerMap.ranges.ranges[static_cast<size_t>(at - consumerMap.params.begin())] == ir::Range::full(shape[d])))
      return "the consumer reads dimension " + std::to_string(d) + " of '" + data +
             "', which the producer writes as digits, other than at one parameter covering it";
    for (size_t other = 0; other < shape.size(); ++other)
      if (other != d && read.ranges[other].begin.coefficient(*q) != 0)
        return "the consumer reads '" + data + "' at parameter '" + *q + "' in two dimensions";
    if (referencesAny(consumerTasklet, {*q})) return "the consumer's expression uses the parameter '" + *q + "'";
    ParamSplit split{*q, {}, {}};
    for (const std::string& digit : *digits) {
      size_t k = static_cast<size_t>(std::find(producerMap.params.begin(), producerMap.params.end(), digit) -
                                     producerMap.params.begin());
      split.digits.push_back(freshName(*q + "_" + digit, used));
      split.extents.push_back(*producerMap.ranges.ranges[k].end.constantValue() + 1);
      c.producerIndex[digit] = ir::AffineExpr::symbol(split.digits.back());
    }
    c.splits.push_back(split);
  }
  if (covered.size() != producerMap.params.size()) return notElementwise;
  return std::nullopt;
}

/// Replaces each split parameter of `c` in the consumer's map by its digits (outermost first, in
/// its place) and rewrites the memlets inside the scope accordingly.
void splitParams(ir::State& state, const ConsumerMatch& c) {
  if (c.splits.empty()) return;
  ir::Map& map = std::get<ir::MapEntry>(state.node(c.entry).payload).map;
  std::map<std::string, ir::AffineExpr> index;
  for (const ParamSplit& split : c.splits) {
    auto at = static_cast<size_t>(std::find(map.params.begin(), map.params.end(), split.param) - map.params.begin());
    std::vector<std::string> params;
    std::vector<ir::Range> ranges;
    ir::AffineExpr value;
    int64_t place = 1;
    for (size_t j = 0; j < split.digits.size(); ++j) {
      value = value + ir::AffineExpr::symbol(split.digits[j], place);
      place *= split.extents[j];
      params.insert(params.begin(), split.digits[j]);
      ranges.insert(ranges.begin(), ir::Range::full(split.extents[j]));
    }
    index[split.param] = value;
    map.params.erase(map.params.begin() + static_cast<std::ptrdiff_t>(at));
    map.params.insert(map.params.begin() + static_cast<std::ptrdiff_t>(at), params.begin(), params.end());
    map.ranges.ranges.erase(map.ranges.ranges.begin() + static_cast<std::ptrdiff_t>(at));
    map.ranges.ranges.insert(map.ranges.ranges.begin() + static_cast<std::ptrdiff_t>(at), ranges.begin(), ranges.end());
  }
  for (EdgeId e : state.outEdges(c.entry)) state.memlet(e).subset = reindexed(state.memlet(e).subset, index);
  for (EdgeId e : state.inEdges(c.exit)) state.memlet(e).subset = reindexed(state.memlet(e).subset, index);
}

/// Checks that the map `entry` may inline the producer of `data` (written by `write` of the
/// producer's tasklet); on success fills `c`.
std::optional<std::string> matchConsumer(const ir::Graph& graph, const ir::State& state, const Match& match,
                                         const std::string& data, const ir::Memlet& write, NodeId entry,
                                         ConsumerMatch& c) {
  if (state.node(entry).kind() != NodeKind::MapEntry) return "'" + data + "' is not read by a map";
  if (!isTopLevel(state, entry)) return "a map is nested in another scope";
  std::optional<NodeId> consumer = soleTasklet(state, entry);
  if (!consumer) return "a map body is not a single tasklet";
  c.entry = entry;
  c.exit = state.exitOf(entry);
  c.tasklet = *consumer;
  const auto& producerTasklet = std::get<ir::Tasklet>(state.node(match.producerTasklet).payload);
  const ir::Map& producerMap = state.mapOf(match.producerEntry);
  const ir::Map& consumerMap = state.mapOf(entry);
  std::vector<EdgeId> reads;
  for (EdgeId e : state.outEdges(entry))
    if (state.edge(e).memlet.data == data) reads.push_back(e);
  if (reads.size() != 1) return "the consumer reads '" + data + "' more than once";
  c.readEdge = reads.front();
  const ir::Edge& read = state.edge(c.readEdge);
  if (!isPoint(read.memlet.subset)) return "the consumer reads a region of '" + data + "'";
  c.producerIndex.clear();
  c.splits.clear();
  c.paramRenames.clear();
  std::map<std::string, ir::AffineExpr> renaming;
  bool sameSpace = producerMap.params.size() == consumerMap.params.size() && producerMap.ranges == consumerMap.ranges;
  for (size_t k = 0; sameSpace && k < consumerMap.params.size(); ++k)
    renaming[consumerMap.params[k]] = ir::AffineExpr::symbol(producerMap.params[k]);
  if (sameSpace && reindexed(read.memlet.subset, renaming) == write.subset) {
    // Same iteration space, same element: iteration q of the consumer is iteration q of the producer.
    for (size_t k = 0; k < producerMap.params.size(); ++k) {
      c.producerIndex[producerMap.params[k]] = ir::AffineExpr::symbol(consumerMap.params[k]);
      c.paramRenames[producerMap.params[k]] = consumerMap.params[k];
    }
  } else if (std::optional<std::vector<size_t>> dims =
                 elementDimsOfParams(producerMap, write.subset, graph.array(data).shape)) {
    // The producer computes element p in iteration p (its dimensions of one left out): inline it
    // at the element the consumer reads.
    if (referencesAny(producerTasklet, producerMap.params)) return "the producer's expression uses its map parameters";
    // A copy (an expression without operations) inlines anywhere; anything else only where the
    // consumer reads each element once: inlining under a broadcast or into a contraction would
    // recompute the producer per read (GELU per MatMul column).
    bool copy = exprNodes(producerTasklet.outputs.front().expr) == 1;
    std::optional<int64_t> iterations = ir::iterationCount(consumerMap);
    std::optional<int64_t> distinct = ir::footprintOverMaps({read.memlet.subset}, {&consumerMap}).distinctElements;
    if (!copy && (!iterations || !distinct || *iterations != *distinct))
      return "the consumer reads elements of '" + data + "' more than once (inlining would recompute them)";
    for (size_t k = 0; k < producerMap.params.size(); ++k)
      c.producerIndex[producerMap.params[k]] = read.memlet.subset.ranges[(*dims)[k]].begin;
  } else if (exprNodes(producerTasklet.outputs.front().expr) == 1) {
    // A copy writing some dimension as digits of its parameters (a reshape merging heads):
    // the consumer's parameter reading that dimension is split into the digits.
    if (referencesAny(producerTasklet, producerMap.params)) return "the producer's expression uses its map parameters";
    const auto& consumerTasklet = std::get<ir::Tasklet>(state.node(*consumer).payload);
    if (auto failure = matchDigits(producerMap, write.subset, consumerMap, read.memlet.subset, consumerTasklet, data,
                                   graph.array(data).shape, c))
      return failure;
  } else {
    return "the consumer reads another element of '" + data + "' than the producer writes in its iteration";
  }
  const auto& consumerTasklet = std::get<ir::Tasklet>(state.node(*consumer).payload);
  for (const ir::TaskletOutput& o : consumerTasklet.outputs) {
    std::vector<std::string> loaded = ir::loadedConnectors(o.expr);
    if (std::count(loaded.begin(), loaded.end(), read.dstConn)) return "the consumer loads '" + data + "' indirectly";
    if (composedNodes(o.expr, read.dstConn, exprNodes(producerTasklet.outputs.front().expr)) > kMaxFusedExprNodes)
      return "the fused expression would exceed " + std::to_string(kMaxFusedExprNodes) + " nodes";
  }
  std::set<std::string> producerReads = arraysRead(state, match.producerEntry);
  for (EdgeId e : state.outEdges(c.exit))
    if (producerReads.count(state.edge(e).memlet.data)) return "the consumer writes an array the producer reads";
  return std::nullopt;
}

/// Checks legality; on success fills `match`, otherwise returns the failed check.
std::optional<std::string> matchCandidate(const ir::Graph& graph, size_t stateIndex, NodeId intermediate,
                                          Match& match) {
  const ir::State& state = graph.state(stateIndex);
  const auto* access = std::get_if<ir::AccessNode>(&state.node(intermediate).payload);
  if (!access) return "not an access node";
  const std::string& data = access->data;
  if (!graph.array(data).transient) return "'" + data + "' is not transient";
  if (accessNodeCount(graph, data) != 1) return "'" + data + "' is accessed in more than one place";
  if (state.inEdges(intermediate).size() != 1 || state.outEdges(intermediate).empty())
    return "'" + data + "' does not have exactly one writer and a reader";
  const ir::Edge& in = state.edge(state.inEdges(intermediate).front());
  const auto* exit = std::get_if<ir::MapExit>(&state.node(in.src).payload);
  if (!exit) return "'" + data + "' is not written by a map";
  match.producerExit = in.src;
  match.producerEntry = exit->entry;
  if (state.outEdges(match.producerExit).size() != 1) return "the producer map writes more than one array";
  if (!isTopLevel(state, match.producerEntry)) return "a map is nested in another scope";
  std::optional<NodeId> producer = soleTasklet(state, match.producerEntry);
  if (!producer) return "a map body is not a single tasklet";
  match.producerTasklet = *producer;
  const auto& producerTasklet = std::get<ir::Tasklet>(state.node(*producer).payload);
  if (producerTasklet.outputs.size() != 1 || state.outEdges(*producer).size() != 1)
    return "the producer tasklet has more than one output";
  const ir::Memlet& write = state.edge(state.outEdges(*producer).front()).memlet;
  if (write.wcr != ir::Wcr::None || !isPoint(write.subset)) return "the producer does not write one element";

  // Several readers: each computes the producer's value itself, when that moves fewer bytes than
  // writing the transient once and reading it in each (x - mean, read by a variance and a
  // normalisation: x is read twice, the difference never written).
  std::vector<EdgeId> outs = state.outEdges(intermediate);
  if (outs.size() > 1) {
    double k = static_cast<double>(outs.size());
    double output = static_cast<double>(in.memlet.subset.numElements().value_or(0));
    double inputs = elementsMoved(state, match.producerEntry) - output;
    if (exprNodes(producerTasklet.outputs.front().expr) > kMaxDuplicatedExprNodes)
      return "'" + data + "' has several readers and its producer is more than a few operations";
    if ((k - 1) * inputs > (k + 1) * output)
      return "'" + data + "' has several readers and recomputing it in each would move more bytes";
    // One reader copies it into another array: stored there by copy-elision, it moves no more
    // than recomputed when the producer writes no more than it reads (the copy's write stays,
    // the other readers read it instead of the producer's inputs), and the producer stays free
    // to be a reduction's epilogue (a UNet's skip connection: Conv -> Relu -> Concat and MaxPool).
    if (output <= inputs)
      for (EdgeId e : outs)
        if (isSliceCopy(graph, state, state.edge(e).dst, data))
          return "'" + data + "' has several readers and one copies it into another array, where copy-elision stores it";
  }
  match.consumers.clear();
  for (EdgeId e : outs) {
    // A reader of part of it (a slice of the fused QKV projection) keeps reading it from
    // memory: the slice then stays a copy that inlines into the contraction reading it.
    if (outs.size() > 1 && !(state.edge(e).memlet.subset == ir::Subset::full(graph.array(data).shape)))
      return "'" + data + "' has several readers and one reads only part of it";
    ConsumerMatch c;
    if (auto failure = matchConsumer(graph, state, match, data, write, state.edge(e).dst, c)) return failure;
    for (const ConsumerMatch& other : match.consumers)
      if (other.entry == c.entry) return "the consumer reads '" + data + "' more than once";
    match.consumers.push_back(c);
  }
  return std::nullopt;
}

/// The producer's input connectors whose element the consumer's tasklet reads already, each
/// with the consumer's connector reading it.
std::map<std::string, std::string> sharedReads(const ir::State& state, const Match& m, const ConsumerMatch& c,
                                               const ir::Tasklet& consumer) {
  std::map<std::string, std::string> shared;
  for (EdgeId e : state.outEdges(m.producerEntry)) {
    const ir::Edge& inner = state.edge(e);
    if (inner.memlet.isEmpty() || inner.dst != m.producerTasklet) continue;
    ir::Memlet memlet = inner.memlet;
    memlet.subset = reindexed(memlet.subset, c.producerIndex);
    for (EdgeId r : state.outEdges(c.entry)) {
      const ir::Edge& read = state.edge(r);
      if (r != c.readEdge && read.dst == c.tasklet && read.memlet == memlet &&
          std::count(consumer.inputs.begin(), consumer.inputs.end(), read.dstConn)) {
        shared[inner.dstConn] = read.dstConn;
        break;
      }
    }
  }
  return shared;
}

/// Inlines the producer of `m` into the consumer `c`: its tasklet composes the producer's
/// expression and the producer's inputs enter through its entry.
void inlineProducer(ir::State& state, const Match& m, const ConsumerMatch& c) {
  const ir::Map consumerMap = state.mapOf(c.entry);
  const ir::Tasklet producer = std::get<ir::Tasklet>(state.node(m.producerTasklet).payload);
  const ir::Tasklet consumer = std::get<ir::Tasklet>(state.node(c.tasklet).payload);
  const std::string transientConn = state.edge(c.readEdge).dstConn;

  // The fused tasklet: the consumer's, with the transient replaced by the producer's
  // expression, whose connectors (and parameters) are renamed into the consumer's scope.
  std::set<std::string> used(consumer.inputs.begin(), consumer.inputs.end());
  for (const ir::TaskletOutput& o : consumer.outputs) used.insert(o.name);
  used.insert(consumerMap.params.begin(), consumerMap.params.end());
  std::map<std::string, std::string> renames = c.paramRenames;
  // A producer input the consumer already reads (the same element of the same array) is read
  // through the consumer's connector: GELU's x/√2 and x·(…) read the bias Add's output once.
  std::map<std::string, std::string> shared = sharedReads(state, m, c, consumer);
  ir::Tasklet fused;
  for (const std::string& input : consumer.inputs)
    if (input != transientConn) fused.inputs.push_back(input);
  for (const std::string& input : producer.inputs) {
    if (auto it = shared.find(input); it != shared.end()) {
      renames[input] = it->second;
      continue;
    }
    fused.inputs.push_back(renames[input] = freshName(input, used));
  }
  std::map<std::string, ir::Expr> replacements{
      {transientConn, ir::substitute(producer.outputs.front().expr, {}, renames)}};
  for (const ir::TaskletOutput& o : consumer.outputs)
    fused.outputs.push_back({o.name, ir::substitute(o.expr, replacements)});

  // The producer's inputs enter through the consumer's entry, at the producer iteration that
  // computes the element the consumer reads.
  for (EdgeId e : state.outEdges(m.producerEntry)) {
    const ir::Edge inner = state.edge(e);
    if (inner.memlet.isEmpty() || shared.count(inner.dstConn)) continue;
    std::string base = freshConnectorBase(state, c.entry, inner.memlet.data);
    for (EdgeId o : state.inEdges(m.producerEntry)) {
      const ir::Edge outer = state.edge(o);
      if (outer.dstConn == "IN_" + ir::connectorBase(inner.srcConn))
        state.addEdge(outer.src, outer.srcConn, c.entry, "IN_" + base, outer.memlet);
    }
    ir::Memlet memlet = inner.memlet;
    memlet.subset = reindexed(memlet.subset, c.producerIndex);
    state.addEdge(c.entry, "OUT_" + base, c.tasklet, renames.at(inner.dstConn), memlet);
  }
  for (EdgeId e : state.inEdges(m.producerEntry)) {
    const ir::Edge outer = state.edge(e);
    if (outer.memlet.isEmpty()) state.addEdge(outer.src, outer.srcConn, c.entry, "", outer.memlet);
  }

  state.node(c.tasklet).payload = fused;
  for (NodeId node : {c.tasklet, c.entry, c.exit})
    mergeProvenance(state.node(node == c.tasklet ? m.producerTasklet : m.producerEntry), state.node(node));
  state.removeEdge(c.readEdge);
  bool fed = false;
  for (EdgeId e : state.inEdges(c.tasklet)) fed = fed || state.edge(e).src == c.entry;
  if (!fed) state.addEdge(c.entry, "", c.tasklet, "", ir::Memlet::empty());
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
        candidates.push_back({s, match.producerEntry, id, match.consumers.front().entry});
    }
  return candidates;
}

void fuseMaps(ir::Graph& graph, const MapFusionCandidate& candidate) {
  Match m;
  if (auto failure = matchCandidate(graph, candidate.state, candidate.intermediate, m))
    throw Error("map-fusion: cannot fuse through node " + std::to_string(candidate.intermediate.value) + ": " +
                *failure);
  ir::State& state = graph.state(candidate.state);
  const std::string data = std::get<ir::AccessNode>(state.node(candidate.intermediate).payload).data;
  for (const ConsumerMatch& c : m.consumers) {
    splitParams(state, c);
    inlineProducer(state, m, c);
  }
  for (NodeId dead : {m.producerTasklet, m.producerEntry, m.producerExit, candidate.intermediate})
    state.removeNode(dead);
  graph.removeArray(data);
}

int fuseElementwiseMaps(ir::Graph& graph) { return fuseToFixpoint(graph, findMapFusionCandidates, fuseMaps); }

std::unique_ptr<Pass> makeMapFusionPass() { return makeFusionPass("map-fusion", fuseElementwiseMaps); }

}  // namespace conflux::passes
