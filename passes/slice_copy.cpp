#include "passes/slice_copy.h"

#include "passes/map_patterns.h"

namespace conflux::passes {

std::variant<SliceCopy, std::string> matchSliceCopy(const ir::Graph& graph, const ir::State& state, ir::NodeId entry,
                                                    const std::string& source) {
  if (state.node(entry).kind() != ir::NodeKind::MapEntry) return std::string("the reader is no map");
  if (!isTopLevel(state, entry)) return std::string("the reader is nested in another scope");
  std::optional<ir::NodeId> tasklet = soleTasklet(state, entry);
  if (!tasklet) return std::string("the reader is not one tasklet");
  SliceCopy c{entry, state.exitOf(entry), *tasklet, {}, source, {}, {}};
  const auto& code = std::get<ir::Tasklet>(state.node(c.tasklet).payload);
  if (code.inputs.size() != 1 || code.outputs.size() != 1 || code.outputs[0].expr->kind != ir::ExprKind::Ref ||
      code.outputs[0].expr->name != code.inputs[0])
    return std::string("the reader is no copy");
  std::vector<ir::EdgeId> in = state.inEdges(c.tasklet), out = state.outEdges(c.tasklet);
  if (in.size() != 1 || out.size() != 1) return std::string("the copy has more than one input or output");
  const ir::Memlet& read = state.edge(in[0]).memlet;
  const ir::Memlet& write = state.edge(out[0]).memlet;
  if (read.data != source) return "the copy does not read '" + source + "'";
  c.destination = write.data;
  if (write.wcr != ir::Wcr::None || c.destination == source) return std::string("the copy accumulates");
  const ir::DataDesc& from = graph.array(source);
  const ir::DataDesc& to = graph.array(c.destination);
  if (to.dtype != from.dtype || code.outputs[0].expr->dtype != from.dtype) return std::string("the copy converts");
  const ir::Map& map = state.mapOf(entry);
  if (!writesEachElementByIndex(map, read.subset, from.shape))
    return "the copy does not read each element of '" + source + "' once, in order";
  if (!writesEachElementAtOffset(map, write.subset, to.shape))
    return "the copy does not write '" + c.destination + "' at a constant offset";
  for (size_t k = 0; k < write.subset.rank(); ++k)
    c.offset.push_back((write.subset.ranges[k].begin - read.subset.ranges[k].begin).constant());
  std::vector<ir::EdgeId> written = state.outEdges(c.exit);
  if (written.size() != 1 || state.node(state.edge(written[0]).dst).kind() != ir::NodeKind::Access)
    return std::string("the copy writes more than one access node");
  c.destinationNode = state.edge(written[0]).dst;
  for (ir::EdgeId e : state.inEdges(entry))
    if (!state.edge(e).memlet.isEmpty() && state.edge(e).memlet.data != source)
      return std::string("the copy reads another array");
  return c;
}

bool isSliceCopy(const ir::Graph& graph, const ir::State& state, ir::NodeId entry, const std::string& source) {
  return std::holds_alternative<SliceCopy>(matchSliceCopy(graph, state, entry, source));
}

}  // namespace conflux::passes
