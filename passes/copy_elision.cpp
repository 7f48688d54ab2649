#include "passes/copy_elision.h"

#include <algorithm>
#include <set>
#include <variant>

#include "ir/error.h"
#include "passes/fusion_pass.h"
#include "passes/map_patterns.h"
#include "passes/slice_copy.h"

namespace conflux::passes {
namespace {

using ir::EdgeId;
using ir::NodeId;
using ir::NodeKind;

/// The parts of a legal candidate that elision rewires.
struct Match {
  SliceCopy copy;
  std::vector<NodeId> earlier;       // the transient's other access nodes: writes before the last ones
  std::vector<EdgeId> otherReaders;  // reads of the transient by maps other than the copy
};

/// The copy of a candidate, or why there is none.
std::variant<Match, std::string> match(const ir::Graph& graph, size_t stateIndex, NodeId source) {
  const ir::State& state = graph.state(stateIndex);
  const auto* access = std::get_if<ir::AccessNode>(&state.node(source).payload);
  if (!access) return std::string("not an access node");
  const std::string& data = access->data;
  const ir::DataDesc& desc = graph.array(data);
  const auto& inputs = graph.inputs();
  const auto& outputs = graph.outputs();
  if (!desc.transient || std::count(inputs.begin(), inputs.end(), data) ||
      std::count(outputs.begin(), outputs.end(), data) || graph.constantValue(data))
    return "'" + data + "' is no transient computed at run time";
  // The first reader that is a slice copy; the others read the destination in its place.
  std::optional<std::string> notCopied;
  Match m;
  std::vector<EdgeId> reads = state.outEdges(source);
  for (EdgeId e : reads) {
    auto copy = matchSliceCopy(graph, state, state.edge(e).dst, data);
    if (auto* found = std::get_if<SliceCopy>(&copy); found && m.copy.destination.empty()) {
      m.copy = *found;
      continue;
    }
    if (auto* why = std::get_if<std::string>(&copy); why && !notCopied) notCopied = *why;
    m.otherReaders.push_back(e);
  }
  if (m.copy.destination.empty()) return notCopied.value_or("'" + data + "' is not read");
  for (EdgeId e : m.otherReaders) {
    NodeId reader = state.edge(e).dst;
    if (state.node(reader).kind() != NodeKind::MapEntry || !isTopLevel(state, reader))
      return "'" + data + "' is read by something other than a top-level map";
    if (reader == m.copy.entry) return "the copy reads '" + data + "' twice";
    for (EdgeId w : state.outEdges(state.exitOf(reader)))
      if (state.edge(w).memlet.data == m.copy.destination)
        return "a reader of '" + data + "' writes '" + m.copy.destination + "'";
  }
  // The transient's other access nodes (checked last: they take a scan of the graph) may only
  // hold what its writers' maps wait for (a transposed convolution's zeros, which it
  // accumulates into).
  for (size_t s = 0; s < graph.states().size(); ++s)
    for (NodeId id : graph.state(s).nodeIds()) {
      const auto* other = std::get_if<ir::AccessNode>(&graph.state(s).node(id).payload);
      if (!other || other->data != data || (s == stateIndex && id == source)) continue;
      if (s != stateIndex) return "'" + data + "' is used in another state";
      m.earlier.push_back(id);
    }
  auto writesSource = [&](NodeId entry) {
    if (state.node(entry).kind() != NodeKind::MapEntry) return false;
    for (EdgeId e : state.outEdges(state.exitOf(entry)))
      if (state.edge(e).dst == source) return true;
    return false;
  };
  for (NodeId id : m.earlier)
    for (EdgeId e : state.outEdges(id))
      if (!state.edge(e).memlet.isEmpty() || !writesSource(state.edge(e).dst))
        return "'" + data + "' is read before its last writes";
  std::vector<EdgeId> writes = state.inEdges(source);
  for (NodeId node : m.earlier)
    for (EdgeId e : state.inEdges(node)) writes.push_back(e);
  for (EdgeId e : writes) {
    const auto* exit = std::get_if<ir::MapExit>(&state.node(state.edge(e).src).payload);
    if (!exit) return "'" + data + "' is written by something other than a map";
    if (arraysRead(state, exit->entry).count(m.copy.destination))
      return "a writer of '" + data + "' reads '" + m.copy.destination + "'";
  }
  return m;
}

/// `subset` moved by `offset` in every dimension.
ir::Subset shifted(ir::Subset subset, const std::vector<int64_t>& offset) {
  for (size_t k = 0; k < subset.rank(); ++k) {
    subset.ranges[k].begin = subset.ranges[k].begin + ir::AffineExpr(offset[k]);
    subset.ranges[k].end = subset.ranges[k].end + ir::AffineExpr(offset[k]);
  }
  return subset;
}

}  // namespace

std::optional<std::string> whyNotElidable(const ir::Graph& graph, size_t state, ir::NodeId source) {
  auto result = match(graph, state, source);
  if (auto* why = std::get_if<std::string>(&result)) return *why;
  return std::nullopt;
}

std::vector<CopyElisionCandidate> findCopyElisionCandidates(const ir::Graph& graph) {
  // Copies whose transient has no other reader come first: storing a transient in place gives
  // its destination an access node that readers read, after which the destination's own copy
  // (a concatenation's into a padded input) could no longer go.
  std::vector<CopyElisionCandidate> alone, shared;
  for (size_t s = 0; s < graph.states().size(); ++s)
    for (NodeId id : graph.state(s).nodeIds()) {
      if (graph.state(s).node(id).kind() != NodeKind::Access) continue;
      auto result = match(graph, s, id);
      if (const auto* m = std::get_if<Match>(&result))
        (m->otherReaders.empty() ? alone : shared).push_back({s, id, m->copy.entry});
    }
  alone.insert(alone.end(), shared.begin(), shared.end());
  return alone;
}

void elideCopy(ir::Graph& graph, const CopyElisionCandidate& candidate) {
  auto result = match(graph, candidate.state, candidate.source);
  CONFLUX_ASSERT(std::holds_alternative<Match>(result), "eliding a copy that is not legal");
  const Match& m = std::get<Match>(result);
  const SliceCopy& copy = m.copy;
  ir::State& state = graph.state(candidate.state);
  // What ordered the copy (the destination's border fills) orders the writers.
  std::vector<NodeId> before;
  for (EdgeId e : state.inEdges(copy.entry))
    if (state.edge(e).src != candidate.source) before.push_back(state.edge(e).src);
  // Every memlet of the transient but the copy's read names the destination, moved by the offset.
  for (EdgeId e : state.edgeIds()) {
    ir::Memlet& memlet = state.memlet(e);
    if (memlet.data != copy.source || state.edge(e).dst == copy.entry) continue;
    memlet.data = copy.destination;
    memlet.subset = shifted(memlet.subset, copy.offset);
  }
  // The writers write the destination: into the copy's access node when nothing else read the
  // transient, else into an access node of their slice that its readers read, ordered before
  // the destination's readers (the destination's other writers come later: an upsampling's
  // slice of the concatenation, written after the skip connection's readers ran).
  NodeId written = copy.destinationNode;
  if (!m.otherReaders.empty()) {
    written = state.addAccess(copy.destination, state.node(candidate.source).origins);
    for (EdgeId e : m.otherReaders) {
      ir::Edge edge = state.edge(e);
      state.removeEdge(e);
      state.addEdge(written, "", edge.dst, edge.dstConn, edge.memlet);
    }
    for (EdgeId e : state.outEdges(copy.destinationNode))
      state.addEdge(written, "", state.edge(e).dst, "", ir::Memlet{});
  }
  std::set<NodeId> writers;
  for (EdgeId e : state.inEdges(candidate.source)) {
    ir::Edge edge = state.edge(e);
    state.removeEdge(e);
    state.addEdge(edge.src, edge.srcConn, written, "", edge.memlet);
    writers.insert(std::get<ir::MapExit>(state.node(edge.src).payload).entry);
  }
  for (NodeId writer : writers)
    for (NodeId node : before) state.addEdge(node, "", writer, "", ir::Memlet{});
  for (NodeId id : m.earlier) state.node(id).payload = ir::AccessNode{copy.destination};
  for (NodeId dead : {copy.tasklet, copy.exit, copy.entry, candidate.source}) state.removeNode(dead);
  graph.removeArray(copy.source);
  CONFLUX_ASSERT(state.topologicalOrder().has_value(), "eliding the copy of '" + copy.source + "' made a cycle");
}

int elideCopies(ir::Graph& graph) { return fuseToFixpoint(graph, &findCopyElisionCandidates, &elideCopy); }

std::unique_ptr<Pass> makeCopyElisionPass() { return makeFusionPass("copy-elision", &elideCopies); }

}  // namespace conflux::passes
