#include "targets/reference/interpreter.h"

#include "ir/validate.h"
#include "targets/reference/element_types.h"
#include "targets/reference/graph_run.h"

namespace conflux::targets::reference {
namespace {

/// Throws conflux::Error naming the first node (in state and id order, nested graphs
/// included) that the reference target cannot execute: a library node, or an access or
/// memlet of a bf16/f16 array.
void checkExecutable(const ir::Graph& graph, const std::string& prefix) {
  std::string where = prefix + "graph '" + graph.name() + "'";
  auto checkArray = [&](const std::string& array, const std::string& at) {
    if (graph.hasArray(array) && !isSupported(graph.array(array).dtype))
      throw Error(at + ": array '" + array + "' is " +
                  std::string(ir::dtypeName(graph.array(array).dtype)) + "; " + kSupportedTypes);
  };
  for (const ir::State& state : graph.states()) {
    std::string inState = where + ", state '" + state.name() + "'";
    for (ir::NodeId id : state.nodeIds()) {
      const ir::Node& node = state.node(id);
      std::string at = inState + ", node " + node.describe();
      if (node.kind() == ir::NodeKind::Library) throw Error(at + ": expand library nodes first");
      if (node.kind() == ir::NodeKind::Access)
        checkArray(std::get<ir::AccessNode>(node.payload).data, at);
      if (node.kind() == ir::NodeKind::NestedGraph) {
        const auto& nested = std::get<ir::NestedGraphNode>(node.payload);
        if (nested.graph) checkExecutable(*nested.graph, at + ": ");
      }
      for (ir::EdgeId e : state.inEdges(id)) checkArray(state.edge(e).memlet.data, at);
    }
  }
  for (const auto& [name, desc] : graph.arrays()) checkArray(name, where);
}

}  // namespace

std::map<std::string, ir::Tensor> run(const ir::Graph& graph,
                                      const std::map<std::string, ir::Tensor>& inputs) {
  checkExecutable(graph, "");
  ir::validate(graph);
  GraphRun execution(graph, inputs);
  execution.execute();
  std::map<std::string, ir::Tensor> outputs;
  for (const std::string& name : graph.outputs()) outputs.emplace(name, execution.array(name));
  return outputs;
}

}  // namespace conflux::targets::reference
