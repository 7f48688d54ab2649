#include "ir/memlet_propagation.h"

#include "ir/error.h"
#include "ir/footprint.h"
#include "ir/scope.h"

namespace conflux::ir {
namespace {

/// Propagates the memlets of `inner` edges to `outer`, across `map`.
void propagateAcross(State& state, EdgeId outer, const std::vector<EdgeId>& inner, const Map& map) {
  std::vector<Subset> subsets;
  std::optional<int64_t> volume = 0;
  Memlet result;
  for (EdgeId e : inner) {
    const Memlet& m = state.edge(e).memlet;
    if (m.isEmpty()) continue;
    if (!result.data.empty() && result.data != m.data)
      throw Error("state '" + state.name() + "', edge e" + std::to_string(e.value) +
                  ": one map connector carries two arrays ('" + result.data + "' and '" + m.data +
                  "')");
    result.data = m.data;
    result.wcr = m.wcr;
    subsets.push_back(m.subset);
    volume = volume && m.volume ? std::optional<int64_t>(*volume + *m.volume) : std::nullopt;
  }
  if (subsets.empty()) return;  // only ordering edges inside: the outer memlet stays as it is
  std::optional<int64_t> iterations = iterationCount(map);
  result.subset = footprintOverMaps(subsets, {&map}).box;
  result.volume = volume && iterations ? std::optional<int64_t>(*volume * *iterations) : std::nullopt;
  state.memlet(outer) = result;
}

/// Edges of `node` on the scope side matching `outerConn` (IN_x <-> OUT_x).
std::vector<EdgeId> matchingInner(const State& state, NodeId node, const std::string& conn,
                                  bool outgoing) {
  std::string want = (outgoing ? "OUT_" : "IN_") + connectorBase(conn);
  std::vector<EdgeId> result;
  for (EdgeId e : outgoing ? state.outEdges(node) : state.inEdges(node)) {
    const Edge& edge = state.edge(e);
    if ((outgoing ? edge.srcConn : edge.dstConn) == want) result.push_back(e);
  }
  return result;
}

}  // namespace

void propagateMemlets(State& state) {
  ScopeTree scopes(state);
  for (NodeId entry : scopes.entriesInnermostFirst()) {
    const Map map = state.mapOf(entry);
    NodeId exit = state.exitOf(entry);
    for (EdgeId e : state.inEdges(entry)) {
      const Edge& edge = state.edge(e);
      if (isInConnector(edge.dstConn))
        propagateAcross(state, e, matchingInner(state, entry, edge.dstConn, true), map);
    }
    for (EdgeId e : state.outEdges(exit)) {
      const Edge& edge = state.edge(e);
      if (isOutConnector(edge.srcConn))
        propagateAcross(state, e, matchingInner(state, exit, edge.srcConn, false), map);
    }
  }
}

void propagateMemlets(Graph& graph) {
  for (State& s : graph.states()) propagateMemlets(s);
}

}  // namespace conflux::ir
