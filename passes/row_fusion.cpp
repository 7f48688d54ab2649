#include "passes/row_fusion.h"

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

/// A per-row statistic: its array, the access node its producer writes, and the producer.
struct Statistic {
  std::string data;
  NodeId access;
  NodeId producer;  // the outer map entry of a nested reduction
};

/// One kernel of the group, its row parameters renamed to the group's (and any other parameter
/// named like one of those, to a fresh name).
struct Member {
  NodeId entry, exit;
  std::vector<NodeId> nodes;  // the member kernel's, entry and exit included
  bool sink = false;
  std::map<std::string, AffineExpr> rename;
};

/// A legal group: producers in topological order, the sink last.
struct Group {
  std::vector<Member> members;
  std::map<std::string, Statistic> statistics;
  /// The statistics' dimensions that index rows (the others have size 1).
  std::vector<size_t> rowDims;
  /// The group's map: the sink's row parameters and their ranges.
  ir::Map rows;
  /// The sink's other parameters: its map within the group's.
  ir::Map sinkInner;
};

/// The ranges of every parameter of the maps of a member, by name.
std::map<std::string, ir::Range> memberRanges(const ir::State& state, const std::vector<NodeId>& nodes) {
  std::map<std::string, ir::Range> ranges;
  for (NodeId id : nodes)
    if (const auto* entry = std::get_if<ir::MapEntry>(&state.node(id).payload))
      for (size_t k = 0; k < entry->map.params.size(); ++k) ranges[entry->map.params[k]] = entry->map.ranges.ranges[k];
  return ranges;
}

/// True when `index` is 0 wherever the member runs: the constant, or a parameter ranging over 0 alone.
bool alwaysZero(const AffineExpr& index, const std::map<std::string, ir::Range>& ranges) {
  if (index.constantValue() == 0) return true;
  std::optional<std::string> p = soleParameter(ir::Range::point(index));
  if (!p || !ranges.count(*p)) return false;
  const ir::Range& r = ranges.at(*p);
  return r.begin.constantValue() == 0 && r.end.constantValue() == 0;
}

/// The statistic written to the access node `access`, or nothing: a transient written there by
/// a nested reduction one element per iteration of its output map, at least one dimension of
/// size 1 written at 0, and read nowhere else.
std::optional<Statistic> statisticAt(const ir::Graph& graph, const ir::State& state, NodeId access,
                                     const StateKernels& kernels, std::vector<size_t>* rowDims = nullptr) {
  const auto* node = std::get_if<ir::AccessNode>(&state.node(access).payload);
  if (!node || !graph.array(node->data).transient || accessNodeCount(graph, node->data) != 1) return std::nullopt;
  if (state.inEdges(access).size() != 1) return std::nullopt;
  const auto* exit = std::get_if<ir::MapExit>(&state.node(state.edge(state.inEdges(access).front()).src).payload);
  if (!exit || !kernels.isRoot(exit->entry)) return std::nullopt;
  std::optional<NestedReduction> reduction = nestedReduction(state, kernels.at(exit->entry));
  if (!reduction || state.outEdges(state.exitOf(exit->entry)).size() != 1) return std::nullopt;
  const ir::Subset& write = state.edge(state.outEdges(reduction->epilogueTasklet).front()).memlet.subset;
  const ir::Map& outer = state.mapOf(exit->entry);
  const std::vector<int64_t>& shape = graph.array(node->data).shape;
  std::vector<size_t> dims;
  std::set<std::string> written;
  bool reduced = false;
  for (size_t d = 0; d < write.rank(); ++d) {
    std::optional<std::string> p = soleParameter(write.ranges[d]);
    if (p && std::count(outer.params.begin(), outer.params.end(), *p) && written.insert(*p).second) {
      dims.push_back(d);
    } else if (shape[d] == 1 && write.ranges[d] == ir::Range::point(AffineExpr(0))) {
      reduced = true;
    } else {
      return std::nullopt;
    }
  }
  if (!reduced || written.size() != outer.params.size()) return std::nullopt;
  if (rowDims) *rowDims = dims;
  return Statistic{node->data, access, exit->entry};
}

/// The edges inside a member (between its entry and exit) that carry `data`.
std::vector<EdgeId> innerEdgesOf(const ir::State& state, const std::vector<NodeId>& nodes, const std::string& data) {
  std::vector<EdgeId> edges;
  for (NodeId id : nodes)
    for (EdgeId e : state.outEdges(id))
      if (state.edge(e).memlet.data == data && std::count(nodes.begin(), nodes.end(), state.edge(e).dst))
        edges.push_back(e);
  return edges;
}

/// True when the member of `nodes` reads `data` the same for many of its iterations: every
/// read leaves out a parameter that takes more than one value (a row's statistic, broadcast over
/// the row, unlike a batch of one read element by element).
bool readPerRow(const ir::State& state, const std::vector<NodeId>& nodes, const std::string& data) {
  std::vector<std::string> varying;
  for (const auto& [param, range] : memberRanges(state, nodes))
    if (!(range.begin == range.end)) varying.push_back(param);
  std::vector<EdgeId> reads = innerEdgesOf(state, nodes, data);
  return !reads.empty() && std::all_of(reads.begin(), reads.end(), [&](EdgeId e) {
    const ir::Subset& index = state.edge(e).memlet.subset;
    return std::any_of(varying.begin(), varying.end(), [&](const std::string& p) {
      return std::none_of(index.ranges.begin(), index.ranges.end(), [&](const ir::Range& r) {
        return r.begin.coefficient(p) != 0 || r.end.coefficient(p) != 0;
      });
    });
  });
}

/// Binds the row parameters of the member `m` to the group's: where it reads (or writes) a
/// statistic's row dimensions. The first member, the sink, names the rows and their ranges
/// (`groupRanges`); the others must iterate over the same rows. Says why not.
std::optional<std::string> bindMember(const ir::State& state, Group& g, std::optional<ir::Subset>& groupRanges,
                                      Member& m) {
  const std::vector<NodeId>& nodes = m.nodes;
  std::map<std::string, ir::Range> ranges = memberRanges(state, nodes);
  std::vector<std::string> rowParams(g.rowDims.size());
  auto bindRows = [&](const ir::Subset& index, const std::string& data) -> std::optional<std::string> {
    for (size_t d = 0, r = 0; d < index.rank(); ++d) {
      bool row = r < g.rowDims.size() && g.rowDims[r] == d;
      std::optional<std::string> p = soleParameter(index.ranges[d]);
      if (row) {
        if (!p || (!rowParams[r].empty() && rowParams[r] != *p))
          return "'" + data + "' is read at another row than the iteration's";
        rowParams[r++] = *p;
      } else if (!(index.ranges[d].begin == index.ranges[d].end) || !alwaysZero(index.ranges[d].begin, ranges)) {
        return "'" + data + "' is read at another element than its row's";
      }
    }
    return std::nullopt;
  };
  for (const auto& [data, s] : g.statistics) {
    for (EdgeId e : innerEdgesOf(state, nodes, data)) {
      const ir::Edge& edge = state.edge(e);
      if (state.node(edge.dst).kind() != NodeKind::Tasklet) continue;
      if (!isPoint(edge.memlet.subset)) return "'" + data + "' is read as a region";
      if (auto failure = bindRows(edge.memlet.subset, data)) return failure;
    }
    if (s.producer == m.entry)
      if (auto failure = bindRows(state.edge(state.inEdges(m.exit).front()).memlet.subset, data)) return failure;
  }
  const ir::Map& map = state.mapOf(m.entry);
  ir::Subset rowRanges;
  for (const std::string& p : rowParams) {
    auto it = std::find(map.params.begin(), map.params.end(), p);
    if (p.empty() || it == map.params.end())
      return "a row of the group is no parameter of " + state.node(m.entry).describe();
    rowRanges.ranges.push_back(map.ranges.ranges[static_cast<size_t>(it - map.params.begin())]);
  }
  if (!groupRanges) groupRanges = rowRanges;
  if (!(rowRanges == *groupRanges)) return "the kernels of the group iterate over different rows";
  if (m.sink) {
    g.rows = ir::Map{rowParams, rowRanges, map.schedule};
    for (size_t k = 0; k < map.params.size(); ++k)
      if (!std::count(rowParams.begin(), rowParams.end(), map.params[k])) {
        g.sinkInner.params.push_back(map.params[k]);
        g.sinkInner.ranges.ranges.push_back(map.ranges.ranges[k]);
      }
    if (g.sinkInner.params.empty()) return "the sink iterates over rows only";
    g.sinkInner.schedule = map.schedule;
  } else if (map.params.size() != rowParams.size()) {
    return "the map of " + state.node(m.entry).describe() + " has parameters other than its rows";
  }
  for (size_t r = 0; r < rowParams.size(); ++r) m.rename[rowParams[r]] = AffineExpr::symbol(g.rows.params[r]);
  // Its other parameters must not depend on the rows; one named like a group's row gets a fresh
  // name (a producer's batch of one, i0 = 0, beside a sink whose rows a transpose renamed i0).
  std::vector<std::string> all;
  for (const auto& [param, range] : ranges) {
    all.push_back(param);
    if (std::count(rowParams.begin(), rowParams.end(), param)) continue;
    if (std::count(g.rows.params.begin(), g.rows.params.end(), param)) {
      std::string fresh = param;
      while (ranges.count(fresh) || std::count(g.rows.params.begin(), g.rows.params.end(), fresh)) fresh += "_";
      m.rename[param] = AffineExpr::symbol(fresh);
    }
    for (const std::string& p : rowParams)
      if (range.begin.coefficient(p) != 0 || range.end.coefficient(p) != 0)
        return "the range of '" + param + "' depends on a row";
  }
  for (NodeId id : nodes)
    if (const auto* tasklet = std::get_if<ir::Tasklet>(&state.node(id).payload))
      if (referencesAny(*tasklet, all)) return "a tasklet of the group uses its map parameters";
  return std::nullopt;
}

/// Finds the group that ends at `sinkEntry`, or says why there is none.
std::optional<std::string> matchGroup(const ir::Graph& graph, size_t stateIndex, NodeId sinkEntry, Group& g) {
  const ir::State& state = graph.state(stateIndex);
  if (state.node(sinkEntry).kind() != NodeKind::MapEntry) return "not a map entry";
  if (!isTopLevel(state, sinkEntry)) return "the map is nested in another scope";
  std::optional<NodeId> sinkTasklet = soleTasklet(state, sinkEntry);
  if (!sinkTasklet) return "the sink's body is not a single tasklet";
  NodeId sinkExit = state.exitOf(sinkEntry);
  if (state.outEdges(*sinkTasklet).size() != 1 || state.outEdges(sinkExit).size() != 1)
    return "the sink writes more than one array";
  const ir::Memlet& sinkWrite = state.edge(state.outEdges(*sinkTasklet).front()).memlet;
  if (sinkWrite.wcr != ir::Wcr::None || !isPoint(sinkWrite.subset)) return "the sink does not write one element";
  const ir::Map& sinkMap = state.mapOf(sinkEntry);
  for (size_t k = 0; k < sinkMap.params.size(); ++k) {
    const ir::Range& r = sinkMap.ranges.ranges[k];
    bool used = std::any_of(sinkWrite.subset.ranges.begin(), sinkWrite.subset.ranges.end(),
                            [&](const ir::Range& w) { return w.begin.coefficient(sinkMap.params[k]) != 0; });
    if (!used && !(r.begin == r.end)) return "the sink writes one element in several iterations";
  }
  if (arraysRead(state, sinkEntry).count(sinkWrite.data)) return "the sink writes an array it reads";
  // Cheaply first: a statistic is a transient some map writes.
  bool readsAMapsTransient = false;
  for (EdgeId e : state.inEdges(sinkEntry))
    if (const auto* a = std::get_if<ir::AccessNode>(&state.node(state.edge(e).src).payload);
        a && graph.array(a->data).transient)
      for (EdgeId w : state.inEdges(state.edge(e).src))
        readsAMapsTransient = readsAMapsTransient || state.node(state.edge(w).src).kind() == NodeKind::MapExit;
  if (!readsAMapsTransient) return "the map reads no per-row statistic of a nested reduction";

  StateKernels kernels(graph, stateIndex);

  // Pull in the producers of every statistic read, transitively.
  g = Group{};
  std::vector<NodeId> pending{sinkEntry}, members;
  while (!pending.empty()) {
    NodeId entry = pending.back();
    pending.pop_back();
    if (std::count(members.begin(), members.end(), entry)) continue;
    members.push_back(entry);
    for (EdgeId e : state.inEdges(entry)) {
      std::vector<size_t> dims;
      std::optional<Statistic> s = statisticAt(graph, state, state.edge(e).src, kernels, &dims);
      if (!s || g.statistics.count(s->data) || !readPerRow(state, kernels.at(entry).nodes, s->data)) continue;
      if (g.statistics.empty()) {
        g.rowDims = dims;
      } else if (dims != g.rowDims || graph.array(s->data).shape != graph.array(g.statistics.begin()->first).shape) {
        return "the statistics '" + s->data + "' and '" + g.statistics.begin()->first + "' index rows differently";
      }
      g.statistics.emplace(s->data, *s);
      pending.push_back(s->producer);
    }
  }
  if (g.statistics.empty()) return "the map reads no per-row statistic of a nested reduction";
  for (const auto& [data, s] : g.statistics)
    for (EdgeId e : state.outEdges(s.access))
      if (!std::count(members.begin(), members.end(), state.edge(e).dst))
        return "the statistic '" + data + "' is read outside the group";
  for (NodeId entry : members)
    if (arraysRead(state, entry).count(sinkWrite.data)) return "the sink writes an array the group reads";

  // Each member's row parameters: where it reads (or writes) a statistic's row dimensions.
  std::vector<NodeId> order = *state.topologicalOrder();
  std::sort(members.begin(), members.end(), [&](NodeId a, NodeId b) {
    return std::find(order.begin(), order.end(), a) < std::find(order.begin(), order.end(), b);
  });
  if (members.back() != sinkEntry) return "the sink does not come after the statistics it reads";
  std::rotate(members.rbegin(), members.rbegin() + 1, members.rend());  // the sink names the rows
  std::optional<ir::Subset> groupRanges;
  for (NodeId entry : members) {
    Member m{entry, state.exitOf(entry), kernels.at(entry).nodes, entry == sinkEntry, {}};
    if (auto failure = bindMember(state, g, groupRanges, m)) return failure;
    g.members.push_back(std::move(m));
  }
  std::rotate(g.members.begin(), g.members.begin() + 1, g.members.end());  // back in order
  return std::nullopt;
}

/// The words of `labels` ("softmax_max", "softmax_sum", "softmax"), each once, joined by "_".
std::string unitedLabel(const std::vector<std::string>& labels) {
  std::vector<std::string> words;
  for (const std::string& label : labels)
    for (size_t begin = 0; begin <= label.size();) {
      size_t end = std::min(label.find('_', begin), label.size());
      std::string word = label.substr(begin, end - begin);
      if (!word.empty() && !std::count(words.begin(), words.end(), word)) words.push_back(word);
      begin = end + 1;
    }
  std::string joined;
  for (const std::string& w : words) joined += (joined.empty() ? "" : "_") + w;
  return joined;
}

/// Builds the fused kernel: the group's map, the statistics as register scalars in it, and the
/// members' bodies moved in.
class RowFuser {
 public:
  RowFuser(ir::Graph& graph, ir::State& state, const Group& group) : graph_(graph), state_(state), g_(group) {}

  void fuse() {
    std::vector<std::string> labels, origins;
    for (const Member& m : g_.members) {
      labels.push_back(state_.node(m.entry).label);
      origins = unitedOrigins(origins, state_.node(m.entry).origins);
    }
    std::tie(entry_, exit_) = state_.addMap(unitedLabel(labels), g_.rows, origins);
    for (const auto& [data, s] : g_.statistics) registers_[data] = state_.addAccess(data, state_.node(s.access).origins);
    for (const Member& m : g_.members) m.sink ? moveSink(m) : moveProducer(m);
    for (const auto& [data, s] : g_.statistics) {
      state_.removeNode(s.access);
      ir::DataDesc& desc = graph_.array(data);
      desc = ir::DataDesc{desc.dtype, {}, ir::Layout::rowMajor(0), ir::Storage::Register, true};
    }
  }

 private:
  /// A statistic's register, as a memlet.
  static ir::Memlet scalar(const std::string& data) { return ir::Memlet::of(data, ir::Subset{}); }

  /// The edge into `memberEntry` that feeds its connector OUT_x (`inner`'s source connector).
  ir::Edge outerOf(NodeId memberEntry, const ir::Edge& inner) const {
    for (EdgeId e : state_.inEdges(memberEntry))
      if (state_.edge(e).dstConn == "IN_" + ir::connectorBase(inner.srcConn)) return state_.edge(e);
    throw Error("row-fusion: connector " + inner.srcConn + " of " + state_.node(memberEntry).describe() +
                " has no input");
  }

  /// Routes a read that entered a member through `memberEntry` (`inner`, leaving the entry) to
  /// its destination, or through `via` (the sink's inner map entry): from the statistic's
  /// register, or from the array through the group's entry.
  void routeRead(const Member& m, const ir::Edge& inner, std::optional<NodeId> via) {
    ir::Memlet memlet = inner.memlet;
    memlet.subset = reindexed(memlet.subset, m.rename);
    NodeId from;
    std::string fromConn;
    if (g_.statistics.count(memlet.data)) {
      from = registers_.at(memlet.data);
      memlet = scalar(memlet.data);
    } else {
      ir::Edge outer = outerOf(m.entry, inner);
      std::string base = freshConnectorBase(state_, entry_, memlet.data);
      state_.addEdge(outer.src, outer.srcConn, entry_, "IN_" + base, outer.memlet);
      from = entry_;
      fromConn = "OUT_" + base;
    }
    if (via) {
      std::string base = freshConnectorBase(state_, *via, memlet.data);
      state_.addEdge(from, fromConn, *via, "IN_" + base, from == entry_ ? outerOf(m.entry, inner).memlet : memlet);
      from = *via;
      fromConn = "OUT_" + base;
    }
    state_.addEdge(from, fromConn, inner.dst, inner.dstConn, memlet);
  }

  /// Renames the parameters of a map nested in a member as `rename` says (ranges included).
  static void renameParams(ir::Map& map, const std::map<std::string, AffineExpr>& rename) {
    for (std::string& param : map.params)
      if (auto it = rename.find(param); it != rename.end()) param = *soleParameter(ir::Range::point(it->second));
    map.ranges = reindexed(map.ranges, rename);
  }

  /// Moves the ordering edges into a member's entry onto the group's entry.
  void moveOrdering(const Member& m) {
    for (EdgeId e : state_.inEdges(m.entry)) {
      const ir::Edge edge = state_.edge(e);
      if (edge.memlet.isEmpty()) state_.addEdge(edge.src, edge.srcConn, entry_, "", edge.memlet);
    }
  }

  /// A nested reduction: its body moves into the group's map as it is (rows renamed) and its
  /// epilogue writes the statistic's register.
  void moveProducer(const Member& m) {
    std::vector<NodeId> body;
    for (NodeId id : m.nodes)
      if (id != m.entry && id != m.exit) body.push_back(id);
    for (NodeId id : body)
      if (auto* inner = std::get_if<ir::MapEntry>(&state_.node(id).payload)) renameParams(inner->map, m.rename);
    for (NodeId id : body)
      for (EdgeId e : state_.outEdges(id)) {
        if (!std::count(body.begin(), body.end(), state_.edge(e).dst)) continue;
        ir::Memlet& memlet = state_.memlet(e);
        if (g_.statistics.count(memlet.data)) {
          memlet.subset = ir::Subset{};
        } else if (!memlet.isEmpty()) {
          memlet.subset = reindexed(memlet.subset, m.rename);
        }
      }
    for (EdgeId e : state_.outEdges(m.entry)) {
      const ir::Edge inner = state_.edge(e);
      if (inner.memlet.isEmpty()) {
        state_.addEdge(entry_, "", inner.dst, inner.dstConn, inner.memlet);
      } else {
        routeRead(m, inner, std::nullopt);
      }
    }
    moveOrdering(m);
    const ir::Edge write = state_.edge(state_.inEdges(m.exit).front());
    state_.addEdge(write.src, write.srcConn, registers_.at(write.memlet.data), "", scalar(write.memlet.data));
    state_.removeNode(m.entry);
    state_.removeNode(m.exit);
  }

  /// The element-wise map: its tasklet moves into a map over its other parameters, inside the
  /// group's map.
  void moveSink(const Member& m) {
    NodeId tasklet = *soleTasklet(state_, m.entry);
    auto [innerEntry, innerExit] =
        state_.addMap(state_.node(m.entry).label, g_.sinkInner, state_.node(m.entry).origins);
    for (EdgeId e : state_.outEdges(m.entry)) {
      const ir::Edge inner = state_.edge(e);
      if (!inner.memlet.isEmpty()) routeRead(m, inner, innerEntry);
    }
    moveOrdering(m);
    bool entered = false, fed = false;
    for (EdgeId e : state_.outEdges(entry_)) entered = entered || state_.edge(e).dst == innerEntry;
    for (EdgeId e : state_.inEdges(tasklet)) fed = fed || state_.edge(e).src == innerEntry;
    if (!entered) state_.addEdge(entry_, "", innerEntry, "", ir::Memlet::empty());
    if (!fed) state_.addEdge(innerEntry, "", tasklet, "", ir::Memlet::empty());
    const ir::Edge write = state_.edge(state_.outEdges(tasklet).front());
    const ir::Edge out = state_.edge(state_.outEdges(m.exit).front());
    std::string base = freshConnectorBase(state_, exit_, write.memlet.data);
    state_.addEdge(tasklet, write.srcConn, innerExit, "IN_" + base, write.memlet);
    state_.addEdge(innerExit, "OUT_" + base, exit_, "IN_" + base, out.memlet);
    state_.addEdge(exit_, "OUT_" + base, out.dst, out.dstConn, out.memlet);
    state_.removeNode(m.entry);
    state_.removeNode(m.exit);
  }

  ir::Graph& graph_;
  ir::State& state_;
  const Group& g_;
  NodeId entry_, exit_;
  std::map<std::string, NodeId> registers_;
};

}  // namespace

std::optional<std::string> whyNotRowFusable(const ir::Graph& graph, size_t state, NodeId sinkEntry) {
  Group g;
  return matchGroup(graph, state, sinkEntry, g);
}

std::vector<RowFusionCandidate> findRowFusionCandidates(const ir::Graph& graph) {
  return legalMapEntries<RowFusionCandidate>(graph, whyNotRowFusable);
}

void fuseRows(ir::Graph& graph, const RowFusionCandidate& candidate) {
  Group g;
  if (auto failure = matchGroup(graph, candidate.state, candidate.sinkEntry, g))
    throw Error("row-fusion: cannot fuse the group ending at map node " + std::to_string(candidate.sinkEntry.value) +
                ": " + *failure);
  RowFuser(graph, graph.state(candidate.state), g).fuse();
}

int fuseRowGroups(ir::Graph& graph) { return fuseToFixpoint(graph, findRowFusionCandidates, fuseRows); }

std::unique_ptr<Pass> makeRowFusionPass() { return makeFusionPass("row-fusion", fuseRowGroups); }

}  // namespace conflux::passes
