#include "passes/flop_count.h"

#include "ir/footprint.h"

namespace conflux::passes {

int64_t expressionFlops(const ir::Expr& expr) {
  int64_t own = 0;
  switch (expr->kind) {
    case ir::ExprKind::Unary:
    case ir::ExprKind::Binary: own = 1; break;
    default: break;
  }
  for (const ir::Expr& arg : expr->args) own += expressionFlops(arg);
  return own;
}

double nodeFlops(const ir::State& state, const ir::ScopeTree& scopes, ir::NodeId id) {
  const ir::Node& node = state.node(id);
  if (node.kind() != ir::NodeKind::Tasklet) return 0;
  double perIteration = 0;
  for (const ir::TaskletOutput& out : std::get<ir::Tasklet>(node.payload).outputs)
    perIteration += static_cast<double>(expressionFlops(out.expr));
  for (ir::EdgeId e : state.outEdges(id))
    if (state.edge(e).memlet.wcr != ir::Wcr::None) perIteration += 1;
  double iterations = 1;
  for (const ir::Map* map : scopes.maps(scopes.scopeOf(id)))
    iterations *= static_cast<double>(ir::iterationCount(*map).value_or(1));
  return perIteration * iterations;
}

double stateFlops(const ir::State& state) {
  ir::ScopeTree scopes(state);
  double total = 0;
  for (ir::NodeId id : state.nodeIds()) total += nodeFlops(state, scopes, id);
  return total;
}

double graphFlops(const ir::Graph& graph) {
  double total = 0;
  for (const ir::State& s : graph.states()) total += stateFlops(s);
  return total;
}

}  // namespace conflux::passes
