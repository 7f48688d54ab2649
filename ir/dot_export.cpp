#include "ir/dot_export.h"

#include <sstream>

namespace conflux::ir {
namespace {

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

const char* shapeOf(NodeKind kind) {
  switch (kind) {
    case NodeKind::Access: return "ellipse";
    case NodeKind::Tasklet: return "octagon";
    case NodeKind::MapEntry: return "trapezium";
    case NodeKind::MapExit: return "invtrapezium";
    case NodeKind::Library: return "box";
    case NodeKind::NestedGraph: return "doubleoctagon";
  }
  return "box";
}

}  // namespace

std::string toDot(const Graph& graph) {
  std::ostringstream out;
  out << "digraph \"" << escape(graph.name()) << "\" {\n  compound=true;\n";
  for (size_t i = 0; i < graph.states().size(); ++i) {
    const State& s = graph.state(i);
    out << "  subgraph cluster_" << i << " {\n    label=\"" << escape(s.name()) << "\";\n";
    for (NodeId id : s.nodeIds()) {
      const Node& n = s.node(id);
      out << "    s" << i << "_n" << id.value << " [shape=" << shapeOf(n.kind()) << ", label=\""
          << escape(n.label) << "\"];\n";
    }
    for (EdgeId id : s.edgeIds()) {
      const Edge& e = s.edge(id);
      out << "    s" << i << "_n" << e.src.value << " -> s" << i << "_n" << e.dst.value
          << " [label=\"" << escape(e.memlet.toString()) << "\"];\n";
    }
    out << "  }\n";
  }
  for (const InterstateEdge& e : graph.interstateEdges()) {
    const State& src = graph.state(e.src);
    const State& dst = graph.state(e.dst);
    if (src.numNodes() == 0 || dst.numNodes() == 0) continue;
    out << "  s" << e.src << "_n" << src.nodeIds().front().value << " -> s" << e.dst << "_n"
        << dst.nodeIds().front().value << " [ltail=cluster_" << e.src << ", lhead=cluster_"
        << e.dst << ", style=bold];\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace conflux::ir
