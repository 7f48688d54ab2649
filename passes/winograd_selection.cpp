#include "passes/winograd_selection.h"

#include "ir/scope.h"
#include "passes/expansions/winograd.h"

namespace conflux::passes {
namespace {

using namespace ir;

bool pays(const expansions::Builder& b) {
  return expansions::winogradApplies(b) && b.shape("in0")[1] >= kWinogradMinChannels &&
         b.shape("out0")[1] >= kWinogradMinChannels;
}

class WinogradSelectionPass : public Pass {
 public:
  std::string_view name() const override { return "winograd-convolutions"; }
  Modified run(Graph& graph, PassContext&) override {
    return selectWinogradConvolutions(graph) ? Modified::All : Modified::None;
  }
};

}  // namespace

bool selectWinogradConvolutions(Graph& graph) {
  bool marked = false;
  for (State& state : graph.states()) {
    ScopeTree scopes(state);
    for (NodeId id : state.nodeIds()) {
      auto* library = std::get_if<LibraryNode>(&state.node(id).payload);
      if (!library || library->op != OpKind::Conv || scopes.scopeOf(id)) continue;
      if (!pays(expansions::Builder(graph, state, id))) continue;
      library->expansion = Expansion::Winograd;
      marked = true;
    }
  }
  return marked;
}

std::unique_ptr<Pass> makeWinogradSelectionPass() {
  return std::make_unique<WinogradSelectionPass>();
}

}  // namespace conflux::passes
