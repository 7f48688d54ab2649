#pragma once
// Map scopes of a state: which map entry encloses each node.
#include <map>
#include <optional>
#include <vector>

#include "ir/state.h"

namespace conflux::ir {

/// The scope tree of a state. A map's entry and exit belong to the enclosing scope; the nodes
/// between them belong to the map's scope.
class ScopeTree {
 public:
  /// Computes the tree; throws conflux::Error when the state has a cycle or a node is reached
  /// from two different scopes.
  explicit ScopeTree(const State& state);

  /// The innermost map entry enclosing `node` (nothing at top level).
  std::optional<NodeId> scopeOf(NodeId node) const { return scope_.at(node); }
  /// The scope an edge lies in: inside the map when it leaves a map entry.
  std::optional<NodeId> scopeOfEdge(const Edge& edge) const;
  /// Map entries enclosing a scope, outermost first, `scope` itself last.
  std::vector<NodeId> chain(std::optional<NodeId> scope) const;
  /// The maps of chain(scope), outermost first.
  std::vector<const Map*> maps(std::optional<NodeId> scope) const;
  /// All map entries, innermost scopes first (deepest nesting first, then by id).
  std::vector<NodeId> entriesInnermostFirst() const;

 private:
  const State& state_;
  std::map<NodeId, std::optional<NodeId>> scope_;
};

}  // namespace conflux::ir
