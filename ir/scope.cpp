#include "ir/scope.h"

#include <algorithm>

#include "ir/error.h"

namespace conflux::ir {

ScopeTree::ScopeTree(const State& state) : state_(state) {
  auto order = state.topologicalOrder();
  if (!order) throw Error("state '" + state.name() + "': the dataflow graph has a cycle");
  for (NodeId id : *order) {
    const Node& n = state.node(id);
    if (n.kind() == NodeKind::MapExit) {
      NodeId entry = std::get<MapExit>(n.payload).entry;
      if (!scope_.count(entry))
        throw Error("state '" + state.name() + "', " + n.describe() +
                    ": map exit without a map entry before it");
      scope_[id] = scope_.at(entry);
      continue;
    }
    std::optional<std::optional<NodeId>> found;
    for (EdgeId e : state.inEdges(id)) {
      std::optional<NodeId> s = scopeOfEdge(state.edge(e));
      if (found && *found != s)
        throw Error("state '" + state.name() + "', " + n.describe() +
                    ": inputs come from different map scopes");
      found = s;
    }
    scope_[id] = found ? *found : std::nullopt;
  }
}

std::optional<NodeId> ScopeTree::scopeOfEdge(const Edge& edge) const {
  if (state_.node(edge.src).kind() == NodeKind::MapEntry) return edge.src;
  return scope_.at(edge.src);
}

std::vector<NodeId> ScopeTree::chain(std::optional<NodeId> scope) const {
  std::vector<NodeId> result;
  for (auto s = scope; s; s = scope_.at(*s)) result.push_back(*s);
  std::reverse(result.begin(), result.end());
  return result;
}

std::vector<const Map*> ScopeTree::maps(std::optional<NodeId> scope) const {
  std::vector<const Map*> result;
  for (NodeId entry : chain(scope))
    result.push_back(&state_.mapOf(entry));
  return result;
}

std::vector<NodeId> ScopeTree::entriesInnermostFirst() const {
  std::vector<std::pair<size_t, NodeId>> entries;
  for (const auto& [id, s] : scope_)
    if (state_.node(id).kind() == NodeKind::MapEntry) entries.push_back({chain(id).size(), id});
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<NodeId> result;
  for (const auto& [depth, id] : entries) result.push_back(id);
  return result;
}

}  // namespace conflux::ir
