#include "passes/copy_elision.h"

#include <algorithm>
#include <set>
#include <variant>

#include "ir/error.h"
#include "passes/fusion_pass.h"
#include "passes/map_patterns.h"

namespace conflux::passes {
namespace {

using ir::EdgeId;
using ir::NodeId;
using ir::NodeKind;

/// The parts of a legal candidate that elision rewires.
struct Match {
  std::string source, destination;  // the transient and the array the copy writes
  NodeId copyEntry, copyExit, copyTasklet, destinationNode;
  std::vector<NodeId> earlier;  // the transient's other access nodes: writes before the last ones
  std::vector<int64_t> offset;  // element i of the transient is element i + offset of the destination
};

/// The copy of a candidate, or why there is none.
std::variant<Match, std::string> match(const ir::Graph& graph, size_t stateIndex, NodeId source) {
  const ir::State& state = graph.state(stateIndex);
  const auto* access = std::get_if<ir::AccessNode>(&state.node(source).payload);
  if (!access) return std::string("not an access node");
  Match m;
  m.source = access->data;
  const ir::DataDesc& desc = graph.array(m.source);
  const auto& inputs = graph.inputs();
  const auto& outputs = graph.outputs();
  if (!desc.transient || std::count(inputs.begin(), inputs.end(), m.source) ||
      std::count(outputs.begin(), outputs.end(), m.source) || graph.constantValue(m.source))
    return "'" + m.source + "' is no transient computed at run time";
  std::vector<EdgeId> reads = state.outEdges(source);
  if (reads.size() != 1 || state.node(state.edge(reads[0]).dst).kind() != NodeKind::MapEntry)
    return "'" + m.source + "' is read by more than one map";
  m.copyEntry = state.edge(reads[0]).dst;
  if (!isTopLevel(state, m.copyEntry)) return std::string("the reader is nested in another scope");
  std::optional<NodeId> tasklet = soleTasklet(state, m.copyEntry);
  if (!tasklet) return std::string("the reader is not one tasklet");
  m.copyTasklet = *tasklet;
  m.copyExit = state.exitOf(m.copyEntry);
  const auto& code = std::get<ir::Tasklet>(state.node(m.copyTasklet).payload);
  if (code.inputs.size() != 1 || code.outputs.size() != 1 || code.outputs[0].expr->kind != ir::ExprKind::Ref ||
      code.outputs[0].expr->name != code.inputs[0])
    return std::string("the reader is no copy");
  std::vector<EdgeId> in = state.inEdges(m.copyTasklet), out = state.outEdges(m.copyTasklet);
  if (in.size() != 1 || out.size() != 1) return std::string("the copy has more than one input or output");
  const ir::Memlet& read = state.edge(in[0]).memlet;
  const ir::Memlet& write = state.edge(out[0]).memlet;
  const ir::Map& map = state.mapOf(m.copyEntry);
  m.destination = write.data;
  if (write.wcr != ir::Wcr::None || m.destination == m.source) return std::string("the copy accumulates");
  const ir::DataDesc& destination = graph.array(m.destination);
  if (destination.dtype != desc.dtype || code.outputs[0].expr->dtype != desc.dtype)
    return std::string("the copy converts");
  if (!writesEachElementByIndex(map, read.subset, desc.shape))
    return std::string("the copy does not read each element of '" + m.source + "' once, in order");
  if (!writesEachElementAtOffset(map, write.subset, destination.shape))
    return std::string("the copy does not write '" + m.destination + "' at a constant offset");
  for (size_t k = 0; k < write.subset.rank(); ++k)
    m.offset.push_back((write.subset.ranges[k].begin - read.subset.ranges[k].begin).constant());
  std::vector<EdgeId> written = state.outEdges(m.copyExit);
  if (written.size() != 1 || state.node(state.edge(written[0]).dst).kind() != NodeKind::Access)
    return std::string("the copy writes more than one access node");
  m.destinationNode = state.edge(written[0]).dst;
  for (EdgeId e : state.inEdges(m.copyEntry))
    if (e != reads[0] && !state.edge(e).memlet.isEmpty())
      return std::string("the copy reads another array");
  // The transient's other access nodes (checked last: they take a scan of the graph) may only
  // hold what its writers' maps wait for (a transposed convolution's zeros, which it
  // accumulates into).
  for (size_t s = 0; s < graph.states().size(); ++s)
    for (NodeId id : graph.state(s).nodeIds()) {
      const auto* other = std::get_if<ir::AccessNode>(&graph.state(s).node(id).payload);
      if (!other || other->data != m.source || (s == stateIndex && id == source)) continue;
      if (s != stateIndex) return "'" + m.source + "' is used in another state";
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
        return "'" + m.source + "' is read before its last writes";
  std::vector<EdgeId> writes = state.inEdges(source);
  for (NodeId node : m.earlier)
    for (EdgeId e : state.inEdges(node)) writes.push_back(e);
  for (EdgeId e : writes) {
    const auto* exit = std::get_if<ir::MapExit>(&state.node(state.edge(e).src).payload);
    if (!exit) return "'" + m.source + "' is written by something other than a map";
    if (arraysRead(state, exit->entry).count(m.destination))
      return "a writer of '" + m.source + "' reads '" + m.destination + "'";
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
  std::vector<CopyElisionCandidate> candidates;
  for (size_t s = 0; s < graph.states().size(); ++s)
    for (NodeId id : graph.state(s).nodeIds())
      if (graph.state(s).node(id).kind() == NodeKind::Access && !whyNotElidable(graph, s, id)) {
        const ir::State& state = graph.state(s);
        candidates.push_back({s, id, state.edge(state.outEdges(id).front()).dst});
      }
  return candidates;
}

void elideCopy(ir::Graph& graph, const CopyElisionCandidate& candidate) {
  auto result = match(graph, candidate.state, candidate.source);
  CONFLUX_ASSERT(std::holds_alternative<Match>(result), "eliding a copy that is not legal");
  const Match& m = std::get<Match>(result);
  ir::State& state = graph.state(candidate.state);
  // What ordered the copy (the destination's border fills) orders the writers.
  std::vector<NodeId> before;
  for (EdgeId e : state.inEdges(m.copyEntry))
    if (state.edge(e).src != candidate.source) before.push_back(state.edge(e).src);
  // Every memlet of the transient outside the copy names the destination, moved by the offset.
  for (EdgeId e : state.edgeIds()) {
    ir::Memlet& memlet = state.memlet(e);
    if (memlet.data != m.source || state.edge(e).src == candidate.source) continue;
    memlet.data = m.destination;
    memlet.subset = shifted(memlet.subset, m.offset);
  }
  // The writers feed the destination's access node, after what came before the copy.
  std::set<NodeId> writers;
  for (EdgeId e : state.inEdges(candidate.source)) {
    ir::Edge edge = state.edge(e);
    state.removeEdge(e);
    state.addEdge(edge.src, edge.srcConn, m.destinationNode, "", edge.memlet);
    writers.insert(std::get<ir::MapExit>(state.node(edge.src).payload).entry);
  }
  for (NodeId writer : writers)
    for (NodeId node : before) state.addEdge(node, "", writer, "", ir::Memlet{});
  for (NodeId id : m.earlier) state.node(id).payload = ir::AccessNode{m.destination};
  for (NodeId dead : {m.copyTasklet, m.copyExit, m.copyEntry, candidate.source}) state.removeNode(dead);
  graph.removeArray(m.source);
  CONFLUX_ASSERT(state.topologicalOrder().has_value(), "eliding the copy of '" + m.source + "' made a cycle");
}

int elideCopies(ir::Graph& graph) { return fuseToFixpoint(graph, &findCopyElisionCandidates, &elideCopy); }

std::unique_ptr<Pass> makeCopyElisionPass() { return makeFusionPass("copy-elision", &elideCopies); }

}  // namespace conflux::passes
