#include "ir/printer.h"

#include <sstream>

namespace conflux::ir {
namespace {

std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

std::string shapeText(const DataDesc& d) {
  std::vector<std::string> dims;
  for (int64_t x : d.shape) dims.push_back(std::to_string(x));
  return std::string(dtypeName(d.dtype)) + "[" + join(dims, ",") + "]";
}

std::string payloadText(const Node& n) {
  return std::visit(
      [&](const auto& p) -> std::string {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, AccessNode>) {
          return p.data;
        } else if constexpr (std::is_same_v<T, Tasklet>) {
          std::vector<std::string> outs;
          for (const TaskletOutput& o : p.outputs) outs.push_back(o.name + " = " + toString(o.expr));
          return n.label + " (" + join(p.inputs) + ") { " + join(outs, "; ") + " }";
        } else if constexpr (std::is_same_v<T, MapEntry>) {
          std::vector<std::string> ranges;
          for (size_t i = 0; i < p.map.params.size(); ++i)
            ranges.push_back(p.map.params[i] + "=" + p.map.ranges.ranges.at(i).toString());
          return n.label + " [" + join(ranges) + "] " + std::string(scheduleName(p.map.schedule));
        } else if constexpr (std::is_same_v<T, MapExit>) {
          return n.label + " of n" + std::to_string(p.entry.value);
        } else if constexpr (std::is_same_v<T, LibraryNode>) {
          return n.label + " " + std::string(opKindName(p.op)) + " (" + join(p.inputs) + ") -> (" +
                 join(p.outputs) + ") " + std::string(expansionName(p.expansion));
        } else {
          return n.label + " (" + join(p.inputs) + ") -> (" + join(p.outputs) + ") graph '" +
                 p.graph->name() + "'";
        }
      },
      n.payload);
}

void printGraph(const Graph& g, std::ostringstream& out, const std::string& indent) {
  out << indent << "graph " << g.name() << "\n";
  out << indent << "  inputs: " << join(g.inputs()) << "\n";
  out << indent << "  outputs: " << join(g.outputs()) << "\n";
  for (const auto& [name, d] : g.arrays()) {
    out << indent << "  array " << name << " : " << shapeText(d) << " " << d.layout.toString()
        << " " << storageName(d.storage) << (d.transient ? " transient" : "")
        << (g.constantValue(name) ? " constant" : "") << "\n";
  }
  for (const auto& [name, t] : g.symbols())
    out << indent << "  symbol " << name << " : " << dtypeName(t) << "\n";
  for (size_t i = 0; i < g.states().size(); ++i) {
    const State& s = g.state(i);
    out << indent << "state " << i << " " << s.name() << (i == g.startState() ? " (start)" : "")
        << "\n";
    for (NodeId id : s.nodeIds()) {
      const Node& n = s.node(id);
      out << indent << "  n" << id.value << " " << nodeKindName(n.kind()) << " " << payloadText(n);
      if (!n.origins.empty()) out << "  # from " << join(n.origins);
      out << "\n";
      if (n.kind() == NodeKind::NestedGraph)
        printGraph(*std::get<NestedGraphNode>(n.payload).graph, out, indent + "    ");
    }
    for (EdgeId id : s.edgeIds()) {
      const Edge& e = s.edge(id);
      out << indent << "  e" << id.value << " n" << e.src.value
          << (e.srcConn.empty() ? "" : "." + e.srcConn) << " -> n" << e.dst.value
          << (e.dstConn.empty() ? "" : "." + e.dstConn) << " : " << e.memlet.toString() << "\n";
    }
  }
  for (const InterstateEdge& e : g.interstateEdges()) {
    out << indent << "transition " << e.src << " -> " << e.dst;
    if (e.condition) out << " if " << toString(e.condition);
    for (const auto& [name, value] : e.assignments) out << " ; " << name << " = " << toString(value);
    out << "\n";
  }
}

}  // namespace

std::string print(const Graph& graph) {
  std::ostringstream out;
  printGraph(graph, out, "");
  return out.str();
}

}  // namespace conflux::ir
