#include "api/model_info.h"

#include <sstream>

#include "passes/flop_count.h"
#include "passes/pass_manager.h"

namespace conflux::api {

ModelInfo describe(const ir::Graph& graph) {
  ModelInfo info;
  for (const ir::State& s : graph.states()) {
    for (ir::NodeId id : s.nodeIds()) {
      const ir::Node& n = s.node(id);
      if (n.kind() == ir::NodeKind::Library)
        ++info.ops[std::string(ir::opKindName(std::get<ir::LibraryNode>(n.payload).op))];
      else if (n.kind() == ir::NodeKind::MapEntry)
        ++info.ops["map"];
      else if (n.kind() == ir::NodeKind::Tasklet)
        ++info.ops["tasklet"];
    }
  }
  info.inputs = static_cast<int64_t>(graph.inputs().size());
  info.outputs = static_cast<int64_t>(graph.outputs().size());
  for (const auto& [name, desc] : graph.arrays()) {
    if (desc.transient) ++info.transients;
    if (graph.constantValue(name)) info.parameters += desc.numElements();
  }
  for (const std::string& name : graph.inputs()) info.inputElements += graph.array(name).numElements();
  ir::Graph expanded = graph;
  passes::PassContext context;
  passes::runPasses(expanded, {"expand-library-nodes"}, context);
  info.flops = passes::graphFlops(expanded);
  return info;
}

std::string formatInfo(const std::string& model, const ModelInfo& info) {
  std::ostringstream out;
  out << "model: " << model << "\n";
  out << "inputs: " << info.inputs << " (" << info.inputElements << " elements)\n";
  out << "outputs: " << info.outputs << "\n";
  out << "transient tensors: " << info.transients << "\n";
  out << "parameters (constant elements): " << info.parameters << "\n";
  out << "FLOPs: " << info.flops << " (" << info.flops / 1e9 << " GFLOP)\n";
  out << "ops:\n";
  for (const auto& [op, count] : info.ops) out << "  " << op << " " << count << "\n";
  return out.str();
}

}  // namespace conflux::api
